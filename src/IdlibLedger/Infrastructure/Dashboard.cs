using System.Text.Json.Serialization;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace IdlibLedger.Infrastructure;

/// <summary>The dashboard's settings, section <c>Ledger:Dashboard</c>: a tile server for deployments that can reach one.</summary>
public sealed class DashboardOptions
{
    /// <summary>A raster tile URL template (<c>https://…/{z}/{x}/{y}.png</c>); none by default: the page draws the registered regions as its base layer.</summary>
    public string? TileUrl { get; set; }

    /// <summary>The attribution the tile server asks for, shown on the map.</summary>
    public string? TileAttribution { get; set; }
}

/// <summary>What the page is told before it reads the API (public, holds no data).</summary>
public sealed record DashboardSettings(
    [property: JsonPropertyName("tileUrl")] string? TileUrl,
    [property: JsonPropertyName("tileAttribution")] string? TileAttribution);

/// <summary>
/// The dashboard at <c>/</c>: the bundle that <c>npm run build</c> writes to src/IdlibLedger.Dashboard/dist/ and the
/// build copies beside the service as <c>dashboard/</c>. Static files, open to anyone (the page holds no data: it reads
/// the API with the visitor's credentials, or without when reads are public). Without a bundle, <c>/</c> says how to
/// build one instead of answering 404.
/// </summary>
public static class Dashboard
{
    public const string SettingsPath = "/dashboard/settings.json";

    /// <summary>The page may load only its own scripts and styles, and call only this origin (and the tile server, if set).</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:TILES; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "dashboard");

    public static WebApplication UseLedgerDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = LedgerOptions.From(app.Configuration).Dashboard;
        var policy = ContentSecurityPolicy.Replace("TILES", TileOrigin(options.TileUrl), StringComparison.Ordinal);
        if (File.Exists(Path.Combine(Folder, "index.html")))
        {
            var files = new PhysicalFileProvider(Folder);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = file => Secure(file.Context.Response, policy,
                    // Bundles are named by their content's hash, so they never change under their name; the page itself may.
                    file.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal) ? "public, max-age=31536000, immutable" : "no-cache"),
            });
        }
        else
        {
            app.MapGet("/", (HttpResponse response) =>
            {
                Secure(response, policy, "no-cache");
                return Results.Content(NotBuilt, "text/html; charset=utf-8");
            }).ExcludeFromDescription().AllowAnonymous();
        }

        app.MapGet(SettingsPath, () => new DashboardSettings(options.TileUrl, options.TileAttribution))
            .ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static void Secure(HttpResponse response, string policy, string cacheControl)
    {
        response.Headers[HeaderNames.CacheControl] = cacheControl;
        response.Headers[HeaderNames.ContentSecurityPolicy] = policy;
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static string TileOrigin(string? tileUrl) =>
        Uri.TryCreate(tileUrl?.Replace("{", string.Empty, StringComparison.Ordinal).Replace("}", string.Empty, StringComparison.Ordinal), UriKind.Absolute, out var uri)
            ? $" {uri.Scheme}://{uri.Authority}"
            : string.Empty;

    private const string NotBuilt = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>IdlibLedger</title></head>
        <body>
        <h1>IdlibLedger</h1>
        <p>The dashboard is not built into this copy of the service. <code>deploy/local/run.sh</code> builds it; by hand:
        <code>cd src/IdlibLedger.Dashboard &amp;&amp; npm ci &amp;&amp; npm run build</code>, then build the service again.</p>
        <p>The API answers meanwhile: <a href="/scalar">API reference</a>, <a href="/openapi/v1.json">OpenAPI document</a>.</p>
        </body></html>
        """;
}
