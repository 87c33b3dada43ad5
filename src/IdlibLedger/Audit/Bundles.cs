using System.IO.Pipelines;
using System.Text.Json;
using Marten;
using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>
/// An audit bundle: the chained events up to a signed checkpoint, with their metadata and seals, the checkpoint
/// and the public key — everything an auditor needs to verify the history without the database. Written as
/// compact JSON, so every byte counts: changing any of them breaks the JSON, the chain or the signature, or
/// (checked only with the seal key) a seal.
/// </summary>
public static class Bundles
{
    public const string Format = "idlib-ledger-audit-bundle/2";

    /// <summary>Bundles exported before events were sealed: no metadata, no seals; the chain and checkpoint verify as before.</summary>
    public const string FormatWithoutSeals = "idlib-ledger-audit-bundle/1";

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
            var row = EventRow.Read(reader);
            writer.WriteStartObject();
            writer.WriteNumber("sequence", row.Sequence);
            writer.WriteString("id", row.Id);
            writer.WriteString("streamId", row.StreamId);
            writer.WriteNumber("version", row.Version);
            writer.WriteString("type", row.Type);
            writer.WriteString("recordedAt", row.RecordedAt.UtcDateTime.ToString(HashChain.RecordedAtFormat, System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("recordedBy", row.RecordedBy);
            writer.WriteString("correlationId", row.CorrelationId);
            writer.WriteString("causationId", row.CausationId);
            if (row.Archived is { } archived)
            {
                writer.WriteBoolean("archived", archived);
            }
            else
            {
                writer.WriteNull("archived");
            }

            writer.WriteString("seal", row.Seal);
            writer.WritePropertyName("data");
            writer.WriteRawValue(row.Data);
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
    /// key the auditor trusts when given), the chain recomputed from the first event to the checkpoint, and, given
    /// the seal key, every event's seal (each bad one named).
    /// </summary>
    public static VerificationReport Verify(ReadOnlySpan<byte> bundle, string? trustedPublicKeyPem = null, SealKey? seals = null)
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
                return Verify(document.RootElement, trustedPublicKeyPem, seals);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or JsonException)
            {
                return new VerificationReport(false, 0, null, "the bundle is not in the expected shape: " + e.Message, null, null, null, null);
            }
        }
    }

    private static VerificationReport Verify(JsonElement root, string? trustedPublicKeyPem, SealKey? seals)
    {
        var hasSeals = root.GetProperty("format").GetString() switch
        {
            Format => true,
            FormatWithoutSeals => false,
            _ => (bool?)null,
        };
        if (hasSeals is null)
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
        var badSeals = new List<BadEvent>();
        foreach (var e in root.GetProperty("events").EnumerateArray())
        {
            var row = hasSeals.Value ? Row(e) : new EventRow(
                e.GetProperty("sequence").GetInt64(), Guid.Empty, e.GetProperty("streamId").GetGuid(), e.GetProperty("version").GetInt64(),
                e.GetProperty("type").GetString()!, RecordedAt(e.GetProperty("recordedAt").GetString()), null, null, null, false,
                e.GetProperty("data").GetRawText(), null);
            if (row.Sequence <= last)
            {
                return Fail(count, row.Sequence, "events are not in increasing sequence order");
            }

            if (hasSeals.Value && seals?.Problem(row) is { } problem)
            {
                badSeals.Add(new BadEvent(row.Sequence, problem));
            }

            previous = HashChain.Next(previous, row.Link);
            last = row.Sequence;
            count++;
        }

        var chainProblem = last != checkpoint.Sequence ? $"the events end at sequence {last}, the checkpoint is at {checkpoint.Sequence}"
            : previous != checkpoint.Hash ? "the events do not hash to the checkpoint: the history in the bundle was changed"
            : null;
        var report = chainProblem is not null ? Fail(count, last, chainProblem)
            : badSeals.Count > 0 ? Fail(count, badSeals[0].Sequence, badSeals[0].Reason)
            : new VerificationReport(true, count, null, null, last, previous, null, null);
        return report with { BadEvents = badSeals, BadEventCount = badSeals.Count, SealsChecked = hasSeals.Value && seals is not null };

        static VerificationReport Fail(long count, long? sequence, string reason) => new(false, count, sequence, reason, null, null, null, null);
    }

    /// <summary>An event of a sealed bundle, every member present: a missing one is a changed bundle, not a null.</summary>
    private static EventRow Row(JsonElement e)
    {
        string? Text(string name) => e.GetProperty(name).GetString();
        return new EventRow(
            e.GetProperty("sequence").GetInt64(), e.GetProperty("id").GetGuid(), e.GetProperty("streamId").GetGuid(), e.GetProperty("version").GetInt64(),
            Text("type")!, RecordedAt(Text("recordedAt")), Text("recordedBy"), Text("correlationId"), Text("causationId"),
            e.GetProperty("archived").ValueKind == JsonValueKind.Null ? null : e.GetProperty("archived").GetBoolean(),
            e.GetProperty("data").GetRawText(), Text("seal"));
    }

    // Exactly the form the bundle is written in: a lenient parser would let a changed byte read as the same time.
    private static DateTimeOffset RecordedAt(string? text) =>
        DateTimeOffset.ParseExact(text ?? string.Empty, HashChain.RecordedAtFormat, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
}
