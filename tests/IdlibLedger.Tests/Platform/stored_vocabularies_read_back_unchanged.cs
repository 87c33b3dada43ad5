using System.Text;
using System.Text.Json;
using IdlibLedger.Casualties.Figures;
using IdlibLedger.Common;
using IdlibLedger.Territory.Negotiations;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Tests.Fixtures;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>
/// Vocabularies that events held as strings are enums now. An event the store wrote with the string form (the old
/// types, copied below) reads back into the enums and is written again byte for byte, by the store's own serializer,
/// so the seals and the hash chain of the events already stored still verify.
/// </summary>
[Collection(LedgerTestGroup.Name)]
public sealed class stored_vocabularies_read_back_unchanged(LedgerFixture ledger)
{
    private sealed record OldCasualtyFigureReported(
        Guid FigureId, Source Source, string Metric, string Category, string Qualifier, long? Value, long? Low, long? High,
        DateOnly PeriodFrom, DateOnly PeriodUntil, string Area, string ReportedBy);

    private sealed record OldObservationPostStatusChanged(Guid PostId, string Status, DateTimeOffset OccurredAt, string Reason);

    private sealed record OldDelegation(string? Party, IReadOnlyList<string>? Composition, string? Lead = null);

    private sealed record OldNegotiationRoundOpened(
        Guid RoundId, string? Name, IReadOnlyList<string> Parties, IReadOnlyList<OldDelegation> Delegations, IReadOnlyList<string> Agenda, DateOnly HeldOn, string? Place);

    private static readonly Guid Id = Guid.Parse("0196b3c1-0000-7000-8000-000000000001");

    public static TheoryData<string, object, Type> OldEvents()
    {
        var source = new Source("UN OCHA", new DateOnly(2020, 3, 1), "North-west Syria: flash update", "https://reliefweb.int/report/syria");
        var data = new TheoryData<string, object, Type>();
        foreach (var (metric, category, qualifier) in new[] { ("killed", "civilian", "at-least"), ("injured", "military", "exactly"), ("displaced", "all", "up-to"), ("killed", "unknown", "about") })
        {
            data.Add($"figure {metric}/{category}/{qualifier}", new OldCasualtyFigureReported(
                Id, source, metric, category, qualifier, 1_700, null, null, new DateOnly(2019, 4, 29), new DateOnly(2020, 1, 31), "north-west Syria", "desk-un"),
                typeof(CasualtyFigureReported));
            data.Add($"figure range {metric}/{category}/{qualifier}", new OldCasualtyFigureReported(
                Id, source, metric, category, qualifier, null, 900_000, 950_000, new DateOnly(2019, 12, 1), new DateOnly(2020, 2, 29), "Idlib", "desk-un"),
                typeof(CasualtyFigureReported));
        }

        foreach (var status in new[] { "active", "encircled", "withdrawn" })
        {
            data.Add($"post {status}", new OldObservationPostStatusChanged(Id, status, new DateTimeOffset(2020, 2, 10, 14, 30, 0, TimeSpan.Zero), "regime advance around Morek"),
                typeof(ObservationPostStatusChanged));
        }

        data.Add("negotiation round", new OldNegotiationRoundOpened(
            Id, "Astana XIV", ["Turkey", "Russia"],
            [new OldDelegation("Turkey", ["military", "intelligence"]), new OldDelegation("Russia", ["military", "intelligence", "diplomatic"], "Lavrentiev")],
            ["Idlib"], new DateOnly(2020, 2, 17), "Moscow"),
            typeof(NegotiationRoundOpened));
        return data;
    }

    [Theory]
    [MemberData(nameof(OldEvents))]
    public void an_event_stored_with_the_string_form_reads_back_and_is_written_the_same(string @case, object stored, Type eventType)
    {
        var serializer = ledger.Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        var json = serializer.ToJson(stored);

        using var bytes = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var read = serializer.FromJson(eventType, bytes);

        read.ShouldBeOfType(eventType, @case);
        serializer.ToJson(read).ShouldBe(json, @case);
    }

    [Fact]
    public void the_enums_are_written_by_their_wire_names_in_events()
    {
        var serializer = ledger.Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        using var written = JsonDocument.Parse(serializer.ToJson(new ObservationPostStatusChanged(Id, ObservationPostStatus.Encircled, DateTimeOffset.UnixEpoch, "cut off")));

        written.RootElement.GetProperty("status").GetString().ShouldBe("encircled");
    }
}
