using System.Net;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>The CSV export writes each attack as it reads it from the timeline, never the whole file in memory first.</summary>
public sealed class exporting_attacks_as_csv(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task the_file_is_streamed_without_a_length_known_beforehand_and_holds_every_row()
    {
        var rows = Enumerable.Range(0, 300).Select(i => GedFile.Row($"x{i}", ("date_start", $"2019-{1 + (i % 12):00}-01"), ("date_end", $"2019-{1 + (i % 12):00}-01"))).ToArray();
        using var client = Host.Client();
        (await client.PostAsync("/api/imports/ucdp-ged", GedFile.Content(GedFile.Of(rows)))).EnsureSuccessStatusCode();

        using var response = await client.GetAsync("/api/exports/attacks.csv", HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        // A body built first would be sent with its length; a streamed one cannot know it.
        response.Content.Headers.ContentLength.ShouldBeNull();
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(301);
        lines[0].ShouldStartWith("id,type_of_violence,dyad_name");
        lines.Skip(1).Select(l => l.Split(',')[13]).ShouldBeInOrder();
    }

    [Fact]
    public async Task a_filter_that_does_not_read_is_still_a_400_before_anything_is_written()
    {
        await Ledger.RefusedAsync(HttpMethod.Get, "/api/exports/attacks.csv?from=yesterday", null, HttpStatusCode.BadRequest, "from=yesterday");
    }
}
