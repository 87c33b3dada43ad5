using IdlibLedger.Audit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Shouldly;

namespace IdlibLedger.Tests.Audit;

/// <summary>The seal's bytes and its key file, without a database.</summary>
public sealed class the_seal_format
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-0.0e5", "0")]
    [InlineData("5", "5")]
    [InlineData("36.78", "36.78")]
    [InlineData("1.50", "1.5")]
    [InlineData("100", "100")]
    [InlineData("1E-07", "0.0000001")]
    [InlineData("1.2345E-5", "0.000012345")]
    [InlineData("1E+21", "1000000000000000000000")]
    [InlineData("-1.50e2", "-150")]
    [InlineData("0.00120", "0.0012")]
    [InlineData("123.456e1", "1234.56")]
    public void a_number_is_written_as_a_plain_decimal(string written, string plain) =>
        Seals.PlainNumber(written).ShouldBe(plain);

    [Theory]
    [InlineData("""{"b":[1,{"z":2.5,"a":"x"}],"a":null}""")]
    [InlineData("""{"b":1.50,"a":[1E-07,{"c":-0}]}""")]
    [InlineData("""{"é":1,"e":2,"E":3}""")]
    public void the_chain_reads_both_canonical_forms_from_one_parse_as_each_gives_them_alone(string json)
    {
        var (asWritten, plainNumbers) = HashChain.CanonicalForms(json);
        System.Text.Encoding.UTF8.GetString(asWritten).ShouldBe(HashChain.Canonical(json));
        System.Text.Encoding.UTF8.GetString(plainNumbers).ShouldBe(Seals.CanonicalData(json));
    }

    [Fact]
    public void a_link_hashed_from_canonical_bytes_is_the_sha256_of_its_text_preimage()
    {
        var link = new ChainLink(7, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), 2, "attack_reported", new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero).AddTicks(15), """{"b":1.50,"a":"x"}""");
        var text = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(HashChain.Preimage(HashChain.Genesis, link)));
        HashChain.Next(HashChain.Genesis, link).ShouldBe(Convert.ToHexStringLower(text));
        HashChain.Preimage(HashChain.Genesis, link).ShouldEndWith("\n2\nattack_reported\n2026-11-27T08:00:00.000001Z\n{\"a\":\"x\",\"b\":1.50}");
    }

    [Fact]
    public void the_preimage_holds_every_field_one_a_line_and_free_text_cannot_pass_for_another_field()
    {
        var e = new SealedEvent(
            Guid.Parse("0196b3c1-0000-7000-8000-000000000001"), Guid.Parse("0196b3c1-0000-7000-8000-000000000002"), 3, "attack_report_corrected",
            new DateTimeOffset(2026, 11, 25, 23, 36, 9, 650, TimeSpan.Zero).AddTicks(9987), "desk\ncorrelationId \"x\"", null, "cause", false,
            """{"b": 1.50, "a": "Idlib <north>"}""");

        Seals.Preimage(e).ShouldBe(
            """
            idlib-ledger seal v1
            id 0196b3c1-0000-7000-8000-000000000001
            stream 0196b3c1-0000-7000-8000-000000000002
            version 3
            type "attack_report_corrected"
            recordedAt 2026-11-25T23:36:09.650998Z
            recordedBy "desk\ncorrelationId \u0022x\u0022"
            correlationId null
            causationId "cause"
            archived false
            data {"a":"Idlib \u003Cnorth\u003E","b":1.5}
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        Seals.Preimage(e with { Version = null }).ShouldContain("\nversion -\n");

        // The seal hashes the preimage's bytes piecewise: the same HMAC as over the text above.
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var seal = new SealKey(key);
        seal.Seal(e).ShouldBe($"v1:{seal.KeyId}:{Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(Seals.Preimage(e))))}");
    }

    [Fact]
    public void a_seal_changes_with_every_field_and_with_the_key()
    {
        var key = new SealKey(new byte[32]);
        var e = new SealedEvent(Guid.NewGuid(), Guid.NewGuid(), 1, "attack_reported", DateTimeOffset.UnixEpoch, "desk", "trace", null, false, """{"a":1}""");
        var seal = key.Seal(e);
        seal.ShouldStartWith($"v1:{key.KeyId}:");
        var changed = new[]
        {
            e with { Id = Guid.NewGuid() }, e with { StreamId = Guid.NewGuid() }, e with { Version = 2 }, e with { Version = null },
            e with { Type = "attack_report_retracted" }, e with { RecordedAt = e.RecordedAt.AddTicks(10) }, e with { RecordedBy = "someone-else" },
            e with { CorrelationId = null }, e with { CausationId = "trace" }, e with { Archived = true }, e with { Archived = null },
            e with { Data = """{"a":2}""" },
        };
        changed.Select(key.Seal).ShouldAllBe(other => other != seal);
        new SealKey(Enumerable.Repeat((byte)1, 32).ToArray()).Seal(e).ShouldNotBe(seal);
    }

    [Fact]
    public void the_key_file_is_made_for_development_and_tests_readable_by_its_owner_only_and_required_anywhere_else()
    {
        var folder = Directory.CreateTempSubdirectory("idlib-seal-key-").FullName;
        try
        {
            var path = Path.Combine(folder, "seal-key");
            IConfiguration Settings(string? keyPath) => new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Audit:SealKeyPath"] = keyPath }).Build();
            HostingEnvironment Environment(string name) => new() { EnvironmentName = name, ContentRootPath = folder };

            Should.Throw<InvalidOperationException>(() => SealKey.FromConfiguration(Settings(null), Environment("Production"))).Message.ShouldContain("not set");
            Should.Throw<InvalidOperationException>(() => SealKey.FromConfiguration(Settings(path), Environment("Production"))).Message.ShouldContain("names no file");
            File.Exists(path).ShouldBeFalse();

            var made = SealKey.FromConfiguration(Settings(path), Environment("Testing"));
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            // Made once: the next start, in any environment, reads the same key.
            SealKey.FromConfiguration(Settings(path), Environment("Production")).KeyId.ShouldBe(made.KeyId);
            Convert.FromBase64String(File.ReadAllText(path).Trim()).Length.ShouldBe(32);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
