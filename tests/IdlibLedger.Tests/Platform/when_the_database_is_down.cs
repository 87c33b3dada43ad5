using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Alba;
using IdlibLedger.Tests.Fixtures;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.Tests.Platform;

/// <summary>
/// PostgreSQL goes away under a running service: reads and writes answer 503 with Retry-After, readiness says
/// unhealthy, liveness does not, and once the database is back the service answers normally without a restart.
/// </summary>
public sealed class when_the_database_is_down(LedgerFixture ledger, ITestOutputHelper output) : LedgerTest(ledger)
{
    [Fact]
    public async Task reads_and_writes_are_503_with_retry_after_until_the_database_answers_again()
    {
        // The service reaches the test database through a relay the test can cut: its port then refuses connections
        // and every open connection is reset, as when the server stops; restored on the same port, it is back.
        var target = new NpgsqlConnectionStringBuilder(Ledger.ConnectionString);
        await using var relay = Relay.Start(target.Host!, target.Port);
        var relayed = new NpgsqlConnectionStringBuilder(Ledger.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
        await using var host = await Ledger.StartHostAsync("ledger_database_down", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["ConnectionStrings:Ledger"] = relayed,
        });
        using var client = host.Client();
        var attack = await host.ReportedAttackAsync();
        using var withKey = host.ClientWithKey(await NewApiKeyAsync(host));

        relay.Cut();
        await AnswersWhileDownAsync(client, attack);
        // An API key is looked up in the database: while it is down that is a 503 too, not a 401.
        using var keyed = await withKey.GetAsync($"/api/attacks/{attack}");
        keyed.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await keyed.Content.ReadAsStringAsync());

        relay.Restore();
        await AnswersOnceBackAsync(client, attack);
    }

    [LocalPostgresFact]
    public async Task after_a_real_stop_and_start_of_postgresql_the_service_answers_and_signs_again_without_a_restart()
    {
        // A private cluster of its own (deploy/local/postgres.sh on a free port and a temporary folder): stopping it
        // disturbs no other test.
        var cluster = new PrivateCluster();
        try
        {
            var connection = await cluster.StartAsync();
            await using var host = await Ledger.StartHostAsync(LedgerFixture.Schema, new Dictionary<string, string>
            {
                ["Ledger:SharedDataPath"] = "/nonexistent",
                ["ConnectionStrings:Ledger"] = connection,
                ["Audit:CheckpointInterval"] = "00:00:00.5",
            });
            using var client = host.Client();
            var attack = await host.ReportedAttackAsync();
            // The signer holds its lock on a session that the stop ends.
            await SignedHeadAsync(host, client);

            var watch = Stopwatch.StartNew();
            await cluster.StopAsync();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pg_ctl stop took {watch.ElapsedMilliseconds} ms"));
            await AnswersWhileDownAsync(client, attack);

            watch.Restart();
            await cluster.StartAsync();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pg_ctl start took {watch.ElapsedMilliseconds} ms"));
            await AnswersOnceBackAsync(client, attack);

            // The projection daemon and the checkpoint signer came back too: the write made since is chained and signed.
            watch.Restart();
            await SignedHeadAsync(host, client);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chained and signed {watch.ElapsedMilliseconds} ms after the first write"));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Waits for the chain to take every event and for the hourly signer to sign its head.</summary>
    private static async Task SignedHeadAsync(IAlbaHost host, HttpClient client)
    {
        await host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var head = (await host.GetJsonAsync("/api/audit/verify"))["headSequence"]!.GetValue<long>();
        var watch = Stopwatch.StartNew();
        while (await LatestCheckpointAsync(client) != head)
        {
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), $"no checkpoint of sequence {head}");
            await Task.Delay(100);
        }
    }

    private static async Task<long?> LatestCheckpointAsync(HttpClient client)
    {
        using var latest = await client.GetAsync("/api/audit/checkpoints/latest");
        return latest.StatusCode == HttpStatusCode.OK ? (await latest.JsonAsync())["sequence"]!.GetValue<long>() : null;
    }

    private async Task AnswersWhileDownAsync(HttpClient client, Guid attack)
    {
        var watch = Stopwatch.StartNew();
        using var read = await client.GetAsync($"/api/attacks/{attack}");
        var readMs = watch.ElapsedMilliseconds;
        using var write = await client.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"database down: read answered in {readMs} ms, write in {watch.ElapsedMilliseconds - readMs} ms"));
        using var retried = new HttpRequestMessage(HttpMethod.Post, "/api/attacks") { Content = new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json") };
        retried.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var idempotent = await client.SendAsync(retried);

        foreach (var response in new[] { read, write, idempotent })
        {
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThan(0);
            var problem = System.Text.Json.Nodes.JsonNode.Parse(body)!;
            problem["status"]!.GetValue<int>().ShouldBe(503);
            problem["title"]!.GetValue<string>().ShouldBe("The database is unavailable");
        }

        using var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldBe("Unhealthy");
        using var live = await client.GetAsync("/health/live");
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<string> NewApiKeyAsync(IAlbaHost host)
    {
        using var admin = host.Client("ops", IdlibLedger.Access.Roles.Admin);
        using var created = await admin.PostAsync("/api/keys", new StringContent("""{"client": "desk-outage", "roles": ["viewer"]}""", Encoding.UTF8, "application/json"));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await created.JsonAsync())["key"]!.GetValue<string>();
    }

    private async Task AnswersOnceBackAsync(HttpClient client, Guid attack)
    {
        var watch = Stopwatch.StartNew();
        var failures = 0;
        while (true)
        {
            using var read = await client.GetAsync($"/api/attacks/{attack}");
            if (read.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            read.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            failures++;
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the service did not come back");
            await Task.Delay(100);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"database back: reads answer 200 after {watch.ElapsedMilliseconds} ms and {failures} more 503s"));
        using var write = await client.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json"));
        write.StatusCode.ShouldBe(HttpStatusCode.Created, await write.Content.ReadAsStringAsync());
        using var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>A PostgreSQL cluster of deploy/local/postgres.sh on a free port, in a temporary folder removed afterwards.</summary>
    private sealed class PrivateCluster : IAsyncDisposable
    {
        private readonly string _data = Path.Combine(Path.GetTempPath(), $"idlib-ledger-outage-{Guid.NewGuid():N}");
        private readonly int _port = FreePort();

        /// <summary>Starts it (creating it the first time) and gives its connection string.</summary>
        public async Task<string> StartAsync() => (await RunAsync("ledger_outage")).Trim().Split('\n')[^1];

        public async Task StopAsync() => await RunAsync("--stop");

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            Directory.Delete(_data, recursive: true);
        }

        private async Task<string> RunAsync(string argument)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(LocalPostgresFactAttribute.Script!);
            start.ArgumentList.Add(argument);
            start.Environment["LEDGER_PG_PORT"] = _port.ToString(CultureInfo.InvariantCulture);
            start.Environment["LEDGER_PG_DATA"] = _data;
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            process.ExitCode.ShouldBe(0, await error);
            return output;
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }

    /// <summary>A TCP relay to PostgreSQL that can be cut (listener closed, connections reset) and restored on its port.</summary>
    private sealed class Relay : IAsyncDisposable
    {
        private readonly string _host;
        private readonly int _port;
        private readonly Lock _gate = new();
        private readonly List<Socket> _open = [];
        private TcpListener? _listener;

        private Relay(string host, int port) => (_host, _port) = (host, port);

        public int Port { get; private set; }

        public static Relay Start(string host, int port)
        {
            var relay = new Relay(host, port);
            relay.Listen(0);
            return relay;
        }

        public void Cut()
        {
            lock (_gate)
            {
                _listener?.Stop();
                _listener = null;
                foreach (var socket in _open)
                {
                    // A reset, as a stopped server's host answers.
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }

                _open.Clear();
            }
        }

        public void Restore() => Listen(Port);

        public ValueTask DisposeAsync()
        {
            Cut();
            return ValueTask.CompletedTask;
        }

        private void Listen(int port)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (_gate)
            {
                _listener = listener;
            }

            _ = AcceptAsync(listener);
        }

        private async Task AcceptAsync(TcpListener listener)
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = PipeAsync(client);
            }
        }

        private async Task PipeAsync(Socket client)
        {
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            lock (_gate)
            {
                _open.Add(client);
                _open.Add(server);
            }

            try
            {
                await server.ConnectAsync(_host, _port);
                await using var fromClient = new NetworkStream(client);
                await using var fromServer = new NetworkStream(server);
                await Task.WhenAny(fromClient.CopyToAsync(fromServer), fromServer.CopyToAsync(fromClient));
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                // Cut.
            }
            finally
            {
                lock (_gate)
                {
                    _open.Remove(client);
                    _open.Remove(server);
                }

                client.Dispose();
                server.Dispose();
            }
        }
    }
}

/// <summary>A test that runs a PostgreSQL cluster of its own with deploy/local/postgres.sh: skipped where PostgreSQL 15's programs are not installed.</summary>
public sealed class LocalPostgresFactAttribute : FactAttribute
{
    public LocalPostgresFactAttribute()
    {
        if (Script is null || !File.Exists("/usr/lib/postgresql/15/bin/pg_ctl") || !File.Exists("/usr/share/postgresql/15/extension/postgis.control"))
        {
            Skip = "needs deploy/local/postgres.sh and PostgreSQL 15 with PostGIS installed";
        }
    }

    /// <summary>deploy/local/postgres.sh of the repository the tests were built from.</summary>
    public static string? Script { get; } = FindScript();

    private static string? FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var script = Path.Combine(folder.FullName, "deploy", "local", "postgres.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        return null;
    }
}
