using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Audit;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Audit;

/// <summary>Auditors: the hash chain, signed checkpoints, verification online and offline, replay.</summary>
public sealed class proving_history_was_not_rewritten(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Schema = LedgerFixture.Schema;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ChainCaughtUpAsync();
    }

    private Task<IReadOnlyList<Guid>> SomeHistoryAsync(int reports = 3) => Ledger.SomeHistoryAsync(reports);

    private Task<long> SequenceOfAsync(Guid stream, int version) => Ledger.SequenceOfAsync(stream, version);

    [Fact]
    public async Task an_updated_event_is_named_by_the_api_and_the_audit_verify_command()
    {
        var ids = await SomeHistoryAsync();
        (await Host.GetJsonAsync("/api/audit/verify"))["ok"]!.GetValue<bool>().ShouldBeTrue();
        (await AuditCommandAsync("audit", "verify")).Output.ShouldContain("OK:");

        var tampered = await SequenceOfAsync(ids[1], 1);
        await Ledger.ExecuteAsync($"update {Schema}.mt_events set data = jsonb_set(data, '{{reportedBy}}', '\"someone-else\"') where seq_id = {tampered}");

        var report = await Host.GetJsonAsync("/api/audit/verify");
        report["ok"]!.GetValue<bool>().ShouldBeFalse();
        report["firstBadSequence"]!.GetValue<long>().ShouldBe(tampered);
        report["reason"]!.GetValue<string>().ShouldContain("changed");
        var command = await AuditCommandAsync("audit", "verify");
        command.ExitCode.ShouldNotBe(0);
        command.Output.ShouldContain($"FAILED at sequence {tampered}");
    }

    [Fact]
    public async Task a_deleted_event_is_named_by_its_sequence()
    {
        var ids = await SomeHistoryAsync();
        (await Host.GetJsonAsync("/api/audit/verify"))["ok"]!.GetValue<bool>().ShouldBeTrue();

        var deleted = await SequenceOfAsync(ids[2], 1);
        await Ledger.ExecuteAsync($"delete from {Schema}.mt_events where seq_id = {deleted}");

        var report = await Host.GetJsonAsync("/api/audit/verify");
        report["ok"]!.GetValue<bool>().ShouldBeFalse();
        report["firstBadSequence"]!.GetValue<long>().ShouldBe(deleted);
        report["reason"]!.GetValue<string>().ShouldContain("deleted");
    }

    [Fact]
    public async Task a_bundle_verifies_offline_and_any_flipped_byte_is_caught()
    {
        await SomeHistoryAsync();
        using var client = Host.Client();
        var bundle = await client.GetByteArrayAsync("/api/audit/export");
        var file = Path.Combine(Path.GetTempPath(), $"audit-bundle-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(file, bundle);
        try
        {
            Bundles.Verify(bundle).Ok.ShouldBeTrue();
            var offline = await AuditCommandAsync("audit", "verify-bundle", file);
            offline.ExitCode.ShouldBe(0, offline.Output);

            // Every byte of the checkpoint and key, then every 101st byte of the events, flipped one at a time: each
            // change breaks the JSON, the chain or the signature (base64 padding bits included), or a seal (which
            // covers the metadata the chain does not, and is checked with the seal key).
            var seals = SealKey.FromFile(Ledger.SealKeyPath);
            var events = Encoding.UTF8.GetString(bundle).IndexOf("\"events\"", StringComparison.Ordinal);
            for (var position = 0; position < bundle.Length; position += position < events ? 1 : 101)
            {
                var changed = (byte[])bundle.Clone();
                changed[position] ^= 0x01;
                Bundles.Verify(changed, seals: seals).Ok.ShouldBeFalse($"flipping byte {position} ('{(char)bundle[position]}') went unnoticed");
            }

            var flipped = (byte[])bundle.Clone();
            flipped[Array.LastIndexOf(flipped, (byte)'"') - 1] ^= 0x01;
            await File.WriteAllBytesAsync(file, flipped);
            var failed = await AuditCommandAsync("audit", "verify-bundle", file);
            failed.ExitCode.ShouldNotBe(0);
            failed.Output.ShouldContain("FAILED");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task checkpoints_verify_with_the_published_key_and_not_with_another()
    {
        await SomeHistoryAsync();
        using var client = Host.Client();
        using var created = await client.PostAsync("/api/audit/checkpoints", null);
        created.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        var latest = await Host.GetJsonAsync("/api/audit/checkpoints/latest");
        var keys = JsonNode.Parse(await client.GetStringAsync("/api/audit/keys"))!.AsArray();
        var published = keys.Single()!["publicKeyPem"]!.GetValue<string>();
        var checkpoint = latest.As<Checkpoint>();

        // Independently of the service's code: ECDSA P-256 / SHA-256 over the statement it publishes.
        using (var key = ECDsa.Create())
        {
            key.ImportFromPem(published);
            key.VerifyData(Encoding.UTF8.GetBytes(latest["statement"]!.GetValue<string>()), Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256)
                .ShouldBeTrue();
        }

        checkpoint.IsSignedBy(published).ShouldBeTrue();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = checkpoint with { Signature = Convert.ToBase64String(other.SignData(Encoding.UTF8.GetBytes(checkpoint.Statement), HashAlgorithmName.SHA256)) };
        forged.IsSignedBy(published).ShouldBeFalse();
        (checkpoint with { KeyId = Checkpoint.KeyIdOf(other) }).IsSignedBy(other.ExportSubjectPublicKeyInfoPem()).ShouldBeFalse();

        var consistency = await Host.GetJsonAsync(
            $"/api/audit/consistency?sequence={forged.Sequence}&hash={forged.Hash}&recordedAt={Uri.EscapeDataString(forged.RecordedAt.ToString("O"))}" +
            $"&signedAt={Uri.EscapeDataString(forged.SignedAt.ToString("O"))}&keyId={forged.KeyId}&signature={Uri.EscapeDataString(forged.Signature)}");
        consistency["consistent"]!.GetValue<bool>().ShouldBeFalse();
        consistency["signatureValid"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task an_old_checkpoint_is_extended_unchanged_until_history_before_it_is_rewritten()
    {
        var ids = await SomeHistoryAsync();
        using var client = Host.Client();
        using var created = await client.PostAsync("/api/audit/checkpoints", null);
        var old = (await created.JsonAsync()).As<Checkpoint>();
        await SomeHistoryAsync(2);
        var url = $"/api/audit/consistency?sequence={old.Sequence}&hash={old.Hash}&recordedAt={Uri.EscapeDataString(old.RecordedAt.ToString("O"))}" +
            $"&signedAt={Uri.EscapeDataString(old.SignedAt.ToString("O"))}&keyId={old.KeyId}&signature={Uri.EscapeDataString(old.Signature)}";

        var before = await Host.GetJsonAsync(url);
        before["consistent"]!.GetValue<bool>().ShouldBeTrue(before.ToJsonString());
        before["currentHeadSequence"]!.GetValue<long>().ShouldBeGreaterThan(old.Sequence);

        await Ledger.ExecuteAsync($"update {Schema}.mt_events set timestamp = timestamp - interval '1 day' where seq_id = {await SequenceOfAsync(ids[0], 1)}");
        var after = await Host.GetJsonAsync(url);
        after["consistent"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task the_replay_streams_events_with_their_metadata_page_by_page()
    {
        using var client = Host.Client("desk-ankara-feed");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/attacks") { Content = new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json") };
        // A header the client chooses does not name the author: the credentials do.
        request.Headers.Add("X-Client-Id", "un-ocha");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
        await SomeHistoryAsync(2);

        using var first = await client.GetAsync("/api/audit/events?type=attack_reported&limit=2");
        first.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        var lines = (await first.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Count.ShouldBe(2);
        lines[0]["type"]!.GetValue<string>().ShouldBe("attack_reported");
        lines[0]["recordedBy"]!.GetValue<string>().ShouldBe("desk-ankara-feed");
        lines[0]["data"]!["facts"]!["perpetrator"]!.GetValue<string>().ShouldBe("Syrian Arab Army");
        lines[0]["sequence"]!.GetValue<long>().ShouldBeLessThan(lines[1]["sequence"]!.GetValue<long>());

        var next = first.Headers.GetValues("X-Next-After").Single();
        var rest = (await client.GetStringAsync($"/api/audit/events?type=attack_reported&after={next}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rest.Length.ShouldBe(1);
        (await client.GetStringAsync("/api/audit/events?asOf=2000-01-01")).ShouldBeEmpty();
    }

    private Task<(int ExitCode, string Output)> AuditCommandAsync(params string[] args) => AuditCommandLine.RunAsync(Ledger, args);
}
