using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Access.ApiKeys;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Security;

/// <summary>API keys and bearer tokens: what is accepted, what is refused with 401, and who is recorded as the author.</summary>
public sealed class credentials_and_keys(LedgerFixture ledger) : LedgerTest(ledger)
{
    private async Task<JsonObject> CreatedKeyAsync(string client, params string[] roles)
    {
        using var admin = Host.Client("ops", Roles.Admin);
        using var response = await admin.PostAsync("/api/keys", Json(new JsonObject { ["client"] = client, ["roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]) }));
        var body = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task a_key_created_by_an_admin_authenticates_its_client_and_is_shown_only_once()
    {
        var created = await CreatedKeyAsync("desk-ankara", Roles.Reporter);
        var key = created["key"]!.GetValue<string>();
        var id = created["details"]!["id"]!.GetValue<string>();
        key.ShouldStartWith("ilk_");

        using var desk = Host.ClientWithKey(key);
        using var report = await desk.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, System.Text.Encoding.UTF8, "application/json"));
        report.StatusCode.ShouldBe(HttpStatusCode.Created);

        using var admin = Host.Client("ops", Roles.Admin);
        var listed = await admin.GetStringAsync("/api/keys");
        listed.ShouldContain(id);
        listed.ShouldNotContain(key);
        listed.ShouldNotContain(key[(key.LastIndexOf('_') + 1)..]);
        var stored = (string)(await Ledger.ScalarAsync($"select data::text from {LedgerFixture.Schema}.mt_doc_apikey where id = '{id}'"))!;
        stored.ShouldNotContain(key[(key.LastIndexOf('_') + 1)..]);
    }

    [Fact]
    public async Task a_revoked_key_is_refused_with_401_problem_details_at_once()
    {
        var created = await CreatedKeyAsync("desk-revoked", Roles.Reporter, Roles.Viewer);
        using var desk = Host.ClientWithKey(created["key"]!.GetValue<string>());
        (await desk.GetAsync("/api/attacks")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var admin = Host.Client("ops", Roles.Admin);
        using var revoked = await admin.PostAsync($"/api/keys/{created["details"]!["id"]}/revocation", null);
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await revoked.JsonAsync())["active"]!.GetValue<bool>().ShouldBeFalse();

        using var refused = await desk.GetAsync("/api/attacks");
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await refused.JsonAsync())["detail"]!.GetValue<string>().ShouldContain("revoked");
    }

    [Fact]
    public async Task a_key_revoked_on_another_node_stops_working_within_the_key_cache_lifetime()
    {
        var created = await CreatedKeyAsync("desk-elsewhere", Roles.Viewer);
        var id = created["details"]!["id"]!.GetValue<string>();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var keys = new ApiKeyCache(clock);
        var store = Host.Services.GetRequiredService<Marten.IDocumentStore>();
        (await keys.FindAsync(store, id, CancellationToken.None))!.RevokedAt.ShouldBeNull();

        // Another node (or the keys command) revokes it: this node does not hear of it, and reads it again only
        // once what it read is older than the cache's lifetime.
        await using (var elsewhere = store.LightweightSession())
        {
            (await ApiKeyLedger.RevokeAsync(elsewhere, id, "ops-elsewhere", CancellationToken.None)).ShouldNotBeNull();
        }

        clock.Advance(ApiKeyCache.Lifetime - TimeSpan.FromMilliseconds(1));
        (await keys.FindAsync(store, id, CancellationToken.None))!.RevokedAt.ShouldBeNull();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        (await keys.FindAsync(store, id, CancellationToken.None))!.RevokedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task a_key_created_under_an_idempotency_key_is_not_kept_for_replays()
    {
        using var admin = Host.Client("ops", Roles.Admin);
        async Task<HttpResponseMessage> CreateAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/keys") { Content = Json(new JsonObject { ["client"] = "desk-once", ["roles"] = new JsonArray("viewer") }) };
            request.Headers.Add("Idempotency-Key", "create-desk-once");
            return await admin.SendAsync(request);
        }

        using var first = await CreateAsync();
        using var replay = await CreateAsync();
        var key = (await first.JsonAsync())["key"]!.GetValue<string>();

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        replay.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await replay.Content.ReadAsStringAsync()).ShouldNotContain(key);
        var kept = (string)(await Ledger.ScalarAsync($"select string_agg(data::text, ' ') from {LedgerFixture.Schema}.mt_doc_idempotencyrecord"))!;
        // The secret is what follows "ilk_" and the 16 hex digits of the key's id (it may itself hold '_').
        var secret = key[("ilk_".Length + 16 + 1)..];
        secret.Length.ShouldBe(43);
        kept.ShouldNotContain(secret);
    }

    [Theory]
    [InlineData("ilk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not known")]
    [InlineData("not-a-key", "does not hold a key")]
    public async Task an_unknown_or_malformed_key_is_401_and_records_nothing(string key, string says)
    {
        using var client = Host.ClientWithKey(key);
        using var response = await client.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldContain("X-Api-Key");
        (await response.JsonAsync())["detail"]!.GetValue<string>().ShouldContain(says);
        (await Ledger.EventCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task bearer_tokens_that_expired_or_were_signed_for_someone_else_are_401()
    {
        var expired = Credentials.Token("desk-ankara", Roles.All, expires: DateTime.UtcNow.AddMinutes(-5));
        var otherAudience = Credentials.Token("desk-ankara", Roles.All, audience: "another-service");
        var otherKey = Credentials.Token("desk-ankara", Roles.All, signingKey: Convert.ToBase64String(new byte[32]));
        foreach (var token in new[] { expired, otherAudience, otherKey })
        {
            using var client = Host.AnonymousClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            using var response = await client.GetAsync("/api/attacks");
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await response.JsonAsync())["detail"]!.GetValue<string>().ShouldContain("refused");
        }
    }

    [Fact]
    public async Task key_creation_refuses_unknown_roles_and_bad_client_names_naming_the_field()
    {
        using var admin = Host.Client("ops", Roles.Admin);
        using var badRole = await admin.PostAsync("/api/keys", Json(new JsonObject { ["client"] = "desk-x", ["roles"] = new JsonArray("superuser") }));
        using var badClient = await admin.PostAsync("/api/keys", Json(new JsonObject { ["client"] = "desk x; drop", ["roles"] = new JsonArray("viewer") }));

        badRole.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badRole.JsonAsync())["errors"]!.AsObject().Select(e => e.Key).ShouldContain(k => k.StartsWith("roles", StringComparison.Ordinal));
        badClient.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badClient.JsonAsync())["errors"]!.AsObject().Select(e => e.Key).ShouldContain("client");
    }

    [Fact]
    public async Task every_event_is_recorded_by_the_authenticated_client_whatever_the_headers_or_body_say()
    {
        var created = await CreatedKeyAsync("desk-gaziantep", Roles.Reporter);
        using var byKey = Host.ClientWithKey(created["key"]!.GetValue<string>());
        byKey.DefaultRequestHeaders.Add("X-Client-Id", "un-ocha");
        (await byKey.PostAsync("/api/attacks", new StringContent(Given.Report(b => b["reportedBy"] = "un-ocha").ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        using var byToken = Host.Client("analyst-amman", Roles.Reporter);
        byToken.DefaultRequestHeaders.Add("X-Client-Id", "un-ocha");
        (await byToken.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Created);

        var recordedBy = new List<string>();
        await using (var connection = new Npgsql.NpgsqlConnection(Ledger.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"select user_name from {LedgerFixture.Schema}.mt_events where type <> 'region_registered' order by seq_id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                recordedBy.Add(reader.GetString(0));
            }
        }

        recordedBy.ShouldBe(["desk-gaziantep", "analyst-amman"]);
    }

    [Fact]
    public async Task the_keys_command_prints_a_working_key_once()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "IdlibLedger.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", dll, "keys", "create", "--client", "desk-cli", "--roles", "reporter,viewer", "--days", "30"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ConnectionStrings__Ledger"] = Ledger.ConnectionString;
        start.Environment["Ledger__Schema"] = LedgerFixture.Schema;
        start.Environment["Ledger__LoadDemoData"] = "false";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Audit__SealKeyPath"] = Ledger.SealKeyPath;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.ShouldBe(0, errors);
        // The key is printed once, on a line of its own.
        var key = output.Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("ilk_", StringComparison.Ordinal));
        key.ShouldMatch("^ilk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$");
        using var desk = Host.ClientWithKey(key);
        (await desk.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await desk.PostAsync("/api/ceasefires", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
