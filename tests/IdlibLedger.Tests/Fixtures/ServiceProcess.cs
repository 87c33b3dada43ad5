using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using IdlibLedger.Access;
using Npgsql;

namespace IdlibLedger.Tests.Fixtures;

/// <summary>How a <see cref="ServiceProcess"/> is set up; everything but the schema is off unless asked for.</summary>
public sealed record ServiceSettings
{
    /// <summary>Its own PostgreSQL schema, dropped first: it starts from an empty ledger and never meets other tests' data.</summary>
    public required string Schema { get; init; }

    /// <summary>Load the seed scenario at start-up (<c>Ledger__LoadDemoData</c>).</summary>
    public bool DemoData { get; init; }

    /// <summary>Reads need no credentials (<c>Ledger__PublicReads</c>).</summary>
    public bool PublicReads { get; init; }

    /// <summary>
    /// Register the OCHA regions from LEDGER_SHARED_DATA at start-up. Required when asked for: the service fails to
    /// start without them rather than run a test on a map with no regions.
    /// </summary>
    public bool ReferenceRegions { get; init; }

    /// <summary>The dashboard (src/IdlibLedger.Dashboard, built) must be in the service's output as <c>dashboard/</c>.</summary>
    public bool Dashboard { get; init; }

    /// <summary>The client named by the API key made with <c>keys create</c>.</summary>
    public string KeyClient { get; init; } = "test-desk";

    /// <summary>The roles of that key (every role unless narrowed).</summary>
    public IReadOnlyList<string> KeyRoles { get; init; } = Roles.All;
}

/// <summary>
/// The service as a client or a browser meets it: a process (<c>dotnet exec IdlibLedger.dll</c>) on a free loopback
/// port, so that a client in another process (node, Chromium) reaches it as well as one in this. Its own schema,
/// dropped first (<see cref="ServiceSettings"/>). It trusts the tests' token issuer, as the main tests' host does.
/// </summary>
public class ServiceProcess(ServiceSettings settings) : IAsyncLifetime
{
    /// <summary>The file whose presence says the shared data is there (as the service's own OchaRegions looks for it).</summary>
    private const string RegionsFile = "syria_adm1_governorates_ocha.geojson";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"idlib-ledger-{settings.Schema}-{Guid.NewGuid():N}");
    private readonly string _connectionString = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? throw new InvalidOperationException("LEDGER_TEST_CONNECTION is not set (deploy/local/test.sh sets it)");
    private Process? _process;

    public ServiceSettings Settings { get; } = settings;

    /// <summary>The root the service answers on, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{FreePort()}/");

    /// <summary>The service's output, for a test that fails.</summary>
    public string LogFile => Path.Combine(_folder, "service.log");

    /// <summary>The repository's root (where IdlibLedger.sln is).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The service's build output, where IdlibLedger.dll is (the test's own output: it references the service).</summary>
    public static string ServiceFolder => AppContext.BaseDirectory;

    /// <summary>An API key holding <see cref="ServiceSettings.KeyRoles"/>, made with the service's own <c>keys create</c>.</summary>
    public string ApiKey { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Settings.Dashboard)
        {
            RequireDashboard();
        }

        var sharedData = Settings.ReferenceRegions ? RequireSharedData() : null;
        await DropSchemaAsync();
        Directory.CreateDirectory(_folder);

        ApiKey = await CreateKeyAsync(Settings.KeyClient, string.Join(',', Settings.KeyRoles));
        var start = Command(sharedData, "--urls", BaseAddress.ToString());
        var log = new StreamWriter(LogFile) { AutoFlush = true };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => Write(log, line.Data);
        _process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        _process.Exited += (_, _) => log.Dispose();
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ReadyAsync(TimeSpan.FromSeconds(120));
        if (Settings.ReferenceRegions)
        {
            await RequireRegionsAsync(sharedData!);
        }
    }

    /// <summary>The service's command line with this ledger's settings; <paramref name="sharedData"/> null: no reference regions.</summary>
    private ProcessStartInfo Command(string? sharedData, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(ServiceFolder, "IdlibLedger.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ServiceFolder,
        };
        // As the main tests' host is configured: a signing and a seal key made on first use.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__Ledger"] = _connectionString;
        start.Environment["Ledger__Schema"] = Settings.Schema;
        start.Environment["Ledger__LoadDemoData"] = Settings.DemoData ? "true" : "false";
        start.Environment["Ledger__PublicReads"] = Settings.PublicReads ? "true" : "false";
        // Without reference regions the service must not find them by itself either: it also reads LEDGER_SHARED_DATA.
        start.Environment.Remove("LEDGER_SHARED_DATA");
        start.Environment["Ledger__SharedDataPath"] = sharedData ?? "/nonexistent";
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
        using var command = Process.Start(Command(null, "keys", "create", "--client", client, "--roles", roles))!;
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

    /// <summary>A client that sends <see cref="ApiKey"/> (X-Api-Key), as an integrating system does.</summary>
    public HttpClient KeyClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    /// <summary>Posts <paramref name="body"/> as JSON with <see cref="ApiKey"/> and returns the answer's body; anything but 2xx fails with the problem the service gave.</summary>
    public async Task<JsonElement> PostJsonAsync(string path, object body)
    {
        using var client = KeyClient();
        using var response = await client.PostAsJsonAsync(path.TrimStart('/'), body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
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

    /// <summary>The dashboard's bundle beside the service, and the one src/IdlibLedger.Dashboard/dist/ holds now, not an older copy.</summary>
    private static void RequireDashboard()
    {
        const string build = "deploy/local/test.sh builds it; by hand: cd src/IdlibLedger.Dashboard && npm ci && npm run build, then build the tests again";
        var served = Path.Combine(ServiceFolder, "dashboard", "index.html");
        if (!File.Exists(served))
        {
            throw new InvalidOperationException($"the dashboard is not built into the service's output ({served} is missing): {build}");
        }

        var built = Path.Combine(Root, "src", "IdlibLedger.Dashboard", "dist", "index.html");
        if (File.Exists(built) && File.ReadAllText(built) != File.ReadAllText(served))
        {
            throw new InvalidOperationException($"{served} is an older build than {built}: build the tests again (dotnet build copies dist/ beside the service)");
        }
    }

    /// <summary>LEDGER_SHARED_DATA, holding the OCHA boundaries; a clear failure without them.</summary>
    private static string RequireSharedData()
    {
        var folder = Environment.GetEnvironmentVariable("LEDGER_SHARED_DATA");
        if (string.IsNullOrWhiteSpace(folder))
        {
            throw new InvalidOperationException(
                "LEDGER_SHARED_DATA is not set: these tests need the OCHA regions (deploy/local/test.sh sets it to ../shared/data when that folder exists)");
        }

        if (!File.Exists(Path.Combine(folder, RegionsFile)))
        {
            throw new InvalidOperationException($"LEDGER_SHARED_DATA ({folder}) holds no {RegionsFile}: these tests need the OCHA regions");
        }

        return Path.GetFullPath(folder);
    }

    /// <summary>The service registered the OCHA regions it was pointed at (it only logs when it finds none).</summary>
    private async Task RequireRegionsAsync(string sharedData)
    {
        using var client = Client();
        var regions = await client.GetFromJsonAsync<JsonElement>("api/regions");
        if (!regions.EnumerateArray().Any(region => region.TryGetProperty("pcode", out _)))
        {
            throw new InvalidOperationException($"the service registered no OCHA region from {sharedData}; see {LogFile}");
        }
    }

    private async Task DropSchemaAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop schema if exists {Settings.Schema} cascade", connection);
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
