using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Attacks;

/// <summary>docs/api.md: an attack's point lies in Ledger:AreaOfInterest, the box every geometry lies in.</summary>
public sealed class the_area_of_interest(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task an_idlib_ledger_refuses_a_point_with_longitude_and_latitude_swapped_naming_the_coordinates()
    {
        await using var host = await Ledger.StartHostAsync("ledger_area", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Ledger:AreaOfInterest"] = "35.9,35.3,37.2,36.3",
        });
        using var desk = host.Client("desk-gaziantep", Roles.Reporter);
        var swapped = Given.Report(b => b["location"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(35.93, 36.78) });

        using var refused = await desk.PostAsync("/api/attacks", new StringContent(swapped.ToJsonString(), Encoding.UTF8, "application/json"));
        using var accepted = await desk.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json"));

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        errors.ShouldContainKey("location.coordinates");
        errors["location.coordinates"]![0]!.GetValue<string>().ShouldContain("outside the area of interest: longitude 35.9 to 37.2, latitude 35.3 to 36.3");
        accepted.StatusCode.ShouldBe(HttpStatusCode.Created);
    }
}
