using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using IdlibLedger.Tests.Fixtures;

namespace IdlibLedger.Tests.Contract;

/// <summary>The OpenAPI document as the service serves it and as docs/openapi.json holds it.</summary>
public static class ContractDocument
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>docs/openapi.json in the repository this test assembly was built from.</summary>
    public static string CommittedPath { get; } = FindCommitted();

    /// <summary>GET /openapi/v1.json, indented the one way the committed file is (two spaces, "\n", a final newline).</summary>
    public static async Task<string> LiveTextAsync(IAlbaHost host)
    {
        var document = await host.GetJsonAsync("/openapi/v1.json");
        return document.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
    }

    public static JsonObject Committed() => JsonNode.Parse(File.ReadAllText(CommittedPath))!.AsObject();

    private static string FindCommitted()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "IdlibLedger.sln")))
            {
                return Path.Combine(folder.FullName, "docs", "openapi.json");
            }
        }

        throw new InvalidOperationException("The repository root (IdlibLedger.sln) is not above " + AppContext.BaseDirectory);
    }
}
