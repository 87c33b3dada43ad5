using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using Npgsql;

namespace IdlibLedger.ClientTests.Fixtures;

/// <summary>
/// The service as a client meets it: a process (<c>dotnet exec IdlibLedger.dll</c>) on a free loopback port, so
/// that a client in another process (node) reaches it as well as one in this. Its own schema, dropped first: the
/// client tests start from an empty ledger and never meet the main tests' data, which may be written at the same
/// time to the same database. It trusts the tests' token issuer, as the main tests' host does.
/// </summary>
public sealed class RunningLedger : IAsyncLifetime
{
    public const string Schema = "ledger_clients";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"idlib-ledger-clients-{Guid.NewGuid():N}");
    private readonly string _connectionString = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? throw new InvalidOperationException("LEDGER_TEST_CONNECTION is not set (deploy/local/test.sh sets it)");
    private Process? _process;

    /// <summary>The root the service answers on, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{FreePort()}/");

    /// <summary>The service's output, for a test that fails.</summary>
    public string LogFile => Path.Combine(_folder, "service.log");

    /// <summary>The repository's root (where IdlibLedger.sln is).</summary>
    public static string Root { get; } = FindRoot();

    public async Task InitializeAsync()
    {
        await DropSchemaAsync(_connectionString);
        Directory.CreateDirectory(_folder);

        ApiKey = await CreateKeyAsync("client-desk", $"{Roles.Reporter},{Roles.Analyst}");
        var start = Command("--urls", BaseAddress.ToString());
        var log = new StreamWriter(LogFile) { AutoFlush = true };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => Write(log, line.Data);
        _process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        _process.Exited += (_, _) => log.Dispose();
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ReadyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>An API key holding reporter and analyst, made with the service's own <c>keys create</c> (for the node client).</summary>
    public string ApiKey { get; private set; } = string.Empty;

    /// <summary>The service's command line with this ledger's settings.</summary>
    private ProcessStartInfo Command(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "IdlibLedger.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // As the main tests' host is configured: a signing and a seal key made on first use, no demo data.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__Ledger"] = _connectionString;
        start.Environment["Ledger__Schema"] = Schema;
        start.Environment["Ledger__LoadDemoData"] = "false";
        // No reference regions: the scenarios name none, and loading them takes seconds.
        start.Environment["Ledger__SharedDataPath"] = "/nonexistent";
        start.Environment["Audit__SigningKeyPath"] = Path.Combine(_folder, "audit-signing-key.pem");
        start.Environment["Audit__SealKeyPath"] = Path.Combine(_folder, "audit-seal-key");
        start.Environment["Ledger__Jwt__Issuer"] = Credentials.Issuer;
        start.Environment["Ledger__Jwt__Audience"] = Credentials.Audience;
        start.Environment["Ledger__Jwt__SigningKeys__0"] = Credentials.SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return start;
    }

    private async Task<string> CreateKeyAsync(string client, string roles)
    {
        using var command = Process.Start(Command("keys", "create", "--client", client, "--roles", roles))!;
        var output = command.StandardOutput.ReadToEndAsync();
        var errors = await command.StandardError.ReadToEndAsync();
        await command.WaitForExitAsync();
        if (command.ExitCode != 0)
        {
            throw new InvalidOperationException($"keys create failed ({command.ExitCode}): {errors}\n{await output}");
        }

        return (await output).Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("ilk_", StringComparison.Ordinal));
    }

    /// <summary>A client that sends a bearer token for <paramref name="subject"/> holding every role.</summary>
    public HttpClient Client(string subject = Credentials.TestDesk)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", Credentials.Token(subject, Roles.All));
        return client;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private async Task ReadyAsync(TimeSpan timeout)
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
                using var response = await client.GetAsync("health/ready");
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

        throw new TimeoutException($"the service did not answer /health/ready within {timeout}; see {LogFile}");
    }

    private static async Task DropSchemaAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop schema if exists {Schema} cascade", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class RunningLedgerGroup : ICollectionFixture<RunningLedger>
{
    public const string Name = "running ledger";
}
