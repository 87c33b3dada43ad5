using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// Every ceasefire and corridor command refuses bad input with a 400 ProblemDetails naming the field, and appends
/// nothing (the event count, regions included, is the same after the request as before).
/// </summary>
public sealed class bad_ceasefire_commands_are_refused(LedgerFixture ledger) : CeasefireTest(ledger)
{
    /// <summary>The ledger's "now" in these tests, so that "in the future" is a fixed date.</summary>
    private static readonly DateTimeOffset Now = On(3, 21);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Ledger.Clock.Set(Now);
    }

    private static void Add(TheoryData<string, string, string, string?> rows, string @case, JsonObject body, string field, string? says = null) =>
        rows.Add(@case, body.ToJsonString(), field, says);

    // ---- POST /api/ceasefires -------------------------------------------------------------------------------------

    public static TheoryData<string, string, string, string?> BadDeclarations()
    {
        var rows = new TheoryData<string, string, string, string?>();
        Add(rows, "declaredBy missing", Ceasefire(b => b.Remove("declaredBy")), "declaredBy");
        Add(rows, "parties missing", Ceasefire(b => b.Remove("parties")), "parties", "at least one party");
        Add(rows, "no parties", Ceasefire(b => b["parties"] = new JsonArray()), "parties", "at least one party");
        Add(rows, "a blank party", Ceasefire(b => b["parties"] = new JsonArray(Regime, " ")), "parties[1]");
        Add(rows, "effectiveFrom missing", Ceasefire(b => b.Remove("effectiveFrom")), "effectiveFrom");
        Add(rows, "effectiveUntil before effectiveFrom", Ceasefire(b => b["effectiveUntil"] = "2020-03-01T00:00:00Z"), "effectiveUntil", "after effectiveFrom");
        Add(rows, "effectiveUntil at effectiveFrom", Ceasefire(b => b["effectiveUntil"] = EffectiveFrom), "effectiveUntil", "after effectiveFrom");
        Add(rows, "area and region", Ceasefire(b => b["region"] = "idlib"), "region", "not both");
        Add(rows, "self-intersecting area", Ceasefire(b => b["area"] = GivenTerritory.BowTie()), "area", "Self-intersection at or near point (36.5 35.9)");
        Add(rows, "unclosed area", Ceasefire(b => b["area"] = GivenTerritory.UnclosedRing()), "area.coordinates[0]", "not closed");
        Add(rows, "area longitude 200", Ceasefire(b => b["area"] = GivenTerritory.OutOfRange()), "area.coordinates[0][1][0]", "outside [-180, 180]");
        Add(rows, "area a point", Ceasefire(b => b["area"] = GivenTerritory.Point(36.6, 35.8)), "area.type", "not accepted here");
        Add(rows, "unknown region", Ceasefire(b =>
        {
            b.Remove("area");
            b["region"] = "atlantis";
        }), "region", "no region 'atlantis'");
        Add(rows, "unknown agreement", Ceasefire(b =>
        {
            b.Remove("area");
            b["implementsAgreementId"] = "0195a3c4-2f00-7000-8000-0000000000aa";
        }), "implementsAgreementId", "no agreement");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadDeclarations))]
    public async Task a_bad_declaration_is_400_naming_the_field(string @case, string body, string field, string? says)
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Post, "/api/ceasefires", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, says, @case);
    }

    // ---- extension, collapse, violations --------------------------------------------------------------------------

    public static TheoryData<string, string, string, string, string?> BadCeasefireCommands()
    {
        var rows = new TheoryData<string, string, string, string, string?>();
        void AddRow(string @case, string command, JsonObject body, string field, string? says = null) =>
            rows.Add(@case, command, body.ToJsonString(), field, says);

        AddRow("extension without a reason", "extension", new JsonObject { ["effectiveUntil"] = "2020-05-06T00:00:00Z" }, "reason");
        AddRow("extension with a blank reason", "extension", Extension("2020-05-06T00:00:00Z", reason: " "), "reason");
        AddRow("collapse without a reason", "collapse", new JsonObject { ["endedAt"] = "2020-03-20T00:00:00Z" }, "reason");
        AddRow("collapse in the future", "collapse", Collapse("2020-03-25T00:00:00Z"), "endedAt", "future");
        foreach (var required in new[] { "by", "occurredAt", "description", "sources" })
        {
            var body = Violation(Regime, "2020-03-12T04:00:00Z");
            body.Remove(required);
            AddRow($"violation without {required}", "violations", body, required);
        }

        var noSources = Violation(Regime, "2020-03-12T04:00:00Z");
        noSources["sources"] = new JsonArray();
        AddRow("violation with no sources", "violations", noSources, "sources", "at least one source");
        AddRow("violation in the future", "violations", Violation(Regime, "2020-03-25T00:00:00Z"), "occurredAt", "future");
        var sourceWithoutOutlet = Violation(Regime, "2020-03-12T04:00:00Z");
        sourceWithoutOutlet["sources"] = new JsonArray(new JsonObject { ["title"] = "no outlet" });
        AddRow("violation source without an outlet", "violations", sourceWithoutOutlet, "sources[0].outlet");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadCeasefireCommands))]
    public async Task a_bad_command_on_a_ceasefire_is_400_naming_the_field(string @case, string command, string body, string field, string? says)
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync();
        Ledger.Clock.Set(Now);

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, $"/api/ceasefires/{id}/{command}", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, says, @case);
    }

    // ---- corridors ------------------------------------------------------------------------------------------------

    public static TheoryData<string, string, string, string?> BadCorridors()
    {
        var rows = new TheoryData<string, string, string, string?>();
        Add(rows, "name missing", Corridor().Also(b => b.Remove("name")), "name");
        Add(rows, "route missing", Corridor().Also(b => b.Remove("route")), "route");
        Add(rows, "opensAt missing", Corridor().Also(b => b.Remove("opensAt")), "opensAt");
        Add(rows, "a polygon route", Corridor(GivenTerritory.Box(36.6, 35.7, 36.7, 35.8)), "route.type", "not accepted here");
        Add(rows, "a route of one position", Corridor(GivenTerritory.Line((36.6, 35.7))), "route.coordinates", "at least 2 positions");
        Add(rows, "route longitude 200", Corridor(GivenTerritory.Line((36.6, 35.7), (200, 35.8))), "route.coordinates[1][0]", "outside [-180, 180]");
        Add(rows, "closesAt before opensAt", Corridor(closesAt: "2020-03-09T00:00:00Z"), "closesAt", "after opensAt");
        Add(rows, "closesAt at opensAt", Corridor(closesAt: "2020-03-10T06:00:00Z"), "closesAt", "after opensAt");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadCorridors))]
    public async Task a_bad_corridor_is_400_naming_the_field_even_under_a_ceasefire(string @case, string body, string field, string? says)
    {
        Ledger.Clock.Set(On(3, 5));
        await Host.DeclaredCeasefireAsync();
        Ledger.Clock.Set(Now);

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, "/api/corridors", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, says, @case);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"reason": ""}""")]
    public async Task a_closure_without_a_reason_is_400_naming_the_field(string body)
    {
        Ledger.Clock.Set(On(3, 5));
        await Host.DeclaredCeasefireAsync();
        var corridor = await Host.OpenedCorridorAsync();
        Ledger.Clock.Set(Now);

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, $"/api/corridors/{corridor}/closure", body, HttpStatusCode.BadRequest, body);

        problem.ShouldNameField("reason", null, body);
    }
}
