using System.Globalization;
using System.Text.Json.Nodes;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Tests.Fixtures;
using Npgsql;
using Shouldly;

namespace IdlibLedger.Tests.Casualties;

/// <summary>
/// Casualty totals without a place filter are read from pre-aggregated day cells plus the versions near the
/// boundaries; with a bounding box they sum every version. Over random histories spread across days and hours
/// (reports, late reports, corrections of figures, perpetrator and date, retractions), both paths must give the same
/// answer at random (at, asOf) — exact recording instants, a microsecond before them, midnight, anywhere — for every
/// grouping the cells carry, with and without a perpetrator filter.
/// </summary>
public sealed class totals_from_cells_equal_a_scan(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static readonly string[] Perpetrators = ["Syrian Arab Army", "Russian Air Force", "Hay'at Tahrir al-Sham"];

    private static readonly string[] Parties = ["Turkish Armed Forces", "Syrian Arab Army", "National Liberation Front"];

    /// <summary>A box around the whole world: the same attacks, but it sends totals down the scanning path.</summary>
    private const string World = "-180,-90,180,90";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task every_grouping_at_random_at_and_as_of_equals_the_scan(int seed)
    {
        var random = new Random(seed);
        var now = new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 24 * 60));
        var recorded = new List<DateTimeOffset>();
        var occurred = new List<DateTimeOffset>();
        var attacks = new List<(Guid Id, int Version)>();
        for (var step = 0; step < 30; step++)
        {
            // Steps of a minute to two days, so that versions share days and cross midnights; some land on midnight.
            now = random.Next(5) == 0 ? Midnight(now).AddDays(1) : now.AddMinutes(random.Next(1, 48 * 60));
            Ledger.Clock.Set(now);
            recorded.Add(now);
            var roll = random.Next(100);
            if (attacks.Count > 2 && roll < 30)
            {
                var index = random.Next(attacks.Count);
                var (id, version) = attacks[index];
                var when = Occurred(random, now);
                occurred.Add(when);
                await Host.CorrectedAsync(id, new JsonObject
                {
                    ["expectedVersion"] = version,
                    ["reason"] = "revised figures",
                    ["casualties"] = Casualties(random),
                    ["perpetrator"] = Perpetrators[random.Next(Perpetrators.Length)],
                    ["occurredAt"] = Iso(when),
                });
                attacks[index] = (id, version + 1);
            }
            else if (attacks.Count > 2 && roll < 40)
            {
                var index = random.Next(attacks.Count);
                var (id, version) = attacks[index];
                using var retraction = await Host.PostJsonAsync($"/api/attacks/{id}/retraction", new JsonObject { ["expectedVersion"] = version, ["reason"] = "withdrawn" });
                retraction.IsSuccessStatusCode.ShouldBeTrue(await retraction.Content.ReadAsStringAsync());
                attacks.RemoveAt(index);
            }
            else
            {
                var when = Occurred(random, now);
                occurred.Add(when);
                var id = await Host.ReportedAttackAsync(Given.Report(b =>
                {
                    b["perpetrator"] = Perpetrators[random.Next(Perpetrators.Length)];
                    b["occurredAt"] = Iso(when);
                    b["datePrecision"] = random.Next(2) == 0 ? "exact" : "day";
                    b["casualties"] = Casualties(random);
                }));
                attacks.Add((id, 1));
            }
        }

        for (var probe = 0; probe < 30; probe++)
        {
            var asOf = Instant(random, recorded);
            var at = Instant(random, occurred);
            foreach (var groupBy in new string?[] { null, "perpetrator", "category", "party", "month" })
            {
                foreach (var perpetrator in new string?[] { null, Perpetrators[random.Next(Perpetrators.Length)] })
                {
                    var query = $"at={Uri.EscapeDataString(Iso(at))}&asOf={Uri.EscapeDataString(Iso(asOf))}"
                        + (groupBy is null ? string.Empty : $"&groupBy={groupBy}")
                        + (perpetrator is null ? string.Empty : $"&perpetrator={Uri.EscapeDataString(perpetrator)}");
                    var cells = await Host.GetJsonAsync($"/api/casualties/totals?{query}");
                    var scan = await Host.GetJsonAsync($"/api/casualties/totals?{query}&bbox={World}");
                    scan.Remove("bbox");
                    cells.Remove("bbox");
                    JsonNode.DeepEquals(cells, scan).ShouldBeTrue($"seed {seed}, {query}\n  cells {cells.ToJsonString()}\n  scan  {scan.ToJsonString()}");
                }
            }
        }
    }

    [Fact]
    public async Task reports_of_one_month_written_at_once_all_count_before_and_after_their_deltas_fold_into_the_cells()
    {
        // Holding the fold's lock keeps every change in the deltas, as between two folds of the service.
        await using var connection = new NpgsqlConnection(Ledger.ConnectionString);
        await connection.OpenAsync();
        await using (var hold = new NpgsqlCommand($"select pg_advisory_lock({CasualtyCells.FoldLock(LedgerFixture.Schema)})", connection))
        {
            await hold.ExecuteNonQueryAsync();
        }

        // Sixteen writers on the same cells (same month, day, perpetrator and category) at once.
        await Task.WhenAll(Enumerable.Range(1, 16).Select(i => Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["occurredAt"] = "2020-02-10";
            b["casualties"] = Given.Killed("civilian", null, i, i, i);
        }))));
        ((long)(await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.{CasualtyCells.TableName}"))!).ShouldBe(0);
        ((long)(await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.{CasualtyCells.DeltasTableName}"))!).ShouldBeGreaterThan(0);
        var unfolded = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");

        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({CasualtyCells.FoldLock(LedgerFixture.Schema)})", connection))
        {
            await release.ExecuteNonQueryAsync();
        }

        await Ledger.CellsFoldedAsync();
        ((long)(await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.{CasualtyCells.DeltasTableName}"))!).ShouldBe(0);
        var folded = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");

        foreach (var instant in new[] { "at", "asOf" })
        {
            unfolded.Remove(instant);
            folded.Remove(instant);
        }

        unfolded["attacks"]!.GetValue<long>().ShouldBe(16);
        unfolded["killed"]!["best"]!.GetValue<long>().ShouldBe(Enumerable.Range(1, 16).Sum());
        JsonNode.DeepEquals(unfolded, folded).ShouldBeTrue($"unfolded {unfolded.ToJsonString()}\n  folded {folded.ToJsonString()}");
    }

    private static DateTimeOffset Occurred(Random random, DateTimeOffset now) =>
        random.Next(8) == 0 ? Midnight(now).AddDays(-random.Next(0, 6)) : now.AddMinutes(-random.Next(0, 6 * 24 * 60));

    private static DateTimeOffset Midnight(DateTimeOffset instant) => new(instant.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>
    /// One of the given instants, a microsecond before one, its midnight, its month's first or sixteenth day (the month
    /// boundaries of the category and party cells), or anywhere around them.
    /// </summary>
    private static DateTimeOffset Instant(Random random, List<DateTimeOffset> instants)
    {
        var pick = instants[random.Next(instants.Count)];
        return random.Next(7) switch
        {
            0 => pick,
            1 => pick.AddTicks(-TimeSpan.TicksPerMicrosecond),
            2 => Midnight(pick),
            3 => Midnight(pick).AddDays(1).AddTicks(-TimeSpan.TicksPerMicrosecond),
            4 => new DateTimeOffset(pick.Year, pick.Month, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-TimeSpan.TicksPerMicrosecond * random.Next(2)),
            5 => new DateTimeOffset(pick.Year, pick.Month, 16, 0, 0, 0, TimeSpan.Zero).AddTicks(-TimeSpan.TicksPerMicrosecond * random.Next(2)),
            _ => pick.AddMinutes(random.Next(-3 * 24 * 60, 3 * 24 * 60)),
        };
    }

    private static JsonArray Casualties(Random random)
    {
        var casualties = new JsonArray();
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            var low = random.Next(0, 6);
            var military = random.Next(2) == 0;
            casualties.Add(new JsonObject
            {
                ["category"] = military ? "military" : "civilian",
                ["party"] = military ? Parties[random.Next(Parties.Length)] : null,
                ["killed"] = new JsonObject { ["low"] = low, ["best"] = low + random.Next(3), ["high"] = low + 3 + random.Next(3) },
                ["injured"] = random.Next(0, 4),
            });
        }

        return casualties;
    }

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
}
