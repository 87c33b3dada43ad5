using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;

namespace IdlibLedger.Tests.Security;

/// <summary>
/// Every operation of the OpenAPI document, called by every kind of caller: nobody, a revoked key, an expired token,
/// and a token for each role alone. The expected answers come from the role table below (the contract, written
/// here by hand), not from the code: an endpoint added without a row, or with another policy, makes this fail.
/// </summary>
public sealed class every_operation_by_every_caller(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Read = "read";
    private const string Report = "reporter";
    private const string Analyse = "analyst";
    private const string Audit = "auditor";
    private const string Admin = "admin";

    /// <summary>Who may call what (docs/security.md). Read: every role. Otherwise the named role, and admin.</summary>
    private static readonly Dictionary<string, string> RoleTable = new()
    {
        // attacks and casualties
        ["ReportAttack"] = Report, ["CorrectAttackReport"] = Report, ["RetractAttackReport"] = Report, ["DisputeAttackReport"] = Report,
        ["ReportAttacksInBatch"] = Report, ["ReportCasualtyFigure"] = Report,
        ["ListAttacks"] = Read, ["ListAttackChanges"] = Read, ["GetLedgerExtent"] = Read, ["GetAttack"] = Read, ["GetCasualtyTotals"] = Read, ["GetCasualtyFigure"] = Read,
        ["CorrectCasualtyFigure"] = Report, ["RetractCasualtyFigure"] = Report,
        ["ExportAttacksCsv"] = Read, ["ExportAttacksGeoJson"] = Read, ["StreamLedgerEvents"] = Read,
        // territory
        ["RecordControlChange"] = Analyse, ["CorrectControlChange"] = Analyse, ["RetractControlChange"] = Analyse, ["GetControlChange"] = Read, ["RegisterAgreement"] = Analyse, ["GetAgreement"] = Read,
        ["CorrectAgreement"] = Analyse, ["RetractAgreement"] = Analyse,
        ["ProposeMap"] = Analyse, ["RejectProposal"] = Analyse, ["AcceptProposal"] = Analyse, ["WithdrawProposal"] = Analyse,
        ["GetProposal"] = Read, ["ListProposals"] = Read,
        ["EstablishObservationPost"] = Analyse, ["ChangeObservationPostStatus"] = Analyse, ["RelocateObservationPost"] = Analyse,
        ["GetObservationPost"] = Read, ["ListObservationPosts"] = Read,
        ["CorrectObservationPost"] = Analyse, ["RetractObservationPost"] = Analyse,
        ["OpenNegotiationRound"] = Analyse, ["RecordNegotiationOutcome"] = Analyse, ["GetNegotiationRound"] = Read,
        ["CorrectNegotiationRound"] = Analyse, ["RetractNegotiationRound"] = Analyse,
        ["GetControlMap"] = Read, ["GetControlShares"] = Read, ["GetPointHolder"] = Read,
        ["RegisterRegion"] = Admin, ["CorrectRegion"] = Admin, ["RetractRegion"] = Admin, ["ListRegions"] = Read, ["GetRegion"] = Read, ["GetRegionMap"] = Read,
        // ceasefires
        ["DeclareCeasefire"] = Analyse, ["ExtendCeasefire"] = Analyse, ["EndCeasefire"] = Analyse, ["ReportCeasefireViolation"] = Analyse,
        ["OpenCorridor"] = Analyse, ["CloseCorridor"] = Analyse, ["GetCeasefire"] = Read, ["ListCeasefires"] = Read, ["ListCorridors"] = Read,
        ["CorrectCeasefire"] = Analyse, ["RetractCeasefire"] = Analyse, ["CorrectCorridor"] = Analyse, ["RetractCorridor"] = Analyse, ["GetCorridor"] = Read,
        // audit: never public
        ["ReplayEvents"] = Audit, ["VerifyChain"] = Audit, ["GetAuditKeys"] = Audit, ["CreateCheckpoint"] = Audit,
        ["GetLatestCheckpoint"] = Audit, ["ListCheckpoints"] = Audit, ["CheckConsistency"] = Audit, ["ExportAuditBundle"] = Audit,
        ["GetAuditSnapshot"] = Audit, ["VerifyReadModels"] = Audit,
        // administration
        ["ImportUcdpGed"] = Admin, ["GetImportRejections"] = Admin, ["GetImportWarnings"] = Admin, ["CreateApiKey"] = Admin, ["ListApiKeys"] = Admin, ["GetApiKey"] = Admin, ["RevokeApiKey"] = Admin,
    };

    private sealed record Operation(string Id, HttpMethod Method, string PathTemplate);

    private async Task<List<Operation>> OperationsAsync()
    {
        var document = await Host.GetJsonAsync("/openapi/v1.json");
        return [.. document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(verb =>
            new Operation(verb.Value!["operationId"]!.GetValue<string>(), new HttpMethod(verb.Key.ToUpperInvariant()), path.Key)))];
    }

    [Fact]
    public async Task the_role_table_names_every_operation_of_the_openapi_document_and_no_other()
    {
        var operations = (await OperationsAsync()).Select(o => o.Id).ToList();

        operations.Except(RoleTable.Keys).ShouldBeEmpty("operations without a row in the role table");
        RoleTable.Keys.Except(operations).ShouldBeEmpty("rows for operations the document does not have");
        operations.Except(ValidRequests.ByOperation.Keys).ShouldBeEmpty("operations without a valid sample request");
    }

    [Fact]
    public async Task the_openapi_document_declares_both_schemes_and_each_operations_roles_as_the_table_says()
    {
        var document = await Host.GetJsonAsync("/openapi/v1.json");
        document["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key).ShouldBe(["ApiKey", "Bearer"], ignoreOrder: true);
        foreach (var (path, verbs) in document["paths"]!.AsObject())
        {
            foreach (var (verb, operation) in verbs!.AsObject())
            {
                var id = operation!["operationId"]!.GetValue<string>();
                var roles = operation["x-roles"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
                roles.ShouldBe(Allowed(RoleTable[id]), ignoreOrder: true, $"{verb} {path}");
                operation["security"]!.AsArray().Count.ShouldBe(2);
                operation["responses"]!.AsObject().Select(r => r.Key).ShouldContain("401");
                operation["responses"]!.AsObject().Select(r => r.Key).ShouldContain("403");
            }
        }
    }

    private static string[] Allowed(string row) => row == Read ? [.. Roles.All] : row == Admin ? [Admin] : [row, Admin];

    [Fact]
    public async Task every_operation_answers_every_caller_as_the_role_table_says()
    {
        var operations = await OperationsAsync();
        using var setup = Host.Client("matrix-setup");
        var revokedKey = await RevokedKeyAsync(setup);
        var callers = new List<(string Name, Func<HttpClient> Client, string? Role)>
        {
            ("no credentials", Host.AnonymousClient, null),
            ("a revoked key", () => Host.ClientWithKey(revokedKey), null),
            ("an expired token", () => Bearer(Credentials.Token("matrix-expired", Roles.All, expires: DateTime.UtcNow.AddMinutes(-5))), null),
        };
        callers.AddRange(Roles.All.Select(role => ($"role {role}", (Func<HttpClient>)(() => Host.Client($"matrix-{role}", role)), (string?)role)));

        var wrong = new List<string>();
        try
        {
            foreach (var operation in operations)
            {
                var allowed = Allowed(RoleTable.GetValueOrDefault(operation.Id, "unlisted"));
                foreach (var (name, makeClient, role) in callers)
                {
                    using var caller = makeClient();
                    var expected = role is null ? "401" : allowed.Contains(role) ? "2xx" : "403";
                    using var request = expected == "2xx"
                        ? await ValidRequests.ByOperation[operation.Id](setup, caller)
                        : AnyRequest(operation);
                    using var response = await caller.SendAsync(request);
                    var status = (int)response.StatusCode;
                    var got = status is >= 200 and < 300 ? "2xx" : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (got != expected)
                    {
                        var body = await response.Content.ReadAsStringAsync();
                        wrong.Add($"{operation.Id} ({operation.Method} {operation.PathTemplate}) by {name}: expected {expected}, got {status} {body[..Math.Min(body.Length, 300)]}");
                    }
                    else if (expected != "2xx")
                    {
                        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"{operation.Id} by {name}");
                    }
                }
            }
        }
        finally
        {
            // The region samples register test-… regions, which a reset keeps (reference data stays).
            await Ledger.ForgetTestRegionsAsync();
        }

        wrong.ShouldBeEmpty(string.Join("\n", wrong));
        (operations.Count * callers.Count).ShouldBeGreaterThan(400);
    }

    private HttpClient Bearer(string token)
    {
        var client = Host.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>A key holding every role, revoked: it must open nothing.</summary>
    private static async Task<string> RevokedKeyAsync(HttpClient admin)
    {
        using var created = await admin.PostAsync("/api/keys", new StringContent(
            new JsonObject { ["client"] = "matrix-revoked", ["roles"] = new JsonArray([.. Roles.All.Select(r => (JsonNode)r)]) }.ToJsonString(),
            Encoding.UTF8, "application/json"));
        var key = await created.JsonAsync();
        created.StatusCode.ShouldBe(HttpStatusCode.Created, key.ToJsonString());
        using var revoked = await admin.PostAsync($"/api/keys/{key["details"]!["id"]}/revocation", null);
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        return key["key"]!.GetValue<string>();
    }

    /// <summary>A request to the operation with made-up ids and an empty body: refused before anything reads it.</summary>
    private static HttpRequestMessage AnyRequest(Operation operation)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(operation.PathTemplate, "{[^}]+}", Guid.NewGuid().ToString());
        var request = new HttpRequestMessage(operation.Method, path);
        if (operation.Method == HttpMethod.Post)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }
}
