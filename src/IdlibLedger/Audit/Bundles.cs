using System.IO.Pipelines;
using System.Text.Json;
using Marten;
using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>
/// An audit bundle: the events up to a signed checkpoint, the checkpoint and the public key — everything an
/// auditor needs to verify the history without the database. Written as compact JSON, so every byte counts:
/// changing any of them breaks the JSON, the chain or the signature.
/// </summary>
public static class Bundles
{
    public const string Format = "idlib-ledger-audit-bundle/1";

    // Every member present and known: a renamed or missing one is a changed bundle, not a default value.
    private static readonly JsonSerializerOptions StrictJson = new(Infrastructure.LedgerJson.Options)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
    };

    public static async Task WriteAsync(PipeWriter output, Checkpoint checkpoint, string publicKeyPem, NpgsqlDataSource database, IDocumentStore store, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(store);
        // A writer over the pipe: flushing it only hands bytes to the pipe, never blocks on the network.
        await using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WritePropertyName("checkpoint");
        JsonSerializer.Serialize(writer, checkpoint, Infrastructure.LedgerJson.Options);
        writer.WriteString("publicKeyPem", publicKeyPem);
        writer.WriteStartArray("events");
        // The events the chain links: one it left out (its seal failed) is not part of the history it vouches for.
        var schema = store.Options.DatabaseSchemaName;
        await using var command = database.CreateCommand(
            $"select {EventRow.Columns} from {schema}.mt_events e join {schema}.{AuditChainProjection.Name} c on c.seq = e.seq_id where e.seq_id <= @seq order by e.seq_id");
        command.Parameters.AddWithValue("seq", checkpoint.Sequence);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var link = EventRow.Read(reader).Link;
            writer.WriteStartObject();
            writer.WriteNumber("sequence", link.Sequence);
            writer.WriteString("streamId", link.StreamId);
            writer.WriteNumber("version", link.Version);
            writer.WriteString("type", link.Type);
            writer.WriteString("recordedAt", link.RecordedAt.UtcDateTime.ToString(RecordedAtFormat, System.Globalization.CultureInfo.InvariantCulture));
            writer.WritePropertyName("data");
            writer.WriteRawValue(link.Data);
            writer.WriteEndObject();
            if (writer.BytesPending > 64 * 1024)
            {
                writer.Flush();
                await output.FlushAsync(cancellation);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        await output.FlushAsync(cancellation);
    }

    /// <summary>
    /// Verifies a bundle with no database: the signature over the checkpoint (with the bundle's key, or with the
    /// key the auditor trusts when given), and the chain recomputed from the first event to the checkpoint.
    /// </summary>
    public static VerificationReport Verify(ReadOnlySpan<byte> bundle, string? trustedPublicKeyPem = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bundle.ToArray());
        }
        catch (JsonException e)
        {
            return new VerificationReport(false, 0, null, "the bundle is not valid JSON: " + e.Message, null, null, null, null);
        }

        using (document)
        {
            try
            {
                return Verify(document.RootElement, trustedPublicKeyPem);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or JsonException)
            {
                return new VerificationReport(false, 0, null, "the bundle is not in the expected shape: " + e.Message, null, null, null, null);
            }
        }
    }

    private static VerificationReport Verify(JsonElement root, string? trustedPublicKeyPem)
    {
        if (root.GetProperty("format").GetString() != Format)
        {
            return Fail(0, null, $"not a {Format} bundle");
        }

        var checkpoint = root.GetProperty("checkpoint").Deserialize<Checkpoint>(StrictJson)
            ?? throw new FormatException("no checkpoint");
        var key = trustedPublicKeyPem ?? root.GetProperty("publicKeyPem").GetString() ?? string.Empty;
        if (trustedPublicKeyPem is not null && root.GetProperty("publicKeyPem").GetString()?.Trim() != trustedPublicKeyPem.Trim())
        {
            return Fail(0, null, "the bundle carries another public key than the one trusted");
        }

        if (root.GetProperty("checkpoint").GetProperty("statement").GetString() != checkpoint.Statement)
        {
            return Fail(0, null, "the checkpoint's statement does not match its fields");
        }

        if (!checkpoint.IsSignedBy(key))
        {
            return Fail(0, null, "the checkpoint's signature does not verify with the public key");
        }

        var previous = HashChain.Genesis;
        long last = 0;
        long count = 0;
        foreach (var e in root.GetProperty("events").EnumerateArray())
        {
            var link = new ChainLink(
                e.GetProperty("sequence").GetInt64(), e.GetProperty("streamId").GetGuid(), e.GetProperty("version").GetInt64(),
                e.GetProperty("type").GetString()!, RecordedAt(e.GetProperty("recordedAt").GetString()),
                e.GetProperty("data").GetRawText());
            if (link.Sequence <= last)
            {
                return Fail(count, link.Sequence, "events are not in increasing sequence order");
            }

            previous = HashChain.Next(previous, link);
            last = link.Sequence;
            count++;
        }

        return last != checkpoint.Sequence ? Fail(count, last, $"the events end at sequence {last}, the checkpoint is at {checkpoint.Sequence}")
            : previous != checkpoint.Hash ? Fail(count, last, "the events do not hash to the checkpoint: the history in the bundle was changed")
            : new VerificationReport(true, count, null, null, last, previous, null, null);

        static VerificationReport Fail(long count, long? sequence, string reason) => new(false, count, sequence, reason, null, null, null, null);
    }

    // Exactly the form the bundle is written in: a lenient parser would let a changed byte read as the same time.
    private static DateTimeOffset RecordedAt(string? text) =>
        DateTimeOffset.ParseExact(text ?? string.Empty, RecordedAtFormat, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);

    private const string RecordedAtFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
}
