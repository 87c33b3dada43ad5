using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Brotli or gzip, at the fastest level, for the text the API and the page send. Not for <c>text/event-stream</c>:
/// a compressor holds bytes back until it has enough, and a live message must leave when it is written.
/// </summary>
public static class Compression
{
    public static readonly string[] MimeTypes =
    [
        "application/json", "application/geo+json", "application/problem+json", "text/csv",
        "text/html", "text/javascript", "text/css", "image/svg+xml",
    ];

    public static IServiceCollection AddLedgerCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(compression =>
        {
            // The answers hold no secret next to text an attacker chose (BREACH): see docs/security.md.
            compression.EnableForHttps = true;
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            compression.MimeTypes = MimeTypes;
        });
        services.Configure<BrotliCompressionProviderOptions>(brotli => brotli.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(gzip => gzip.Level = CompressionLevel.Fastest);
        return services;
    }
}
