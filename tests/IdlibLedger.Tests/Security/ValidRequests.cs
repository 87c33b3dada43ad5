using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Ceasefires;
using IdlibLedger.Tests.Claims;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;

namespace IdlibLedger.Tests.Security;

/// <summary>One request per OpenAPI operation that the service answers with 2xx, prerequisites included.</summary>
/// <remarks>
/// The bodies are those of the "given" helpers (<see cref="Given"/>, <see cref="GivenTerritory"/>,
/// <see cref="GivenCeasefires"/>, <see cref="GivenClaims"/>), posted here with plain <see cref="HttpClient"/>s. Every
/// factory creates its own prerequisites, so it can be invoked any number of times on the same database. Regions are
/// the exception to "nothing stays": <c>RegisterRegion</c>, <c>GetRegion</c> and <c>GetControlShares</c> register
/// <c>test-…</c> regions, which <see cref="GivenTerritory.ForgetTestRegionsAsync"/> removes.
/// </remarks>
public static class ValidRequests
{
    /// <summary>
    /// By operationId. <c>setup</c> may do anything (it holds every role); it creates what the request needs.
    /// <c>caller</c> is the client that will send the returned request: resources the caller must OWN (an attack
    /// report that the request corrects or retracts) are created with <c>caller</c>, everything else with <c>setup</c>.
    /// The returned request is not sent by the factory.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<HttpClient, HttpClient, Task<HttpRequestMessage>>> ByOperation { get; } =
        new Dictionary<string, Func<HttpClient, HttpClient, Task<HttpRequestMessage>>>(StringComparer.Ordinal)
        {
            // ---- Attacks ------------------------------------------------------------------------------------------
            ["ReportAttack"] = (_, _) => Ready(Post("/api/attacks", Given.Report())),
            ["ReportAttacksInBatch"] = (_, _) => Ready(Post("/api/attacks/batch", new JsonArray(Given.Report(), Given.Report(b => b["occurredAt"] = "2020-02-11")))),
            ["CorrectAttackReport"] = (_, caller) => CorrectAttackReportAsync(caller),
            ["RetractAttackReport"] = (_, caller) => RetractAttackReportAsync(caller),
            ["DisputeAttackReport"] = async (setup, _) => Post($"/api/attacks/{(await AttackAsync(setup)).Id}/disputes", GivenClaims.Dispute()),
            ["GetAttack"] = async (setup, _) => Get($"/api/attacks/{(await AttackAsync(setup)).Id}"),
            ["ListAttacks"] = (_, _) => Ready(Get("/api/attacks?page=1&pageSize=10")),
            ["ListAttackChanges"] = (_, _) => Ready(Get("/api/attacks/changes?since=2020-01-01&page=1&pageSize=10")),
            ["GetLedgerExtent"] = (_, _) => Ready(Get("/api/extent")),

            // ---- Casualties ---------------------------------------------------------------------------------------
            ["GetCasualtyTotals"] = (_, _) => Ready(Get("/api/casualties/totals?groupBy=perpetrator")),
            ["ReportCasualtyFigure"] = (_, _) => Ready(Post("/api/casualty-figures", GivenClaims.UnFigure())),
            ["GetCasualtyFigure"] = async (setup, _) => Get($"/api/casualty-figures/{await CreatedAsync(setup, "/api/casualty-figures", GivenClaims.UnFigure())}"),
            ["CorrectCasualtyFigure"] = async (_, caller) => Post(
                $"/api/casualty-figures/{await CreatedAsync(caller, "/api/casualty-figures", GivenClaims.UnFigure())}/corrections",
                new JsonObject { ["expectedVersion"] = 1, ["reason"] = "the UN statement covers the period from 29 April", ["periodFrom"] = "2019-04-29" }),
            ["RetractCasualtyFigure"] = async (_, caller) => Retraction($"/api/casualty-figures/{await CreatedAsync(caller, "/api/casualty-figures", GivenClaims.UnFigure())}"),

            // ---- Ceasefires and corridors -------------------------------------------------------------------------
            ["DeclareCeasefire"] = (_, _) => Ready(Post("/api/ceasefires", GivenCeasefires.Ceasefire())),
            ["GetCeasefire"] = async (setup, _) => Get($"/api/ceasefires/{await CeasefireAsync(setup)}"),
            ["ListCeasefires"] = (_, _) => Ready(Get("/api/ceasefires")),
            ["ExtendCeasefire"] = async (setup, _) => Post($"/api/ceasefires/{await CeasefireAsync(setup)}/extension", GivenCeasefires.Extension("2020-05-06T00:00:00Z", extendedAt: "2020-04-01T00:00:00Z")),
            ["EndCeasefire"] = async (setup, _) => Post($"/api/ceasefires/{await CeasefireAsync(setup)}/collapse", GivenCeasefires.Collapse("2020-03-20T00:00:00Z")),
            ["ReportCeasefireViolation"] = async (setup, _) =>
                Post($"/api/ceasefires/{await CeasefireAsync(setup)}/violations", GivenCeasefires.Violation(GivenCeasefires.Regime, "2020-03-10T08:00:00Z")),
            ["OpenCorridor"] = async (setup, _) =>
            {
                await CeasefireAsync(setup);
                return Post("/api/corridors", GivenCeasefires.Corridor());
            },
            ["CloseCorridor"] = async (setup, _) => Post($"/api/corridors/{await CorridorAsync(setup)}/closure", new JsonObject { ["reason"] = "shelling on the route" }),
            ["ListCorridors"] = (_, _) => Ready(Get("/api/corridors")),
            ["GetCorridor"] = async (setup, _) => Get($"/api/corridors/{await CorridorAsync(setup)}"),
            ["CorrectCeasefire"] = async (_, caller) => Revision(await ReceiptAsync(caller, "/api/ceasefires", GivenCeasefires.Ceasefire()), "/api/ceasefires", "corrections",
                new JsonObject { ["reason"] = "the protocol's published text", ["terms"] = "Cessation of all military actions along the line of contact" }),
            ["RetractCeasefire"] = async (_, caller) => Revision(await ReceiptAsync(caller, "/api/ceasefires", GivenCeasefires.Ceasefire()), "/api/ceasefires", "retraction",
                new JsonObject { ["reason"] = "declared twice" }),
            ["CorrectCorridor"] = async (setup, caller) =>
            {
                await CeasefireAsync(setup);
                return Revision(await ReceiptAsync(caller, "/api/corridors", GivenCeasefires.Corridor()), "/api/corridors", "corrections",
                    new JsonObject { ["reason"] = "the name the UN uses", ["name"] = "M4 humanitarian passage" });
            },
            ["RetractCorridor"] = async (setup, caller) =>
            {
                await CeasefireAsync(setup);
                return Revision(await ReceiptAsync(caller, "/api/corridors", GivenCeasefires.Corridor()), "/api/corridors", "retraction", new JsonObject { ["reason"] = "opened twice" });
            },

            // ---- Territory: regions, agreements, control -----------------------------------------------------------
            ["RegisterRegion"] = (_, _) => Ready(Post("/api/regions", GivenTerritory.Region(GivenTerritory.FreshRegionId(), RegionBox()))),
            ["ListRegions"] = (_, _) => Ready(Get("/api/regions")),
            ["GetRegionMap"] = (_, _) => Ready(Get("/api/region-map?level=governorate")),
            ["GetRegion"] = async (setup, _) => Get($"/api/regions/{await RegionAsync(setup)}"),
            ["CorrectRegion"] = async (setup, _) => Post($"/api/regions/{await RegionAsync(setup)}/corrections",
                new JsonObject { ["expectedVersion"] = 1, ["reason"] = "the district's name as OCHA writes it", ["name"] = "Test region (renamed)" }),
            ["RetractRegion"] = async (setup, _) => Post($"/api/regions/{await RegionAsync(setup)}/retraction",
                new JsonObject { ["expectedVersion"] = 1, ["reason"] = "registered twice under two ids" }),
            ["RegisterAgreement"] = (_, _) => Ready(Post("/api/agreements", GivenTerritory.Agreement())),
            ["GetAgreement"] = async (setup, _) => Get($"/api/agreements/{await CreatedAsync(setup, "/api/agreements", GivenTerritory.Agreement())}"),
            ["CorrectAgreement"] = async (_, caller) => Post(
                $"/api/agreements/{await CreatedAsync(caller, "/api/agreements", GivenTerritory.Agreement())}/corrections",
                new JsonObject { ["expectedVersion"] = 1, ["reason"] = "signed a day later", ["signedOn"] = "2018-09-18" }),
            ["RetractAgreement"] = async (_, caller) => Retraction($"/api/agreements/{await CreatedAsync(caller, "/api/agreements", GivenTerritory.Agreement())}"),
            ["RecordControlChange"] = (_, _) => Ready(Post("/api/control-changes", ControlChange())),
            ["GetControlChange"] = async (setup, _) => Get($"/api/control-changes/{await CreatedAsync(setup, "/api/control-changes", ControlChange())}"),
            ["CorrectControlChange"] = async (_, caller) => Post($"/api/control-changes/{await CreatedAsync(caller, "/api/control-changes", ControlChange())}/corrections",
                new JsonObject { ["expectedVersion"] = 1, ["reason"] = "the regime took the box a day later", ["occurredAt"] = "2020-02-02" }),
            ["RetractControlChange"] = async (_, caller) => Post($"/api/control-changes/{await CreatedAsync(caller, "/api/control-changes", ControlChange())}/retraction",
                new JsonObject { ["expectedVersion"] = 1, ["reason"] = "the source withdrew its report" }),
            ["GetControlMap"] = (_, _) => Ready(Get("/api/control-map")),
            ["GetControlShares"] = async (setup, _) => Get($"/api/control-map/share?region={await RegionAsync(setup)}"),
            ["GetPointHolder"] = (_, _) => Ready(Get("/api/control-map/holder?lon=36.5&lat=35.9")),

            // ---- Territory: observation posts ----------------------------------------------------------------------
            ["EstablishObservationPost"] = (_, _) => Ready(Post("/api/observation-posts", GivenTerritory.ObservationPost())),
            ["GetObservationPost"] = async (setup, _) => Get($"/api/observation-posts/{await ObservationPostAsync(setup)}"),
            ["ListObservationPosts"] = (_, _) => Ready(Get("/api/observation-posts")),
            ["CorrectObservationPost"] = async (_, caller) => Revision(await ReceiptAsync(caller, "/api/observation-posts", GivenTerritory.ObservationPost()), "/api/observation-posts", "corrections",
                new JsonObject { ["reason"] = "the MoD's spelling", ["name"] = "Murak" }),
            ["RetractObservationPost"] = async (_, caller) => Revision(await ReceiptAsync(caller, "/api/observation-posts", GivenTerritory.ObservationPost()), "/api/observation-posts", "retraction",
                new JsonObject { ["reason"] = "established twice" }),
            ["ChangeObservationPostStatus"] = async (setup, _) =>
                Post($"/api/observation-posts/{await ObservationPostAsync(setup)}/status", new JsonObject { ["status"] = "encircled", ["reason"] = "regime advance around Morek" }),
            ["RelocateObservationPost"] = async (setup, _) =>
                Post($"/api/observation-posts/{await ObservationPostAsync(setup)}/relocation", new JsonObject { ["location"] = GivenTerritory.Point(36.63, 35.43), ["reason"] = "moved north" }),

            // ---- Territory: negotiations and proposals -------------------------------------------------------------
            ["OpenNegotiationRound"] = (_, _) => Ready(Post("/api/negotiations", GivenTerritory.Negotiation())),
            ["GetNegotiationRound"] = async (setup, _) => Get($"/api/negotiations/{await NegotiationRoundAsync(setup)}"),
            ["CorrectNegotiationRound"] = async (_, caller) => Post(
                $"/api/negotiations/{await NegotiationRoundAsync(caller)}/corrections",
                new JsonObject { ["expectedVersion"] = 1, ["reason"] = "held in Moscow", ["place"] = "Moscow" }),
            ["RetractNegotiationRound"] = async (_, caller) => Retraction($"/api/negotiations/{await NegotiationRoundAsync(caller)}"),
            ["RecordNegotiationOutcome"] = async (setup, _) =>
                Post($"/api/negotiations/{await NegotiationRoundAsync(setup)}/outcome", new JsonObject { ["outcome"] = "joint patrols on the M4", ["concludedOn"] = "2020-03-05" }),
            ["ProposeMap"] = (_, _) => Ready(Post("/api/proposals", GivenTerritory.Proposal())),
            ["GetProposal"] = async (setup, _) => Get($"/api/proposals/{await ProposalAsync(setup)}"),
            ["ListProposals"] = (_, _) => Ready(Get("/api/proposals")),
            ["AcceptProposal"] = async (setup, _) => Post($"/api/proposals/{await ProposalAsync(setup)}/acceptances", GivenTerritory.Answer(GivenTerritory.Turkey, "agreed")),
            ["RejectProposal"] = async (setup, _) => Post($"/api/proposals/{await ProposalAsync(setup)}/rejections", GivenTerritory.Answer(GivenTerritory.Turkey)),
            ["WithdrawProposal"] = async (setup, _) => Post($"/api/proposals/{await ProposalAsync(setup)}/withdrawal", GivenTerritory.Answer(GivenTerritory.Russia, "superseded")),

            // ---- Imports and exports -------------------------------------------------------------------------------
            ["ImportUcdpGed"] = (_, _) => Ready(new HttpRequestMessage(HttpMethod.Post, "/api/imports/ucdp-ged") { Content = new StringContent(UcdpGedFile(), Encoding.UTF8, "text/csv") }),
            ["GetImportRejections"] = async (setup, _) =>
                Get((await SentAsync(setup, new HttpRequestMessage(HttpMethod.Post, "/api/imports/ucdp-ged") { Content = new StringContent(UcdpGedFile(), Encoding.UTF8, "text/csv") }))["rejectionReport"]!.GetValue<string>()),
            ["GetImportWarnings"] = async (setup, _) =>
                Get((await SentAsync(setup, new HttpRequestMessage(HttpMethod.Post, "/api/imports/ucdp-ged") { Content = new StringContent(UcdpGedFile(), Encoding.UTF8, "text/csv") }))["warningReport"]!.GetValue<string>()),
            ["ExportAttacksCsv"] = (_, _) => Ready(Get("/api/exports/attacks.csv")),
            ["ExportAttacksGeoJson"] = (_, _) => Ready(Get("/api/exports/attacks.geojson")),
            ["StreamLedgerEvents"] = (_, _) => Ready(Get("/api/live?seconds=1")),

            // ---- Access: API keys ------------------------------------------------------------------------------------
            ["CreateApiKey"] = (_, _) => Ready(Post("/api/keys", new JsonObject { ["client"] = $"sample-{Guid.NewGuid():N}", ["roles"] = new JsonArray("viewer") })),
            ["ListApiKeys"] = (_, _) => Ready(Get("/api/keys?includeInactive=true")),
            ["GetApiKey"] = async (setup, _) => Get($"/api/keys/{await ApiKeyAsync(setup)}"),
            ["RevokeApiKey"] = async (setup, _) => new HttpRequestMessage(HttpMethod.Post, $"/api/keys/{await ApiKeyAsync(setup)}/revocation"),

            // ---- Audit ---------------------------------------------------------------------------------------------
            ["ReplayEvents"] = (_, _) => Ready(Get("/api/audit/events?limit=10")),
            ["VerifyChain"] = (_, _) => Ready(Get("/api/audit/verify")),
            ["GetAuditKeys"] = (_, _) => Ready(Get("/api/audit/keys")),
            ["CreateCheckpoint"] = async (setup, _) =>
            {
                await CheckpointAsync(setup);
                return new HttpRequestMessage(HttpMethod.Post, "/api/audit/checkpoints");
            },
            ["GetLatestCheckpoint"] = async (setup, _) =>
            {
                await CheckpointAsync(setup);
                return Get("/api/audit/checkpoints/latest");
            },
            ["ListCheckpoints"] = (_, _) => Ready(Get("/api/audit/checkpoints?limit=10")),
            ["CheckConsistency"] = async (setup, _) =>
            {
                var checkpoint = await CheckpointAsync(setup);
                return Get($"/api/audit/consistency?sequence={checkpoint["sequence"]!.GetValue<long>()}&hash={checkpoint["hash"]!.GetValue<string>()}");
            },
            ["ExportAuditBundle"] = async (setup, _) =>
            {
                await CheckpointAsync(setup);
                return Get("/api/audit/export");
            },
            ["GetAuditSnapshot"] = (_, _) => Ready(Get("/api/audit/snapshot")),
            ["VerifyReadModels"] = (_, _) => Ready(Get("/api/audit/read-models?limit=10")),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    // ---- factories with more than one step ------------------------------------------------------------------------

    /// <summary>The caller's own report, corrected at the version its receipt gave.</summary>
    private static async Task<HttpRequestMessage> CorrectAttackReportAsync(HttpClient caller)
    {
        var (id, version) = await AttackAsync(caller);
        return Post($"/api/attacks/{id}/corrections", new JsonObject
        {
            ["expectedVersion"] = version,
            ["reason"] = "Turkish MoD figures",
            ["description"] = "Regime shelling near Taftanaz kills Turkish soldiers (corrected)",
        });
    }

    /// <summary>The caller's own report, retracted at the version its receipt gave.</summary>
    private static async Task<HttpRequestMessage> RetractAttackReportAsync(HttpClient caller)
    {
        var (id, version) = await AttackAsync(caller);
        return Post($"/api/attacks/{id}/retraction", new JsonObject { ["expectedVersion"] = version, ["reason"] = "duplicate of an earlier report" });
    }

    /// <summary>A correction or retraction (<paramref name="body"/> with expectedVersion) of the fact whose receipt is <paramref name="fact"/>.</summary>
    private static HttpRequestMessage Revision((Guid Id, long Version) fact, string collection, string revision, JsonObject body)
    {
        body["expectedVersion"] = fact.Version;
        return Post($"{collection}/{fact.Id}/{revision}", body);
    }
    /// <summary>The retraction of the fact at <paramref name="url"/>, at version 1 (its receipt's).</summary>
    private static HttpRequestMessage Retraction(string url) =>
        Post($"{url}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "recorded twice by mistake" });

    // ---- prerequisites, created through the API -------------------------------------------------------------------

    /// <summary>A new Taftanaz report: its id and version (from the receipt).</summary>
    private static Task<(Guid Id, long Version)> AttackAsync(HttpClient client) => ReceiptAsync(client, "/api/attacks", Given.Report());

    /// <summary>The Moscow protocol's ceasefire, in effect 6 March – 6 April 2020 over southern Idlib.</summary>
    private static Task<Guid> CeasefireAsync(HttpClient setup) => CreatedAsync(setup, "/api/ceasefires", GivenCeasefires.Ceasefire());

    /// <summary>The M4 corridor, opened under a new ceasefire that covers its route.</summary>
    private static async Task<Guid> CorridorAsync(HttpClient setup)
    {
        await CeasefireAsync(setup);
        return await CreatedAsync(setup, "/api/corridors", GivenCeasefires.Corridor());
    }

    private static Task<Guid> ObservationPostAsync(HttpClient setup) => CreatedAsync(setup, "/api/observation-posts", GivenTerritory.ObservationPost());

    private static Task<Guid> NegotiationRoundAsync(HttpClient setup) => CreatedAsync(setup, "/api/negotiations", GivenTerritory.Negotiation());

    /// <summary>Russia's map, addressed to Turkey, still tabled.</summary>
    private static Task<Guid> ProposalAsync(HttpClient setup) => CreatedAsync(setup, "/api/proposals", GivenTerritory.Proposal());

    /// <summary>A new <c>test-…</c> region (regions are kept across resets; see the remarks above).</summary>
    private static async Task<string> RegionAsync(HttpClient setup)
    {
        var region = await SentAsync(setup, Post("/api/regions", GivenTerritory.Region(GivenTerritory.FreshRegionId(), RegionBox())));
        return region["id"]!.GetValue<string>();
    }

    /// <summary>
    /// A signed checkpoint, made with <paramref name="setup"/>: proof that the hash chain has a head, which the
    /// checkpoint and export requests need. The chain is an asynchronous projection, so on a ledger with nothing
    /// chained yet this reports an attack (something to chain) and retries until the daemon has caught up.
    /// </summary>
    /// <summary>A new viewer key's id (not the key: the samples only name it).</summary>
    private static async Task<string> ApiKeyAsync(HttpClient setup) =>
        (await SentAsync(setup, Post("/api/keys", new JsonObject { ["client"] = $"sample-{Guid.NewGuid():N}", ["roles"] = new JsonArray("viewer") })))["details"]!["id"]!.GetValue<string>();

    private static async Task<JsonObject> CheckpointAsync(HttpClient setup)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        for (var attempt = 0; ; attempt++)
        {
            using var response = await setup.PostAsync("/api/audit/checkpoints", null);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return JsonNode.Parse(text)!.AsObject();
            }

            if (response.StatusCode != HttpStatusCode.Conflict || DateTimeOffset.UtcNow > deadline)
            {
                throw new InvalidOperationException($"setup: POST /api/audit/checkpoints answered {(int)response.StatusCode}: {text}");
            }

            if (attempt == 0)
            {
                await AttackAsync(setup);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    // ---- bodies not in the given helpers --------------------------------------------------------------------------

    /// <summary>A box inside the governorate of Idleb, for posted regions.</summary>
    private static JsonObject RegionBox() => GivenTerritory.Box(36.4, 35.8, 36.6, 36.0);

    /// <summary>The regime takes a box of southern Idlib on 1 February 2020.</summary>
    private static JsonObject ControlChange() => GivenTerritory.ControlChange(GivenTerritory.Regime, GivenTerritory.Box(36.5, 35.6, 36.8, 35.8), "2020-02-01");

    /// <summary>A UCDP GED file of one row with an id no import has seen, so that every import appends it.</summary>
    private static string UcdpGedFile() => string.Create(CultureInfo.InvariantCulture, $"""
        id,type_of_violence,dyad_name,side_a,side_b,source_office,source_date,source_headline,where_prec,latitude,longitude,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,low,best,high
        samples-{Guid.NewGuid():N},1,Government of Syria - Syrian insurgents,Government of Syria,Syrian insurgents,SOHR,2019-09-01,Clashes near Tah,1,35.54318,36.728542,1,2019-09-01,2019-09-01,0,2,0,0,2,2,2

        """);

    // ---- shared helpers -------------------------------------------------------------------------------------------

    private static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);

    private static HttpRequestMessage Post(string url, JsonNode body) =>
        new(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    private static Task<HttpRequestMessage> Ready(HttpRequestMessage request) => Task.FromResult(request);

    /// <summary>Posts a creating command and returns the new stream's id from its receipt.</summary>
    private static async Task<Guid> CreatedAsync(HttpClient client, string url, JsonNode body) => (await ReceiptAsync(client, url, body)).Id;

    /// <summary>Posts a command and reads its receipt (<c>{"id": …, "version": …}</c>).</summary>
    private static async Task<(Guid Id, long Version)> ReceiptAsync(HttpClient client, string url, JsonNode body)
    {
        var receipt = await SentAsync(client, Post(url, body));
        return (receipt["id"]!.GetValue<Guid>(), receipt["version"]!.GetValue<long>());
    }

    /// <summary>Sends a setup request and returns its JSON answer; throws unless the answer is 2xx.</summary>
    private static async Task<JsonObject> SentAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"setup: {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {text}");
            }

            return JsonNode.Parse(text)!.AsObject();
        }
    }
}
