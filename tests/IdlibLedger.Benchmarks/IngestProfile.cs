using System.Diagnostics;
using System.Globalization;
using IdlibLedger.Access;
using IdlibLedger.Access.ApiKeys;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// What one report costs (issue #18, "find and remove what keeps ingest far from the ceiling"): one client, one
/// request at a time, through the service in-process (its whole HTTP pipeline with an API key), and the same event
/// appended with Marten alone. Per request: database round trips (commands and batches Npgsql executes, plus
/// commits), SQL statements, CPU of this process and of PostgreSQL, and bytes allocated. With
/// <c>--statements</c>, each distinct statement of one request is printed with how often it ran.
/// </summary>
internal static class IngestProfile
{
    private const string Body = """
        {"perpetrator": "Syrian Arab Army", "targets": ["Turkish Armed Forces"],
         "eventType": "explosions-remote-violence", "subEventType": "shelling-artillery-missile-attack",
         "location": {"type": "Point", "coordinates": [36.78, 35.93]}, "locationPrecision": "within-25km",
         "occurredAt": "2020-02-10", "datePrecision": "day",
         "description": "Regime shelling near Taftanaz kills Turkish soldiers",
         "sources": [{"outlet": "Daily Sabah", "publishedAt": "2020-02-26", "title": "Turkey expects Russia to halt regime attacks"}],
         "casualties": [{"category": "military", "party": "Turkish Armed Forces", "killed": {"low": 5, "best": 5, "high": 5}}],
         "reportedBy": "desk-ankara"}
        """;

    public static async Task RunAsync(string connection, string[] args)
    {
        var requests = int.Parse(args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "500", CultureInfo.InvariantCulture);
        var showStatements = args.Contains("--statements");

        await Benchmarks.DropSchemaAsync(connection);
        using var counter = new DatabaseCounter();
        // No projection daemon: the audit chain's polling would be counted with the requests (it runs apart from them).
        await using var host = await Benchmarks.HostAsync(connection, new LedgerClock(), daemon: false);
        // The request runs in the caller's execution context, so that what it does is told apart from background work.
        host.Server.PreserveExecutionContext = true;
        var store = host.Services.GetRequiredService<IDocumentStore>();
        // Sessions take the store's listeners when they open, so one added now sees every later commit.
        ((StoreOptions)store.Options).Listeners.Add(counter);
        var postmaster = await Cpu.PostmasterAsync(connection);

        var now = DateTimeOffset.UtcNow;
        var (stored, key) = ApiKey.Issue("bench-desk", [Roles.Reporter], now, now.AddDays(1), "bench");
        await using (var session = store.LightweightSession())
        {
            session.Store(stored);
            await session.SaveChangesAsync();
        }

        using var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, key);

        async Task PostAsync(bool idempotencyKey)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/attacks") { Content = new StringContent(Body, System.Text.Encoding.UTF8, "application/json") };
            if (idempotencyKey)
            {
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            }

            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode != 201)
            {
                throw new InvalidOperationException($"POST /api/attacks: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        var facts = System.Text.Json.JsonSerializer.Deserialize<ReportAttack>(Body, LedgerJsonOptions)!.ToFacts();
        async Task AppendAsync()
        {
            await using var session = store.LightweightSession();
            var id = StreamIds.New();
            session.Events.StartStream<AttackReport>(id, new AttackReported(id, facts, "desk-ankara"));
            await session.SaveChangesAsync();
        }

        var runs = new (string Name, Func<Task> Run)[]
        {
            ("raw Marten append (StartStream + SaveChanges)", AppendAsync),
            ("POST /api/attacks", () => PostAsync(idempotencyKey: false)),
            ("POST /api/attacks + Idempotency-Key", () => PostAsync(idempotencyKey: true)),
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{requests:N0} requests each, one at a time, after {Warmup} to warm up"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"per request",-46} {"round trips",11} {"statements",10} {"commits",7} {"CPU µs",8} {"PG CPU µs",9} {"KiB",7} {"wall ms",7}"));
        var profiles = new List<(string Name, DatabaseCounter.Tally Tally)>();
        foreach (var (name, run) in runs)
        {
            for (var i = 0; i < Warmup; i++)
            {
                await run();
            }

            counter.Reset();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = await Cpu.MeasureAsync(requests, async () =>
            {
                for (var i = 0; i < requests; i++)
                {
                    await DatabaseCounter.CountingAsync(run);
                }
            }, postmaster: postmaster);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var tally = counter.Snapshot();
            profiles.Add((name, tally));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-46} {tally.RoundTrips / (double)requests,11:N2} {tally.Statements / (double)requests,10:N2} {tally.Commits / (double)requests,7:N2} " +
                $"{cpu.Process.TotalMicroseconds / requests,8:N0} {cpu.Database.TotalMicroseconds / requests,9:N0} {allocated / 1024.0 / requests,7:N1} {cpu.Wall.TotalMilliseconds / requests,7:N2}"));
        }

        Console.WriteLine();
        Console.WriteLine("round trips: commands and batches Npgsql executed in the request, plus commits; statements: SQL statements in them.");
        Console.WriteLine("CPU µs: this process (client and service, in-process); PG CPU µs: the PostgreSQL cluster; KiB: bytes allocated in this process.");
        if (showStatements)
        {
            foreach (var (name, tally) in profiles)
            {
                Console.WriteLine();
                Console.WriteLine($"{name}: statements per request");
                foreach (var (statement, count) in tally.ByStatement.OrderByDescending(s => s.Value))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count / (double)requests,5:N2}  {statement}"));
                }
            }
        }
    }

    private const int Warmup = 50;

    private static readonly System.Text.Json.JsonSerializerOptions LedgerJsonOptions = CreateJsonOptions();

    private static System.Text.Json.JsonSerializerOptions CreateJsonOptions()
    {
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        LedgerJson.Configure(options);
        return options;
    }
}

/// <summary>
/// Counts what Npgsql sends for the work run through <see cref="CountingAsync"/> (an async-local flag tells it apart
/// from background work): each command or batch (a round trip, from Npgsql's "Npgsql" activities), the statements in
/// it, and each commit of a Marten session (another round trip: Npgsql sends COMMIT on its own).
/// </summary>
internal sealed class DatabaseCounter : DocumentSessionListenerBase, IDisposable
{
    private static readonly AsyncLocal<bool> Counting = new();
    private readonly ActivityListener _listener;
    private readonly Lock _lock = new();
    private long _commands;
    private long _statements;
    private long _commits;
    private Dictionary<string, long> _byStatement = new(StringComparer.Ordinal);

    public DatabaseCounter()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <param name="RoundTrips">Commands and batches, plus commits.</param>
    /// <param name="Statements">SQL statements in the commands and batches.</param>
    /// <param name="Commits">Commits of Marten sessions.</param>
    /// <param name="ByStatement">How often each statement ran (its text, parameters and literal lists shortened).</param>
    public sealed record Tally(long RoundTrips, long Statements, long Commits, IReadOnlyDictionary<string, long> ByStatement);

    public static async Task CountingAsync(Func<Task> run)
    {
        Counting.Value = true;
        try
        {
            await run();
        }
        finally
        {
            Counting.Value = false;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            (_commands, _statements, _commits, _byStatement) = (0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal));
        }
    }

    public Tally Snapshot()
    {
        lock (_lock)
        {
            return new Tally(_commands + _commits, _statements, _commits, new Dictionary<string, long>(_byStatement, StringComparer.Ordinal));
        }
    }

    public override Task AfterCommitAsync(IDocumentSession session, Marten.Services.IChangeSet commit, CancellationToken token)
    {
        if (Counting.Value)
        {
            lock (_lock)
            {
                _commits++;
            }
        }

        return Task.CompletedTask;
    }

    private void Stopped(Activity activity)
    {
        if (!Counting.Value)
        {
            return;
        }

        // Npgsql names a batch's statements in one db.statement, separated by ';'.
        var text = activity.GetTagItem("db.statement") as string ?? string.Empty;
        var statements = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lock (_lock)
        {
            _commands++;
            _statements += Math.Max(1, statements.Length);
            foreach (var statement in statements)
            {
                var shown = Shorten(statement);
                _byStatement[shown] = _byStatement.GetValueOrDefault(shown) + 1;
            }
        }
    }

    private static string Shorten(string statement)
    {
        var line = string.Join(' ', statement.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 150 ? line : line[..150] + "…";
    }

    public void Dispose() => _listener.Dispose();
}
