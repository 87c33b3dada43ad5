using System.Text.Json;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace IdlibLedger.Audit;

/// <summary>The answer to "does the current history extend this checkpoint unchanged?".</summary>
/// <param name="Consistent">Whether the recomputed hash is the checkpoint's.</param>
/// <param name="Sequence">The checkpoint's sequence.</param>
/// <param name="Hash">The hash given.</param>
/// <param name="RecomputedHash">The hash recomputed from the events now.</param>
/// <param name="StoredHash">The hash stored for that sequence.</param>
/// <param name="SignatureValid">Whether the signature checks out; null when none was given.</param>
/// <param name="CurrentHeadSequence">The chain's head now.</param>
/// <param name="Reason">Why it is not consistent, or null.</param>
public sealed record ConsistencyReport(
    bool Consistent, long Sequence, string Hash, string? RecomputedHash, string? StoredHash, bool? SignatureValid, long? CurrentHeadSequence, string? Reason);

/// <summary>The query of the event replay: recorded up to <c>asOf</c>, between <c>from</c> and <c>to</c>, of one <c>stream</c> or <c>type</c>, after a sequence.</summary>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="From">Only events recorded at or after this, ISO 8601.</param>
/// <param name="To">Only events recorded at or before this, ISO 8601.</param>
/// <param name="Stream">Only the events of this stream (UUID).</param>
/// <param name="Type">Only events of this type (snake_case name, e.g. attack_reported).</param>
/// <param name="After">Only events with a sequence greater than this: the X-Next-After header of the previous page.</param>
/// <param name="Limit">Most events per page.</param>
public sealed record EventQuery(
    [FromQuery(Name = "asOf")] string? AsOf = null, [FromQuery(Name = "from")] string? From = null, [FromQuery(Name = "to")] string? To = null,
    [FromQuery(Name = "stream")] Guid? Stream = null, [FromQuery(Name = "type")] string? Type = null,
    [FromQuery(Name = "after")] long? After = null, [FromQuery(Name = "limit")] int? Limit = null);

/// <summary>A stretch of the chain by sequence, both ends optional.</summary>
/// <param name="From">First event sequence to check; default 1.</param>
/// <param name="To">Last event sequence to check; default the head.</param>
public sealed record SequenceRange([FromQuery(Name = "from")] long? From = null, [FromQuery(Name = "to")] long? To = null);

/// <summary>A checkpoint as an auditor holds it: its sequence and hash, and with its signature the fields the signature covers.</summary>
/// <param name="Sequence">The checkpoint's sequence (required).</param>
/// <param name="Hash">The checkpoint's hash, hex (required).</param>
/// <param name="Signature">The checkpoint's signature, base64; when given, recordedAt, signedAt and keyId are needed too.</param>
/// <param name="RecordedAt">The checkpoint's recordedAt, as it holds it (ISO 8601).</param>
/// <param name="SignedAt">The checkpoint's signedAt, as it holds it (ISO 8601).</param>
/// <param name="KeyId">The id of the key that signed it.</param>
public sealed record CheckpointQuery(
    [FromQuery(Name = "sequence")] long? Sequence = null, [FromQuery(Name = "hash")] string? Hash = null, [FromQuery(Name = "signature")] string? Signature = null,
    [FromQuery(Name = "recordedAt")] string? RecordedAt = null, [FromQuery(Name = "signedAt")] string? SignedAt = null, [FromQuery(Name = "keyId")] string? KeyId = null);

public static class AuditEndpoints
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    /// <summary>Replay the events</summary>
    /// <remarks>The events in global order as NDJSON, one per line, with their metadata: recorded by `asOf`, optionally recorded between `from` and `to`, of one `stream` or event `type`. Paged by sequence: pass the last sequence seen as `after`; the X-Next-After header gives it.</remarks>
    [WolverineGet("/api/audit/events", OperationId = "ReplayEvents")]
    [ForAuditors]
    [Tags("Audit")]
    [Produces("application/x-ndjson")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Events(
        [AsParameters] EventQuery query, HttpResponse response, NpgsqlDataSource database, IDocumentStore store, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var errors = new Dictionary<string, string[]>();
        var asOfValue = Temporal.ParseBound(query.AsOf, "asOf", endOfDay: true, errors) ?? clock.GetUtcNow();
        var fromValue = Temporal.ParseBound(query.From, "from", endOfDay: false, errors);
        var toValue = Temporal.ParseBound(query.To, "to", endOfDay: true, errors);
        var take = query.Limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit is between 1 and {MaxLimit}"];
        }

        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        await using var command = database.CreateCommand(
            "select seq_id, stream_id, version, type, timestamp, user_name, correlation_id, causation_id, data::text, id, headers ->> 'seal' " +
            $"from {store.Options.DatabaseSchemaName}.mt_events where timestamp <= @as_of and seq_id > @after " +
            "and (@from::timestamptz is null or timestamp >= @from) and (@to::timestamptz is null or timestamp <= @to) " +
            "and (@stream::uuid is null or stream_id = @stream) and (@type::text is null or type = @type) order by seq_id limit @limit");
        command.Parameters.AddWithValue("as_of", asOfValue);
        command.Parameters.AddWithValue("after", query.After ?? 0);
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)fromValue ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)toValue ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("stream", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)query.Stream ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("type", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)query.Type ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", take);

        using var buffer = new MemoryStream();
        long? last = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                await using var writer = new Utf8JsonWriter(buffer);
                writer.WriteStartObject();
                writer.WriteNumber("sequence", reader.GetInt64(0));
                writer.WriteString("id", reader.GetGuid(9));
                writer.WriteString("stream", reader.GetGuid(1));
                writer.WriteNumber("version", reader.GetInt64(2));
                writer.WriteString("type", reader.GetString(3));
                writer.WriteString("recordedAt", reader.GetFieldValue<DateTimeOffset>(4).ToUniversalTime());
                writer.WriteString("recordedBy", reader.IsDBNull(5) ? null : reader.GetString(5));
                writer.WriteString("correlationId", reader.IsDBNull(6) ? null : reader.GetString(6));
                writer.WriteString("causationId", reader.IsDBNull(7) ? null : reader.GetString(7));
                writer.WriteString("seal", reader.IsDBNull(10) ? null : reader.GetString(10));
                writer.WritePropertyName("data");
                writer.WriteRawValue(reader.GetString(8));
                writer.WriteEndObject();
                await writer.FlushAsync(cancellation);
                buffer.WriteByte((byte)'\n');
                last = reader.GetInt64(0);
            }
        }

        if (last is { } next && buffer.Length > 0)
        {
            response.Headers["X-Next-After"] = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Bytes(buffer.ToArray(), "application/x-ndjson");
    }

    /// <summary>Verify the hash chain</summary>
    /// <remarks>Recomputes the hash chain and checks every event's seal between sequences `from` and `to`: ok, or the first bad sequence and why, with every bad event listed.</remarks>
    [WolverineGet("/api/audit/verify", OperationId = "VerifyChain")]
    [ForAuditors]
    [Tags("Audit")]
    [ProducesResponseType<VerificationReport>(StatusCodes.Status200OK)]
    public static Task<VerificationReport> Verify([AsParameters] SequenceRange range, ChainVerifier verifier, CancellationToken cancellation)
    {
        return verifier.VerifyAsync(range.From, range.To, cancellation);
    }

    /// <summary>List the checkpoint signing keys</summary>
    /// <remarks>Every key that signed a stored checkpoint, with the first and last time it signed and whether it is the current key.</remarks>
    [WolverineGet("/api/audit/keys", OperationId = "GetAuditKeys")]
    [ForAuditors]
    [Tags("Audit")]
    public static Task<IReadOnlyList<SigningKey>> Keys(CheckpointStore checkpoints, CancellationToken cancellation) =>
        checkpoints.KeysAsync(cancellation);

    /// <summary>Sign a checkpoint</summary>

    /// <remarks>Signs the head of the hash chain now (sequence, hash, times) with the ledger's signing key and stores the checkpoint, for auditors to keep and check later.</remarks>

    [WolverinePost("/api/audit/checkpoints", OperationId = "CreateCheckpoint")]
    [ForAuditors]
    [Tags("Audit")]
    [ProducesResponseType<Checkpoint>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> CreateCheckpoint(CheckpointStore checkpoints, CancellationToken cancellation) =>
        (await checkpoints.CheckpointHeadAsync(null, reuse: false, cancellation)).Checkpoint is { } checkpoint
            ? Results.Created("/api/audit/checkpoints/latest", checkpoint)
            : LedgerProblems.Conflict("nothing is chained yet; the chain follows the events within seconds").ToResult();

    /// <summary>Read the latest checkpoint</summary>

    /// <remarks>The newest stored checkpoint; 404 when none was signed yet.</remarks>

    [WolverineGet("/api/audit/checkpoints/latest", OperationId = "GetLatestCheckpoint")]
    [ForAuditors]
    [Tags("Audit")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<Checkpoint>, ProblemHttpResult>> Latest(CheckpointStore checkpoints, CancellationToken cancellation) =>
        (await checkpoints.ListAsync(1, null, cancellation)) is [var latest]
            ? TypedResults.Ok(latest)
            : TypedResults.Problem(LedgerProblems.NotFound("no checkpoint yet: POST /api/audit/checkpoints makes one"));

    /// <summary>List checkpoints</summary>

    /// <remarks>The stored checkpoints, newest first.</remarks>

    /// <param name="limit">Most checkpoints to return (newest first).</param>

    [WolverineGet("/api/audit/checkpoints", OperationId = "ListCheckpoints")]
    [ForAuditors]
    [Tags("Audit")]
    public static Task<IReadOnlyList<Checkpoint>> List(int? limit, CheckpointStore checkpoints, CancellationToken cancellation) =>
        checkpoints.ListAsync(Math.Clamp(limit ?? 100, 1, 1000), null, cancellation);

    /// <summary>Check an old checkpoint</summary>
    /// <remarks>For an auditor holding an old checkpoint: recomputes the chain up to its sequence from the events as they are now; consistent when it gives the same hash. With the signature (and recordedAt, signedAt, keyId), the signature is checked too.</remarks>
    [WolverineGet("/api/audit/consistency", OperationId = "CheckConsistency")]
    [ForAuditors]
    [Tags("Audit")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<ConsistencyReport>, ProblemHttpResult>> Consistency(
        [AsParameters] CheckpointQuery query, ChainVerifier verifier, CheckpointSigner signer, CheckpointStore checkpoints, CancellationToken cancellation)
    {
        var (sequence, hash) = (query.Sequence, query.Hash);
        var errors = new Dictionary<string, string[]>();
        if (sequence is null or < 1)
        {
            errors["sequence"] = ["sequence is the checkpoint's sequence (≥ 1)"];
        }

        if (string.IsNullOrWhiteSpace(hash) || hash.Length != 64)
        {
            errors["hash"] = ["hash is the checkpoint's 64 hex digits"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.Problem(LedgerProblems.Invalid(errors, "Give the checkpoint's sequence and hash."));
        }

        bool? signed = null;
        if (query.Signature is { } signature)
        {
            var recorded = DateTimeOffset.TryParse(query.RecordedAt, System.Globalization.CultureInfo.InvariantCulture, out var r) ? r : default;
            var signedOn = DateTimeOffset.TryParse(query.SignedAt, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : default;
            // Checked with the key the checkpoint names, current or retired.
            var named = query.KeyId ?? signer.KeyId;
            signed = (await checkpoints.KeysAsync(cancellation)).FirstOrDefault(k => k.KeyId == named)?.PublicKeyPem is { } key
                && new Checkpoint(sequence!.Value, hash!, recorded, signedOn, named, CheckpointSigner.Algorithm, signature).IsSignedBy(key);
        }

        var (recomputed, stored) = await verifier.HashAtAsync(sequence!.Value, cancellation);
        var head = (await verifier.VerifyAsync(sequence, null, cancellation)).HeadSequence;
        var consistent = recomputed is not null && recomputed == hash && stored == hash && signed != false;
        var reason = consistent ? null
            : signed == false ? "the checkpoint's signature does not verify with the ledger's key"
            : recomputed is null ? "the history up to the checkpoint no longer verifies (GET /api/audit/verify names the first bad sequence)"
            : "the history up to the checkpoint hashes differently now: it was rewritten";
        return TypedResults.Ok(new ConsistencyReport(consistent, sequence.Value, hash!, recomputed, stored, signed, head, reason));
    }

    /// <summary>Export an audit bundle</summary>
    /// <remarks>A bundle for offline verification (`audit verify-bundle`): the events up to a checkpoint of the head as of `asOf` (the newest stored one of that head, or a fresh one), with the public key.</remarks>
    /// <param name="asOf">Transaction time: the head of the chain as recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
    [WolverineGet("/api/audit/export", OperationId = "ExportAuditBundle")]
    [ForAuditors]
    [Tags("Audit")]
    [Produces("application/json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Export(
        string? asOf, HttpResponse response, CheckpointStore checkpoints, CheckpointSigner signer, NpgsqlDataSource database, IDocumentStore store,
        CancellationToken cancellation)
    {
        var errors = new Dictionary<string, string[]>();
        var asOfValue = Temporal.ParseBound(asOf, "asOf", endOfDay: true, errors);
        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        // An unchanged head is not signed again: repeated exports would otherwise fill the table with one statement.
        if ((await checkpoints.CheckpointHeadAsync(asOfValue, reuse: true, cancellation)).Checkpoint is not { } checkpoint)
        {
            return TypedResults.Problem(LedgerProblems.Conflict("nothing is chained yet as of that moment"));
        }

        response.ContentType = "application/json";
        response.Headers.ContentDisposition = $"attachment; filename=\"idlib-ledger-audit-{checkpoint.Sequence}.json\"";
        await Bundles.WriteAsync(response.BodyWriter, checkpoint, signer.PublicKeyPem, database, store, cancellation);
        return TypedResults.Empty;
    }

}
