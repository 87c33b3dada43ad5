using IdlibLedger.ClientTests.Fixtures;
using IdlibLedger.Client;
using IdlibLedger.Client.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Shouldly;

namespace IdlibLedger.ClientTests;

/// <summary>
/// The C# client Kiota generates from docs/openapi.json, used as a client developer would: typed requests and
/// typed answers, no JSON written by hand. The scenario is the one the TypeScript client runs too.
/// </summary>
[Collection(RunningLedgerGroup.Name)]
public sealed class kiota_client(RunningLedger ledger)
{
    [Fact]
    public async Task reports_corrects_and_reads_back_an_attack_and_a_control_change()
    {
        using var http = ledger.Client();
        var client = new LedgerClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = ledger.BaseAddress.ToString().TrimEnd('/'),
        });

        var reported = await client.Api.Attacks.PostAsync(new ReportAttack
        {
            Perpetrator = "Syrian Arab Army",
            Targets = ["Turkish Armed Forces"],
            EventType = EventType.ExplosionsRemoteViolence,
            Location = new GeoJsonPoint { Type = GeoJsonPoint_type.Point, Coordinates = [36.78, 35.93] },
            LocationPrecision = LocationPrecision.Within25km,
            OccurredAt = new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero),
            DatePrecision = DatePrecision.Day,
            Description = "Regime shelling near Taftanaz kills Turkish soldiers (Kiota client)",
            Sources = [new Source { Outlet = "Daily Sabah", Title = "Turkey expects Russia to halt regime attacks" }],
            Casualties = [new CategoryCasualties { Category = CasualtyCategory.Military, Party = "Turkish Armed Forces", Killed = new Estimate { Low = 5, Best = 5, High = 5 } }],
            ReportedBy = "desk-kiota",
        });
        reported.ShouldNotBeNull();
        reported.Version.ShouldBe(1);
        var attack = reported.Id!.Value;

        var changed = await client.Api.ControlChanges.PostAsync(new RecordControlChange
        {
            Actor = "Syrian Arab Army",
            Area = new RecordControlChange.RecordControlChange_area
            {
                GeoJsonPolygon = new GeoJsonPolygon
                {
                    Type = GeoJsonPolygon_type.Polygon,
                    // Kiota 1.38 types no array of arrays (a Polygon's rings of positions): it makes them UntypedNode.
                    Coordinates = new UntypedArray([Ring((36.6, 35.8), (36.9, 35.8), (36.9, 36.0), (36.6, 36.0), (36.6, 35.8))]),
                },
            },
            OccurredAt = new DateTimeOffset(2020, 2, 1, 0, 0, 0, TimeSpan.Zero),
            Sources = [new Source { Outlet = "Reuters" }],
            ReportedBy = "desk-kiota",
        });
        changed.ShouldNotBeNull();
        changed.Version.ShouldBe(1);

        var corrected = await client.Api.Attacks[attack].Corrections.PostAsync(new CorrectAttackReport
        {
            ExpectedVersion = reported.Version,
            Reason = "The Turkish Ministry of Defence confirmed seven killed",
            Casualties = [new CategoryCasualties { Category = CasualtyCategory.Military, Party = "Turkish Armed Forces", Killed = new Estimate { Low = 7, Best = 7, High = 7 } }],
        });
        corrected.ShouldNotBeNull();
        corrected.Version.ShouldBe(2);

        // The TypeScript client reports for another perpetrator on the same ledger.
        var totals = await client.Api.Casualties.Totals.GetAsync(query => query.QueryParameters.Perpetrator = "Syrian Arab Army");
        totals.ShouldNotBeNull();
        totals.Attacks.ShouldBe(1);
        totals.Killed!.Best.ShouldBe(7);

        var map = await client.Api.ControlMap.GetAsync(query => query.QueryParameters.At = "2020-03-01");
        map.ShouldNotBeNull();
        map.Type.ShouldBe(GeoJsonFeatureCollection_type.FeatureCollection);
        map.Features.ShouldNotBeNull().ShouldNotBeEmpty();

        var details = await client.Api.Attacks[attack].GetAsync();
        details.ShouldNotBeNull();
        details.Report!.Version.ShouldBe(2);
        details.Report.Facts!.Perpetrator.ShouldBe("Syrian Arab Army");
        details.Report.Facts.Location!.Coordinates.ShouldBe([36.78, 35.93]);
        details.Report.Facts.Occurrence!.OccurredAt.ShouldBe(new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero));
        details.Report.Facts.Casualties!.Single().Killed!.Best.ShouldBe(7);
    }

    private static UntypedArray Ring(params (double Lon, double Lat)[] positions) =>
        new([.. positions.Select(p => new UntypedArray([new UntypedDouble(p.Lon), new UntypedDouble(p.Lat)]))]);
}
