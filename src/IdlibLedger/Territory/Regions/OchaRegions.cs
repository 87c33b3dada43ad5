using System.Text.Json;
using System.Text.RegularExpressions;
using IdlibLedger.Spatial;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries.Utilities;

namespace IdlibLedger.Territory.Regions;

/// <summary>
/// Registers the OCHA admin units of <c>../shared/data</c> (Syria's governorates, Idleb's districts and
/// sub-districts) as regions at start-up, when the folder is there. The governorate of Idleb gets the id
/// <c>idlib</c>; other governorates their name, districts and sub-districts their p-code. Already registered
/// regions are left alone, so restarts append nothing.
/// </summary>
public sealed partial class OchaRegions(
    IDocumentStore store, IOptions<LedgerOptions> options, IHostEnvironment environment, ILogger<OchaRegions> logger) : IHostedService
{
    private static readonly (string File, string Level)[] Files =
    [
        ("syria_adm1_governorates_ocha.geojson", "governorate"),
        ("idlib_adm2_districts_ocha.geojson", "district"),
        ("idlib_adm3_subdistricts_ocha.geojson", "sub-district"),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = DataFolder();
        if (folder is null)
        {
            LogNoData(logger);
            return;
        }

        var added = await RegisterAsync(folder, cancellationToken);
        LogRegistered(logger, added, folder);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Where the shared data is: Ledger:SharedDataPath, LEDGER_SHARED_DATA, or ../shared/data beside the repository.</summary>
    public string? DataFolder()
    {
        var candidates = new[]
        {
            options.Value.SharedDataPath,
            Environment.GetEnvironmentVariable("LEDGER_SHARED_DATA"),
            Path.Combine(environment.ContentRootPath, "..", "..", "..", "shared", "data"),
        };
        return candidates
            .Where(path => !string.IsNullOrWhiteSpace(path) && File.Exists(Path.Combine(path, Files[0].File)))
            .Select(path => Path.GetFullPath(path!))
            .FirstOrDefault();
    }

    public async Task<int> RegisterAsync(string folder, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var added = 0;
        foreach (var (file, level) in Files)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                continue;
            }

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path, cancellation));
            foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
            {
                var properties = feature.GetProperty("properties");
                var name = properties.GetProperty("NAME_EN").GetString()!;
                var pcode = properties.GetProperty("PCODE").GetString()!;
                var id = IdFor(level, name, pcode);
                var start = await Streams.StartOnceAsync(session, RegionEndpoints.StreamId(id), null, _ =>
                {
                    // Reference data, simplified by its publisher: made valid if simplification broke it, never refused.
                    var area = GeometryFields.AsMultiPolygon(GeometryFixer.Fix(GeoJson.FromJson(feature.GetProperty("geometry"))));
                    return Decision.Start(new RegionRegistered(id, name, level, pcode, GeoJson.ToJson(area), $"OCHA COD-AB ({file}), CC BY 3.0 IGO"));
                }, cancellation);
                added += start.Started ? 1 : 0;
            }
        }

        await session.SaveChangesAsync(cancellation);
        return added;
    }

    public static string IdFor(string level, string name, string pcode) => level switch
    {
        "governorate" when pcode == "SY07" => "idlib",
        "governorate" => NonAlphanumeric().Replace(name.ToLowerInvariant(), "-").Trim('-'),
        _ => pcode.ToLowerInvariant(),
    };

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();

    [LoggerMessage(Level = LogLevel.Information, Message = "No OCHA boundaries found (set Ledger:SharedDataPath); regions can still be posted")]
    private static partial void LogNoData(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Count} OCHA regions from {Folder}")]
    private static partial void LogRegistered(ILogger logger, int count, string folder);
}
