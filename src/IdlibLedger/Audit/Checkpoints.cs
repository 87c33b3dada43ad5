using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Audit;

/// <summary>A signed statement that the chain's link at <c>Sequence</c> is <c>Hash</c>.</summary>
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

        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, _key.ExportPkcs8PrivateKeyPem());
        }
        else
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
}

/// <summary>Signed checkpoints kept in the database: made on demand and hourly, listed for auditors.</summary>
public sealed class CheckpointStore(NpgsqlDataSource database, IDocumentStore store, CheckpointSigner signer)
{
    public const string Name = "audit_checkpoints";

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
        return table;
    }

    private string Schema => store.Options.DatabaseSchemaName;

    /// <summary>Signs the chain's head as of <paramref name="asOf"/> (null: the head now); null when nothing is chained yet.</summary>
    public async Task<Checkpoint?> SignHeadAsync(DateTimeOffset? asOf, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var head = database.CreateCommand(
            $"select seq, hash, recorded_at from {Schema}.{AuditChainProjection.Name} where (@as_of::timestamptz is null or recorded_at <= @as_of) order by seq desc limit 1");
        head.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)asOf ?? DBNull.Value });
        Checkpoint checkpoint;
        // Disposed once, here: Npgsql reuses a reader for the connection's next user, which a second dispose would close.
        await using (var reader = await head.ExecuteReaderAsync(cancellation))
        {
            if (!await reader.ReadAsync(cancellation))
            {
                return null;
            }

            checkpoint = signer.Sign(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), now);
        }

        await using var insert = database.CreateCommand(
            $"insert into {Schema}.{Name} (seq, hash, recorded_at, signed_at, key_id, algorithm, signature) values (@seq, @hash, @recorded, @signed, @key, @alg, @sig)");
        insert.Parameters.AddWithValue("seq", checkpoint.Sequence);
        insert.Parameters.AddWithValue("hash", checkpoint.Hash);
        insert.Parameters.AddWithValue("recorded", checkpoint.RecordedAt);
        insert.Parameters.AddWithValue("signed", checkpoint.SignedAt);
        insert.Parameters.AddWithValue("key", checkpoint.KeyId);
        insert.Parameters.AddWithValue("alg", checkpoint.Algorithm);
        insert.Parameters.AddWithValue("sig", checkpoint.Signature);
        await insert.ExecuteNonQueryAsync(cancellation);
        return checkpoint;
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
            checkpoints.Add(new Checkpoint(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6)));
        }

        return checkpoints;
    }
}
