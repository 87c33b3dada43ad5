using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using Marten;

namespace IdlibLedger.Audit;

/// <summary>
/// What a seal covers: every column of an event row that carries meaning, except its global sequence, which the
/// INSERT assigns (<c>nextval</c>) after the seal is made. <c>Version</c> is null when the append could not know it;
/// <c>Archived</c> (Marten hides archived events from reads) is false when sealed, and null in a row that holds NULL.
/// </summary>
public sealed record SealedEvent(
    Guid Id, Guid StreamId, long? Version, string Type, DateTimeOffset RecordedAt, string? RecordedBy, string? CorrelationId, string? CausationId,
    bool? Archived, string Data);

/// <summary>
/// The seal of an event: HMAC-SHA256, with a key kept outside the database, over the UTF-8 text
/// <see cref="Preimage"/>, stored in the event's headers as <c>{"seal": "v1:keyId:hex"}</c> by the same INSERT
/// that writes the event. A row inserted with SQL has none, and a row changed after it was written no longer
/// matches its seal, whether or not the hash chain has reached it yet.
/// </summary>
public static class Seals
{
    /// <summary>The key of the seal in <c>mt_events.headers</c>.</summary>
    public const string Header = "seal";

    public const string Version1 = "v1";

    /// <summary>
    /// One field a line: a fixed first line, the ids in the <c>D</c> form, the version (or <c>-</c>), the times as the
    /// chain writes them, the free-text fields as JSON strings (or <c>null</c>), and the data as canonical JSON
    /// with plain numbers (<see cref="CanonicalData"/>). JSON strings keep a line break inside a field from
    /// passing for the start of the next one.
    /// </summary>
    public static string Preimage(SealedEvent sealedEvent) => Head(sealedEvent) + CanonicalData(sealedEvent.Data);

    /// <summary>Every line of the <see cref="Preimage"/> up to the data's canonical JSON, which follows it.</summary>
    internal static string Head(SealedEvent sealedEvent)
    {
        ArgumentNullException.ThrowIfNull(sealedEvent);
        return string.Join('\n',
            "idlib-ledger seal v1",
            "id " + sealedEvent.Id.ToString("D"),
            "stream " + sealedEvent.StreamId.ToString("D"),
            "version " + (sealedEvent.Version?.ToString(CultureInfo.InvariantCulture) ?? "-"),
            "type " + Text(sealedEvent.Type),
            "recordedAt " + sealedEvent.RecordedAt.UtcDateTime.ToString(HashChain.RecordedAtFormat, CultureInfo.InvariantCulture),
            "recordedBy " + Text(sealedEvent.RecordedBy),
            "correlationId " + Text(sealedEvent.CorrelationId),
            "causationId " + Text(sealedEvent.CausationId),
            "archived " + sealedEvent.Archived switch { true => "true", false => "false", null => "null" },
            "data ");
    }

    /// <summary>
    /// The chain's canonical JSON, but with every number as a plain decimal: the seal is made from the JSON the
    /// service sends and checked against the JSON PostgreSQL gives back, and <c>jsonb</c> rewrites numbers
    /// (<c>1E-07</c> comes back as <c>0.0000001</c>).
    /// </summary>
    public static string CanonicalData(string json) => HashChain.Canonical(json, plainNumbers: true);

    /// <summary><see cref="CanonicalData"/> as UTF-8, what the seal's HMAC reads.</summary>
    public static byte[] CanonicalDataUtf8(string json) => HashChain.CanonicalUtf8(json, plainNumbers: true);

    /// <summary>
    /// A JSON number as a plain decimal: no exponent, no '+', no leading zeros, no trailing zeros after the point,
    /// no point without digits after it, and zero as <c>0</c>. <c>-1.50E+2</c> → <c>-150</c>, <c>1E-07</c> → <c>0.0000001</c>.
    /// </summary>
    public static string PlainNumber(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        // Most numbers are plain already (JSON allows no leading zeros): only an exponent, a trailing zero after the point, or -0 need work.
        if (number.AsSpan().IndexOfAny('e', 'E') < 0 && (number.Contains('.', StringComparison.Ordinal) ? number[^1] != '0' : number != "-0"))
        {
            return number;
        }

        var text = number.AsSpan();
        var negative = text.StartsWith("-");
        if (negative)
        {
            text = text[1..];
        }

        var exponentAt = text.IndexOfAny('e', 'E');
        var exponent = 0;
        if (exponentAt >= 0)
        {
            // Exponents beyond what a double or PostgreSQL's numeric holds are left as they are written.
            if (!int.TryParse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 100_000)
            {
                return number;
            }

            text = text[..exponentAt];
        }

        var pointAt = text.IndexOf('.');
        var digits = pointAt < 0 ? text.ToString() : string.Concat(text[..pointAt], text[(pointAt + 1)..]);
        var point = (pointAt < 0 ? text.Length : pointAt) + exponent;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        point -= leading;
        if (digits.Length == 0)
        {
            return "0";
        }

        var plain = point <= 0 ? "0." + new string('0', -point) + digits
            : point >= digits.Length ? digits + new string('0', point - digits.Length)
            : string.Concat(digits.AsSpan(0, point), ".", digits.AsSpan(point));
        return negative ? "-" + plain : plain;
    }

    private static string Text(string? value) => value is null ? "null" : JsonSerializer.Serialize(value);
}

/// <summary>
/// The key events are sealed with: <c>Audit:SealKeyPath</c>, a file holding the base64 of at least 32 random bytes.
/// Development (when no path is set: <c>.data/audit-seal-key</c>) and the tests (environment <c>Testing</c>) make
/// the file when it is missing, readable by its owner only; anywhere else a missing path or file stops the
/// service at start-up, because a new key would make every earlier seal fail. Events before
/// <c>Audit:SealsFrom</c> (a sequence; default 1) were written before the ledger sealed events and are not checked.
/// </summary>
public sealed class SealKey
{
    private static readonly byte[] KeyIdLabel = "idlib-ledger seal key id"u8.ToArray();
    private readonly byte[] _key;

    public SealKey(byte[] key, long sealsFrom = 1)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("a seal key has at least 32 bytes", nameof(key));
        }

        _key = key;
        SealsFrom = sealsFrom;
        KeyId = Convert.ToHexStringLower(HMACSHA256.HashData(key, KeyIdLabel))[..16];
    }

    /// <summary>Names the key in each seal, without revealing it: the first 16 hex digits of HMAC-SHA256(key, "idlib-ledger seal key id").</summary>
    public string KeyId { get; }

    /// <summary>The first sequence that must carry a seal.</summary>
    public long SealsFrom { get; }

    public static SealKey FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var path = configuration["Audit:SealKeyPath"];
        if (string.IsNullOrWhiteSpace(path) && environment.IsDevelopment())
        {
            path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", "..", ".data", "audit-seal-key"));
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException("Audit:SealKeyPath is not set: events are sealed with a key kept outside the database (docs/operations.md, 'The seal key')");
        }

        if (!File.Exists(path))
        {
            if (!environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
            {
                throw new InvalidOperationException($"Audit:SealKeyPath names no file ({path}): make the key once (docs/operations.md, 'The seal key'); a new key would make every earlier seal fail");
            }

            CreateFile(path);
        }

        var sealsFrom = long.TryParse(configuration["Audit:SealsFrom"], NumberStyles.None, CultureInfo.InvariantCulture, out var from) ? from : 1;
        return FromFile(path, sealsFrom);
    }

    public static SealKey FromFile(string path, long sealsFrom = 1)
    {
        try
        {
            return new SealKey(Convert.FromBase64String(File.ReadAllText(path).Trim()), sealsFrom);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"the seal key {path} is not base64", e);
        }
    }

    /// <summary>Writes a new key (32 random bytes, base64) to a file that must not exist yet, readable by its owner only.</summary>
    public static void CreateFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new StreamWriter(path, Encoding.ASCII, options);
        file.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }

    /// <summary>The header value: <c>v1:keyId:</c> and the HMAC-SHA256 of the preimage in lower-case hex.</summary>
    public string Seal(SealedEvent sealedEvent)
    {
        ArgumentNullException.ThrowIfNull(sealedEvent);
        return Seal(sealedEvent, Seals.CanonicalDataUtf8(sealedEvent.Data));
    }

    /// <summary><see cref="Seal(SealedEvent)"/> with the data already canonical (<see cref="Seals.CanonicalDataUtf8"/>).</summary>
    public string Seal(SealedEvent sealedEvent, ReadOnlySpan<byte> canonicalData) => $"{Seals.Version1}:{KeyId}:{Mac(sealedEvent, canonicalData)}";

    /// <summary>HMAC-SHA256 of the preimage, hashed as its head and the canonical data's bytes, never as one string.</summary>
    private string Mac(SealedEvent sealedEvent, ReadOnlySpan<byte> canonicalData)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(Encoding.UTF8.GetBytes(Seals.Head(sealedEvent)));
        hmac.AppendData(canonicalData);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>Why the stored row's seal fails, or null when it verifies (or the row predates <see cref="SealsFrom"/>).</summary>
    public string? Problem(EventRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (FormProblem(row, out var mac) is { } problem)
        {
            return problem;
        }

        if (mac is null)
        {
            return null;
        }

        byte[] canonicalData;
        try
        {
            canonicalData = Seals.CanonicalDataUtf8(row.Data);
        }
        catch (JsonException)
        {
            return "the event's data is not JSON any more";
        }

        return MacProblem(row, mac, canonicalData);
    }

    /// <summary><see cref="Problem(EventRow)"/> with the row's data already canonical, with plain numbers (<see cref="HashChain.CanonicalForms"/>).</summary>
    public string? Problem(EventRow row, ReadOnlySpan<byte> canonicalData)
    {
        ArgumentNullException.ThrowIfNull(row);
        return FormProblem(row, out var mac) ?? (mac is null ? null : MacProblem(row, mac, canonicalData));
    }

    /// <summary>What is wrong with the seal before its MAC is checked; <paramref name="mac"/> is null when nothing needs checking.</summary>
    private string? FormProblem(EventRow row, out string? mac)
    {
        mac = null;
        if (row.Sequence < SealsFrom)
        {
            return null;
        }

        if (row.Seal is null)
        {
            return "the event has no seal: it was not written by the ledger (inserted with SQL?), or its seal was removed";
        }

        if (row.Seal.Split(':') is not [Seals.Version1, var keyId, var stored])
        {
            return "the event's seal is not in the v1:keyId:hex form";
        }

        if (keyId != KeyId)
        {
            return $"the event is sealed with another key ({keyId}, not {KeyId})";
        }

        mac = stored;
        return null;
    }

    // A plain Append does not know the version it gets: its seal covers every field but that one.
    private string? MacProblem(EventRow row, string mac, ReadOnlySpan<byte> canonicalData) =>
        Matches(mac, Mac(row.Sealed(row.Version), canonicalData)) || Matches(mac, Mac(row.Sealed(version: null), canonicalData)) ? null
            : "the event's seal does not verify: its data or metadata (recordedBy, correlation or causation id, timestamp, …) changed after it was written, or the seal was forged";

    private static bool Matches(string stored, string computed) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(computed));

    /// <summary>
    /// Seals every event of a stream about to be appended, in place: the timestamp is cut to PostgreSQL's
    /// microseconds (what the row will hold), then the seal goes into the event's headers. The version is known
    /// for a new stream (1, 2, …) and for an append that states the version it expects (FetchForWriting,
    /// <c>[WriteAggregate]</c>); a plain Append gets its version from the database, so its seal leaves it out.
    /// Call it last, once nothing else will change the events (the session listener does; so must a bulk append).
    /// </summary>
    public void SealStream(StreamAction stream, ISerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(serializer);
        long? before = stream.ActionType == StreamActionType.Start ? 0 : stream.ExpectedVersionOnServer;
        for (var i = 0; i < stream.Events.Count; i++)
        {
            var e = stream.Events[i];
            if (e.Timestamp == default || string.IsNullOrEmpty(e.EventTypeName))
            {
                throw new InvalidOperationException("an event is sealed once it has its timestamp and type name");
            }

            e.Timestamp = e.Timestamp.AddTicks(-(e.Timestamp.UtcTicks % TimeSpan.TicksPerMicrosecond));
            e.SetHeader(Seals.Header, Seal(new SealedEvent(
                e.Id, stream.Id, before + i + 1, e.EventTypeName, e.Timestamp, e.UserName, e.CorrelationId, e.CausationId, e.IsArchived, serializer.ToJson(e.Data))));
        }
    }
}

/// <summary>
/// Seals the events of every SaveChanges (HTTP requests through Wolverine, the demo data, the OCHA regions).
/// Registered after <see cref="RecordedBy"/>, so that the user name it stamps is sealed too; Marten has set the
/// timestamps, ids and correlation ids before listeners run, and reads the events only after them.
/// </summary>
public sealed class SealsEvents(SealKey key) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var stream in session.PendingChanges.Streams())
        {
            key.SealStream(stream, serializer);
        }

        return Task.CompletedTask;
    }
}
