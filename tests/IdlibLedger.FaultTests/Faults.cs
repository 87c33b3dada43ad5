using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace IdlibLedger.FaultTests;

/// <summary>
/// The world of the fault tests: a private PostgreSQL cluster (its own port and folder, so that stopping it as a crash
/// would disturbs no other test) and the service running as a separate process on loopback, as an operator runs it.
/// </summary>
public sealed class Faults : IAsyncLifetime
{
    public const string Schema = "ledger";

    public static string Root { get; } = FindRoot();

    public int DatabasePort { get; } = int.Parse(Environment.GetEnvironmentVariable("LEDGER_FAULT_PG_PORT") ?? "55460", CultureInfo.InvariantCulture);

    public string DataFolder { get; } = Path.Combine(Root, ".data", "postgres-faults");

    /// <summary>The service's connection string.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={DatabasePort};Database=ledger_faults;Username=ledger;Password=ledger;Timeout=5";

    /// <summary>The tests' own: unpooled, so that no connection cut by a crash of the database is handed out again.</summary>
    private string TestConnectionString => ConnectionString + ";Pooling=false";

    public Service Service { get; private set; } = null!;

    /// <summary>An API key holding every role, made with the service's own <c>keys create</c> command.</summary>
    public string ApiKey { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        await DatabaseAsync("ledger_faults");
        await ExecuteAsync($"drop schema if exists {Schema} cascade");
        Service = new Service(ConnectionString, FreePort(), Path.Combine(Root, ".data", "fault-service"));
        ApiKey = await Service.CreateKeyAsync("fault-desk", "viewer,reporter,analyst,auditor,admin");
        await Service.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await ScriptAsync("--stop");
    }

    /// <summary>Starts the cluster (creating it and the database on first use).</summary>
    public Task DatabaseAsync(string database) => ScriptAsync(database);

    /// <summary>Stops the cluster as a crash would: no checkpoint, connections cut (<c>pg_ctl -m immediate</c>).</summary>
    public Task CrashDatabaseAsync() => ScriptAsync("--stop-immediate");

    private async Task ScriptAsync(string argument)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Root, "deploy", "local", "postgres.sh"), argument])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["LEDGER_PG_PORT"] = DatabasePort.ToString(CultureInfo.InvariantCulture);
        start.Environment["LEDGER_PG_DATA"] = DataFolder;
        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = await script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync();
        await output;
        if (script.ExitCode != 0)
        {
            throw new InvalidOperationException($"postgres.sh {argument} failed ({script.ExitCode}): {errors}");
        }
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>How many times each stream holds an event of <paramref name="type"/> reported by <paramref name="reportedBy"/>.</summary>
    public async Task<Dictionary<Guid, long>> StreamCountsAsync(string type, string reportedBy)
    {
        var counts = new Dictionary<Guid, long>();
        await using var connection = new NpgsqlConnection(TestConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select stream_id, count(*) from {Schema}.mt_events where type = @type and data ->> 'reportedBy' = @reportedBy group by stream_id", connection);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("reportedBy", reportedBy);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetGuid(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "IdlibLedger.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("IdlibLedger.sln not found above the test's folder");
    }
}

[CollectionDefinition(Name)]
public sealed class FaultGroup : ICollectionFixture<Faults>
{
    public const string Name = "faults";
}

/// <summary>
/// The service as a process: <c>dotnet exec IdlibLedger.dll</c> in Production, listening on loopback. Kill() is
/// SIGKILL: no shutdown hooks, no flush, as a crashed machine or an OOM kill would end it. Several nodes of one
/// ledger share a folder (its keys) and differ by <paramref name="name"/> (their log) and <paramref name="settings"/>
/// (configuration keys, environment style, over the defaults below).
/// </summary>
public sealed class Service(string connectionString, int port, string folder, string name = "service", IReadOnlyDictionary<string, string>? settings = null) : IAsyncDisposable
{
    private Process? _process;
    private StreamWriter? _log;

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}");

    public int Starts { get; private set; }

    public string LogFile => Path.Combine(folder, $"{name}.log");

    private ProcessStartInfo Command(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "IdlibLedger.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // A fresh database each run: the service makes its schema, as it does everywhere but in production.
        start.Environment["Ledger__ApplySchemaOnStartup"] = "true";
        start.Environment["ConnectionStrings__Ledger"] = connectionString;
        start.Environment["Ledger__LoadDemoData"] = "false";
        start.Environment["Ledger__SharedDataPath"] = "/nonexistent";
        start.Environment["Audit__SigningKeyPath"] = Path.Combine(folder, "audit-signing-key.pem");
        // Outside Development the seal key must exist: an operator makes it once (base64 of 32 random bytes, 0600).
        start.Environment["Audit__SealKeyPath"] = SealKeyFile();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The writers are one client sending as fast as they can; the limits are not what these tests measure.
        foreach (var kind in new[] { "Writes", "Reads", "Imports", "Exports" })
        {
            start.Environment[$"Ledger__RateLimits__{kind}__TokenLimit"] = "1000000";
            start.Environment[$"Ledger__RateLimits__{kind}__TokensPerPeriod"] = "1000000";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    private string SealKeyFile()
    {
        var path = Path.Combine(folder, "audit-seal-key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return path;
    }

    /// <summary>Runs <c>keys create</c> and returns the key it prints.</summary>
    public async Task<string> CreateKeyAsync(string client, string roles)
    {
        Directory.CreateDirectory(folder);
        var output = await RunAsync("keys", "create", "--client", client, "--roles", roles);
        return output.Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("ilk_", StringComparison.Ordinal));
    }

    /// <summary>Runs a command of the service's command line (not the server) and returns its standard output.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        using var command = Process.Start(Command(arguments))!;
        var output = command.StandardOutput.ReadToEndAsync();
        var errors = await command.StandardError.ReadToEndAsync();
        await command.WaitForExitAsync();
        if (command.ExitCode != 0)
        {
            throw new InvalidOperationException($"IdlibLedger {string.Join(' ', arguments)} failed ({command.ExitCode}): {errors}\n{await output}");
        }

        return await output;
    }

    public async Task StartAsync()
    {
        Directory.CreateDirectory(folder);
        _log ??= new StreamWriter(LogFile, append: true) { AutoFlush = true };
        var start = Command("--urls", BaseAddress.ToString());
        _process = Process.Start(start)!;
        var log = _log;
        _process.OutputDataReceived += (_, line) => { if (line.Data is not null) { lock (log) { log.WriteLine(line.Data); } } };
        _process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { lock (log) { log.WriteLine(line.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Starts++;
        await ReadyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>Waits until <c>/health/live</c> answers (the database may be down on purpose).</summary>
    public async Task ReadyAsync(TimeSpan timeout, string probe = "/health/live")
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"the service exited with {_process.ExitCode} while starting; see {LogFile}");
            }

            try
            {
                using var response = await client.GetAsync(probe);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the service did not answer {probe} within {timeout}; see {LogFile}");
    }

    /// <summary>SIGKILL, and wait until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }
}
