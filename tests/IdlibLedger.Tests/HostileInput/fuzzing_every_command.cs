using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.Tests.HostileInput;

/// <summary>
/// Over ten thousand hostile variations of valid requests (<see cref="HostileRequests"/>, a fixed seed) across every
/// command of the OpenAPI document, plus the cases that once answered 500 or were wrongly accepted. The service must
/// never answer 5xx; every refusal is problem+json; and a refused request appends nothing. Each request is sent under
/// a client name of its own, so the events of the store say which request appended them, however many run at once.
/// </summary>
public sealed class fuzzing_every_command(LedgerFixture ledger, ITestOutputHelper output) : LedgerTest(ledger)
{
    private const int Seed = 20200305;
    private const int PerCommand = 360;

    /// <summary>Valid samples per command, each with prerequisites of its own, so that one accepted retraction does not close every later request.</summary>
    private const int SamplesPerCommand = 4;

    private const int Parallelism = 8;

    private sealed record Outcome(HostileRequest Request, string Client, int Status, string? MediaType, string? Text);

    [Fact]
    public async Task hostile_bodies_on_every_command_never_get_a_5xx_and_refusals_record_nothing()
    {
        var commands = await Command.AllAsync(Host);
        var samples = await SamplesAsync(commands);
        var generated = Generated(samples).ToList();
        var requests = generated.Concat(samples.SelectMany(s => s.Value.Take(1)).SelectMany(KnownCases)).ToList();
        var lastSeq = (long)(await Ledger.ScalarAsync($"select coalesce(max(seq_id), 0) from {LedgerFixture.Schema}.mt_events"))!;

        var clock = Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<Outcome>();
        using (var client = Host.Server.CreateClient())
        {
            var numbered = requests.Select((request, index) => (Request: request, Client: string.Create(CultureInfo.InvariantCulture, $"fuzz-{index:D5}"))).ToList();
            await Parallel.ForEachAsync(numbered.Where(r => !OneAtATime.Contains(r.Request.Operation)), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (item, cancellation) =>
                outcomes.Add(await SendAsync(client, item.Request, item.Client, cancellation)));
            foreach (var item in numbered.Where(r => OneAtATime.Contains(r.Request.Operation)))
            {
                outcomes.Add(await SendAsync(client, item.Request, item.Client, CancellationToken.None));
            }
        }

        clock.Stop();
        var appended = await AppendedByClientAsync(lastSeq);
        await ForgetFuzzRegionsAsync();

        var all = outcomes.OrderBy(o => o.Client, StringComparer.Ordinal).ToList();
        Report(all, clock.Elapsed, appended);

        var serverErrors = all.Where(o => o.Status >= 500).ToList();
        serverErrors.Count.ShouldBe(0, Examples("answered 5xx", serverErrors));
        var notProblems = all.Where(o => o.Status >= 400 && o.MediaType != "application/problem+json").ToList();
        notProblems.Count.ShouldBe(0, Examples("refused without problem+json", notProblems));
        var refused = all.Where(o => o.Status >= 400).Select(o => o.Client).ToHashSet(StringComparer.Ordinal);
        var accepted = all.Where(o => o.Status < 400).Select(o => o.Client).ToHashSet(StringComparer.Ordinal);
        var byRefused = appended.Where(a => refused.Contains(a.Key)).ToList();
        byRefused.ShouldBeEmpty("refused requests that appended events: " + string.Join(", ", byRefused.Select(a => $"{a.Key} ({a.Value})")));
        var byNobody = appended.Where(a => !accepted.Contains(a.Key)).ToList();
        byNobody.ShouldBeEmpty("events appended during the fuzz by no accepted request: " + string.Join(", ", byNobody.Select(a => $"{a.Key} ({a.Value})")));
        generated.Count.ShouldBeGreaterThanOrEqualTo(10_000);
        all.Select(o => o.Request.Operation).Distinct().Order(StringComparer.Ordinal).ShouldBe(commands.Select(c => c.Operation).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Sent one at a time, after the others. The ledger runs one import at a time (others get 429, so most would test
    /// nothing); and concurrent checkpoints fail in the audit module (500, and requests that never answer), which is
    /// not what this test is about (see docs/reliability-input.md).
    /// </summary>
    private static readonly HashSet<string> OneAtATime = new(["ImportUcdpGed", "CreateCheckpoint"], StringComparer.Ordinal);

    /// <summary>Sends the request as <paramref name="client"/>; keeps the answer's text when it is something to report.</summary>
    private static async Task<Outcome> SendAsync(HttpClient http, HostileRequest request, string client, CancellationToken cancellation)
    {
        using var message = request.ToMessage();
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Credentials.Token(client, Roles.All));
        using var response = await http.SendAsync(message, cancellation);
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var keep = status >= 500 || (status >= 400 && mediaType != "application/problem+json") || (status == 400 && !await NamesAFieldAsync(response));
        return new Outcome(request, client, status, mediaType, keep ? await response.Content.ReadAsStringAsync(cancellation) : null);
    }

    /// <summary><see cref="SamplesPerCommand"/> valid requests per command (their prerequisites created through the API).</summary>
    private async Task<Dictionary<Command, List<Sample>>> SamplesAsync(IReadOnlyList<Command> commands)
    {
        using var setup = Host.Client("fuzz-setup");
        var samples = new Dictionary<Command, List<Sample>>();
        foreach (var command in commands)
        {
            samples[command] = [];
            for (var i = 0; i < SamplesPerCommand; i++)
            {
                samples[command].Add(await command.SampleAsync(setup));
            }
        }

        return samples;
    }

    /// <summary><see cref="PerCommand"/> variations per command, in a fixed order from the fixed seed.</summary>
    private static IEnumerable<HostileRequest> Generated(Dictionary<Command, List<Sample>> samples)
    {
        var hostile = new HostileRequests(new Random(Seed));
        foreach (var (command, valid) in samples.OrderBy(s => s.Key.Operation, StringComparer.Ordinal))
        {
            for (var i = 0; i < PerCommand; i++)
            {
                yield return hostile.Next(valid[i % valid.Count]);
            }
        }
    }

    /// <summary>
    /// The cases that answered 500 or were accepted before the ledger refused them (see hostile_json_is_refused):
    /// U+0000 in each text, the all-zero stream id, no Content-Type, UTF-16, a key twice, and 1e-400 / 1e400 in each number.
    /// </summary>
    private static IEnumerable<HostileRequest> KnownCases(Sample sample)
    {
        var operation = sample.Command.Operation;
        if (sample.Command.OnAStream)
        {
            yield return new HostileRequest(operation, "known: zero id", sample.UrlWithId("00000000-0000-0000-0000-000000000000"), sample.Body, sample.ContentType);
        }

        if (!sample.IsJson)
        {
            yield break;
        }

        yield return new HostileRequest(operation, "known: no Content-Type", sample.Url, sample.Body, null);
        yield return new HostileRequest(operation, "known: UTF-16", sample.Url, Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(sample.Body!)), "application/json; charset=utf-16");
        yield return new HostileRequest(operation, "known: UTF-8 labelled UTF-16", sample.Url, sample.Body, "application/json; charset=utf-16");
        if (sample.Json is JsonObject { Count: > 0 } root)
        {
            var (key, value) = root.First();
            var twice = "{" + JsonSerializer.Serialize(key) + ":" + (value?.ToJsonString() ?? "null") + "," + Encoding.UTF8.GetString(sample.Body!)[1..];
            yield return new HostileRequest(operation, "known: key twice", sample.Url, Encoding.UTF8.GetBytes(twice), sample.ContentType);
        }

        foreach (var (path, leaf) in JsonLeaves.Of(sample.Json))
        {
            if (leaf.GetValueKind() == JsonValueKind.String)
            {
                yield return new HostileRequest(operation, "known: U+0000", sample.Url, Encoding.UTF8.GetBytes(JsonLeaves.With(sample.Json, path, "a\u0000b").ToJsonString()), sample.ContentType);
            }
            else if (leaf.GetValueKind() == JsonValueKind.Number)
            {
                foreach (var number in new[] { "1e-400", "1e400" })
                {
                    var body = JsonLeaves.With(sample.Json, path, "NUMBER").ToJsonString().Replace("\"NUMBER\"", number, StringComparison.Ordinal);
                    yield return new HostileRequest(operation, $"known: {number}", sample.Url, Encoding.UTF8.GetBytes(body), sample.ContentType);
                }
            }
        }
    }

    private static async Task<bool> NamesAFieldAsync(HttpResponseMessage response)
    {
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync()) is JsonObject { } problem && problem["errors"] is JsonObject { Count: > 0 };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Events appended after <paramref name="lastSeq"/>, counted by the client that recorded them.</summary>
    private async Task<Dictionary<string, long>> AppendedByClientAsync(long lastSeq)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"select coalesce(user_name, '(none)'), count(*) from {LedgerFixture.Schema}.mt_events where seq_id > @last group by 1", connection);
        command.Parameters.AddWithValue("last", lastSeq);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>Regions are kept across resets (reference data): forget those the fuzz and its samples registered.</summary>
    private async Task ForgetFuzzRegionsAsync()
    {
        const string schema = LedgerFixture.Schema;
        await Ledger.ExecuteAsync(
            $"delete from {schema}.{IdlibLedger.Territory.Regions.RegionTable.Name} r where exists (select 1 from {schema}.mt_events e " +
            $"where e.type = 'region_registered' and e.user_name like 'fuzz-%' and e.data ->> 'regionId' = r.id); " +
            $"delete from {schema}.mt_events where type = 'region_registered' and user_name like 'fuzz-%'; " +
            $"delete from {schema}.mt_streams s where not exists (select 1 from {schema}.mt_events e where e.stream_id = s.id)");
        await Ledger.ForgetTestRegionsAsync();
    }

    private void Report(List<Outcome> all, TimeSpan elapsed, Dictionary<string, long> appended)
    {
        var refused = all.Where(o => o.Status >= 400).Select(o => o.Client).ToHashSet(StringComparer.Ordinal);
        string Classes(IEnumerable<Outcome> outcomes)
        {
            var list = outcomes.ToList();
            return string.Create(CultureInfo.InvariantCulture,
                $"{list.Count,6} requests: {list.Count(o => o.Status < 300),5} 2xx, {list.Count(o => o.Status is >= 400 and < 500),5} 4xx, {list.Count(o => o.Status >= 500),3} 5xx");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz: seed {Seed}, {all.Count} requests ({all.Count(o => !o.Request.Kind.StartsWith("known", StringComparison.Ordinal))} generated, the rest known cases) in {elapsed.TotalSeconds:F1} s ({all.Count / elapsed.TotalSeconds:F0}/s, {Parallelism} at once)"));
        output.WriteLine("all:    " + Classes(all));
        output.WriteLine("by status: " + string.Join(", ", all.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} × {g.Count()}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"refusals: {all.Count(o => o.Status >= 400)}, all problem+json: {all.Where(o => o.Status >= 400).All(o => o.MediaType == "application/problem+json")}; 400s naming no field: {all.Count(o => o.Status == 400 && o.Text is not null)}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"events appended: {appended.Values.Sum()} by {appended.Count} accepted requests; by refused requests: {appended.Keys.Count(refused.Contains)}"));
        Figures.Record(string.Create(CultureInfo.InvariantCulture,
            $"[fuzz] seed {Seed}: {all.Count} requests on every command; {all.Count(o => o.Status < 300)} 2xx, {all.Count(o => o.Status is >= 400 and < 500)} 4xx, {all.Count(o => o.Status >= 500)} 5xx; every refusal problem+json: {all.Where(o => o.Status >= 400).All(o => o.MediaType == "application/problem+json")}; events appended by refused requests: {appended.Keys.Count(refused.Contains)}"));
        output.WriteLine("by command:");
        foreach (var group in all.GroupBy(o => o.Request.Operation).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {group.Key,-28} {Classes(group)}");
        }

        output.WriteLine("by mutation:");
        foreach (var group in all.GroupBy(o => o.Request.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {group.Key,-28} {Classes(group)}");
        }

        foreach (var unnamed in all.Where(o => o.Status == 400 && o.Text is not null).Take(10))
        {
            output.WriteLine($"400 naming no field: {unnamed.Request.Operation} {unnamed.Request.Kind}: {Shorten(unnamed.Text)}");
        }
    }

    private static string Examples(string what, List<Outcome> outcomes) =>
        $"{outcomes.Count} requests {what}; the first:\n" + string.Join("\n", outcomes.Take(10).Select(o =>
            $"{o.Request.Operation} {o.Request.Kind} {o.Request.Url} [{o.Request.ContentType}] {Shorten(o.Request.Body is null ? "" : Encoding.UTF8.GetString(o.Request.Body))}\n  → {o.Status} {o.MediaType}: {Shorten(o.Text)}"));

    private static string Shorten(string? text) => text is null ? "" : text.Length > 300 ? text[..300] + "…" : text;
}
