using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Audit;

/// <summary>A signed statement that the chain's link at <c>Sequence</c> is <c>Hash</c>.</summary>
/// <param name="Sequence">The head's sequence.</param>
/// <param name="Hash">The chain hash at that sequence, hex.</param>
/// <param name="RecordedAt">When that event was recorded (UTC).</param>
/// <param name="SignedAt">When the checkpoint was signed (UTC).</param>
/// <param name="KeyId">The signing key's id.</param>
/// <param name="Algorithm">The signature algorithm.</param>
/// <param name="Signature">The signature, base64.</param>
public sealed record Checkpoint(long Sequence, string Hash, DateTimeOffset RecordedAt, DateTimeOffset SignedAt, string KeyId, string Algorithm, string Signature)
{
    /// <summary>The exact text that is signed.</summary>
    public string Statement => StatementFor(Sequence, Hash, RecordedAt, SignedAt, KeyId, Algorithm);

    /// <summary>Every field of the checkpoint but the signature, one per line: all of it is signed.</summary>
    public static string StatementFor(long sequence, string hash, DateTimeOffset recordedAt, DateTimeOffset signedAt, string keyId, string algorithm) =>
        string.Create(CultureInfo.InvariantCulture,
            $"idlib-ledger checkpoint v1\nsequence {sequence}\nhash {hash}\nrecordedAt {recordedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\nsignedAt {signedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\nkeyId {keyId}\nalgorithm {algorithm}");

    /// <summary>True when the signature is valid for the statement under the public key (PEM, SubjectPublicKeyInfo).</summary>
    public bool IsSignedBy(string publicKeyPem)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(publicKeyPem);
            var signature = Convert.FromBase64String(Signature);
            // Canonical base64 only: unused padding bits would let two spellings carry one signature.
            return Convert.ToBase64String(signature) == Signature
                && key.ExportSubjectPublicKeyInfoPem() == publicKeyPem.Replace("\r\n", "\n", StringComparison.Ordinal).Trim()
                && KeyIdOf(key) == KeyId
                && key.VerifyData(Encoding.UTF8.GetBytes(Statement), signature, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    public static string KeyIdOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }
}

/// <summary>The published verification key.</summary>
public sealed record PublicKey(string KeyId, string Algorithm, string PublicKeyPem);

/// <summary>
/// A key that signs or signed checkpoints, with the period of its stored checkpoints (null for the current key
/// before its first). <c>PublicKeyPem</c> is null only for a retired key whose checkpoints predate the stored keys.
/// </summary>
/// <param name="KeyId">The key's id.</param>
/// <param name="Algorithm">Its algorithm.</param>
/// <param name="PublicKeyPem">Its public key, PEM.</param>
/// <param name="FirstSignedAt">First checkpoint it signed (UTC).</param>
/// <param name="LastSignedAt">Last checkpoint it signed (UTC).</param>
/// <param name="Checkpoints">Checkpoints it signed.</param>
/// <param name="Current">Whether the ledger signs with it now.</param>
public sealed record SigningKey(
    string KeyId, string Algorithm, string? PublicKeyPem, DateTimeOffset? FirstSignedAt, DateTimeOffset? LastSignedAt, long Checkpoints, bool Current);

/// <summary>
/// The ECDSA P-256 key checkpoints are signed with: <c>Audit:SigningKeyPath</c> (a PKCS#8 PEM file). In
/// Development, when none is configured, one is generated once under the repository's <c>.data/</c> folder and
/// kept there; elsewhere a missing key is an error at the first signature.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    public const string Algorithm = "ES256";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public CheckpointSigner(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var path = configuration["Audit:SigningKeyPath"];
        if (string.IsNullOrWhiteSpace(path) && environment.IsDevelopment())
        {
            path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", "..", ".data", "audit-signing-key.pem"));
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException("Audit:SigningKeyPath is not set: checkpoints need an ECDSA P-256 key (PKCS#8 PEM)");
        }

        var generated = !File.Exists(path) && TryCreateKeyFile(path, _key.ExportPkcs8PrivateKeyPem());
        if (!generated)
        {
            _key.ImportFromPem(File.ReadAllText(path));
        }

        KeyId = Checkpoint.KeyIdOf(_key);
        PublicKeyPem = _key.ExportSubjectPublicKeyInfoPem();
    }

    public string KeyId { get; }

    public string PublicKeyPem { get; }

    public PublicKey Public => new(KeyId, Algorithm, PublicKeyPem);

    public Checkpoint Sign(long sequence, string hash, DateTimeOffset recordedAt, DateTimeOffset now)
    {
        var signedAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
        var signature = _key.SignData(Encoding.UTF8.GetBytes(Checkpoint.StatementFor(sequence, hash, recordedAt, signedAt, KeyId, Algorithm)), HashAlgorithmName.SHA256);
        return new Checkpoint(sequence, hash, recordedAt, signedAt, KeyId, Algorithm, Convert.ToBase64String(signature));
    }

    public void Dispose() => _key.Dispose();

    /// <summary>
    /// Writes a new key readable by its owner only (0600; a folder it makes is 0700), beside the path and then
    /// moved in, so that of two instances generating at once both read the one key that landed. False when one did.
    /// </summary>
    private static bool TryCreateKeyFile(string path, string pem)
    {
        var folder = Path.GetDirectoryName(path)!;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var written = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var file = new StreamWriter(written, Encoding.ASCII, options))
        {
            file.Write(pem);
        }

        try
        {
            File.Move(written, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(written);
            return false;
        }
    }
}

/// <summary>Signed checkpoints kept in the database: made on demand, with exports and hourly, listed for auditors.</summary>
public sealed class CheckpointStore(NpgsqlDataSource database, IDocumentStore store, CheckpointSigner signer, Infrastructure.LedgerClock clock)
{
    public const string Name = "audit_checkpoints";

    /// <summary>The advisory-lock space (two-int form, apart from Marten's bigint locks) of signing; the schema's hash is the second key.</summary>
    public const int SigningLock = 0x4C44_4731;

    public static Table SchemaObject(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("id", "bigserial").AsPrimaryKey();
        table.AddColumn<long>("seq").NotNull();
        table.AddColumn<string>("hash").NotNull();
        table.AddColumn("recorded_at", "timestamptz").NotNull();
        table.AddColumn("signed_at", "timestamptz").NotNull();
        table.AddColumn<string>("key_id").NotNull();
        table.AddColumn<string>("algorithm").NotNull();
        table.AddColumn<string>("signature").NotNull();
        // The signing key's public half, so that checkpoints of a retired key still verify (null in rows from before it was kept).
        table.AddColumn<string>("public_key_pem").AllowNulls();
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_seq") { Columns = ["seq"] });
        return table;
    }

    private string Schema => store.Options.DatabaseSchemaName;

    /// <summary>
    /// A checkpoint of the chain's head as of <paramref name="asOf"/> (null: the head now), or null when nothing is
    /// chained by then. With <paramref name="reuse"/>, the newest stored checkpoint of that head signed with the
    /// current key when there is one (<c>Signed</c> false); otherwise a new one is signed and stored.
    /// </summary>
    public async Task<(Checkpoint? Checkpoint, bool Signed)> CheckpointHeadAsync(DateTimeOffset? asOf, bool reuse, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        // One signer at a time per ledger, on every instance: checkpoints are stored in the order they are signed.
        await using (var serialize = new NpgsqlCommand("select pg_advisory_xact_lock(@space, hashtext(@schema))", connection, transaction))
        {
            serialize.Parameters.AddWithValue("space", SigningLock);
            serialize.Parameters.AddWithValue("schema", Schema);
            await serialize.ExecuteNonQueryAsync(cancellation);
        }

        (long Sequence, string Hash, DateTimeOffset RecordedAt) head;
        await using (var read = new NpgsqlCommand(
            $"select seq, hash, recorded_at from {Schema}.{AuditChainProjection.Name} where (@as_of::timestamptz is null or recorded_at <= @as_of) order by seq desc limit 1",
            connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)asOf ?? DBNull.Value });
            await using var reader = await read.ExecuteReaderAsync(cancellation);
            if (!await reader.ReadAsync(cancellation))
            {
                return (null, false);
            }

            head = (reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
        }

        if (reuse)
        {
            await using var stored = new NpgsqlCommand(
                $"select seq, hash, recorded_at, signed_at, key_id, algorithm, signature from {Schema}.{Name} " +
                "where seq = @seq and hash = @hash and key_id = @key order by id desc limit 1", connection, transaction);
            stored.Parameters.AddWithValue("seq", head.Sequence);
            stored.Parameters.AddWithValue("hash", head.Hash);
            stored.Parameters.AddWithValue("key", signer.KeyId);
            await using var reader = await stored.ExecuteReaderAsync(cancellation);
            if (await reader.ReadAsync(cancellation))
            {
                return (Read(reader), false);
            }
        }

        var checkpoint = signer.Sign(head.Sequence, head.Hash, head.RecordedAt, clock.GetUtcNow());

        await using (var insert = new NpgsqlCommand(
            $"insert into {Schema}.{Name} (seq, hash, recorded_at, signed_at, key_id, algorithm, signature, public_key_pem) values (@seq, @hash, @recorded, @signed, @key, @alg, @sig, @pem)",
            connection, transaction))
        {
            insert.Parameters.AddWithValue("seq", checkpoint.Sequence);
            insert.Parameters.AddWithValue("hash", checkpoint.Hash);
            insert.Parameters.AddWithValue("recorded", checkpoint.RecordedAt);
            insert.Parameters.AddWithValue("signed", checkpoint.SignedAt);
            insert.Parameters.AddWithValue("key", checkpoint.KeyId);
            insert.Parameters.AddWithValue("alg", checkpoint.Algorithm);
            insert.Parameters.AddWithValue("sig", checkpoint.Signature);
            insert.Parameters.AddWithValue("pem", signer.PublicKeyPem);
            await insert.ExecuteNonQueryAsync(cancellation);
        }

        await transaction.CommitAsync(cancellation);
        return (checkpoint, true);
    }

    public async Task<IReadOnlyList<Checkpoint>> ListAsync(int limit, long? before, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select seq, hash, recorded_at, signed_at, key_id, algorithm, signature from {Schema}.{Name} " +
            "where (@before::bigint is null or id < @before) order by id desc limit @limit");
        command.Parameters.Add(new NpgsqlParameter("before", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)before ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        var checkpoints = new List<Checkpoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            checkpoints.Add(Read(reader));
        }

        return checkpoints;
    }

    /// <summary>Every key of the stored checkpoints, oldest first, and the current one (last, if it has signed none yet).</summary>
    public async Task<IReadOnlyList<SigningKey>> KeysAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select key_id, min(algorithm), max(public_key_pem), min(signed_at), max(signed_at), count(*) from {Schema}.{Name} group by key_id order by min(signed_at), key_id");
        var keys = new List<SigningKey>();
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                var current = reader.GetString(0) == signer.KeyId;
                keys.Add(new SigningKey(
                    reader.GetString(0), reader.GetString(1), current ? signer.PublicKeyPem : reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt64(5), current));
            }
        }

        if (!keys.Exists(key => key.Current))
        {
            keys.Add(new SigningKey(signer.KeyId, CheckpointSigner.Algorithm, signer.PublicKeyPem, null, null, 0, Current: true));
        }

        return keys;
    }

    private static Checkpoint Read(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3),
            reader.GetString(4), reader.GetString(5), reader.GetString(6));
}
