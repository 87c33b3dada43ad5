using System.Security.Cryptography;
using System.Text;

namespace IdlibLedger.Infrastructure;

/// <summary>Name-based stream ids: the same name always gives the same stream, so a retried command finds it.</summary>
public static class StreamIds
{
    public static Guid For(string kind, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"idlib-ledger/{kind}/{name.Trim()}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom), RFC 9562
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>A new stream's id when the client gives none: time-ordered (UUIDv7), so new streams sort by creation.</summary>
    public static Guid New() => Guid.CreateVersion7();
}
