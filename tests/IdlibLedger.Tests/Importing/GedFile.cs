using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Alba;
using IdlibLedger.Tests.Fixtures;
using Shouldly;
using System.Text;

namespace IdlibLedger.Tests.Importing;

/// <summary>
/// UCDP GED files for the import tests: the 21 columns the importer reads and one valid row (clashes near Tah on
/// 1 September 2019, two killed), which a test changes cell by cell.
/// </summary>
internal static class GedFile
{
    public static readonly string[] Header =
    [
        "id", "type_of_violence", "dyad_name", "side_a", "side_b", "source_office", "source_date", "source_headline", "where_prec", "latitude", "longitude",
        "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high",
    ];

    private static readonly string[] Valid =
    [
        "1", "1", "Government of Syria - Syrian insurgents", "Government of Syria", "Syrian insurgents", "SOHR", "2019-09-01", "Clashes near Tah", "1", "35.54318", "36.728542",
        "1", "2019-09-01", "2019-09-01", "0", "2", "0", "0", "2", "2", "2",
    ];

    /// <summary>Imports <paramref name="csv"/> as an admin would and returns the answer; fails the test unless it is 200.</summary>
    public static async Task<JsonObject> ImportedAsync(this IAlbaHost host, string csv, string query = "")
    {
        using var client = host.Client();
        using var response = await client.PostAsync("/api/imports/ucdp-ged" + query, Content(csv));
        var json = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return json;
    }

    /// <summary>The valid row under <paramref name="id"/>, with <paramref name="changes"/> (column, cell as written in the file).</summary>
    public static string Row(string id, params (string Column, string Cell)[] changes)
    {
        var cells = Valid.ToArray();
        cells[0] = id;
        foreach (var (column, cell) in changes)
        {
            cells[Array.IndexOf(Header, column)] = cell;
        }

        return string.Join(',', cells);
    }

    /// <summary>The valid row's cells by column, with <paramref name="changes"/>.</summary>
    public static Dictionary<string, string> Cells(params (string Column, string Cell)[] changes)
    {
        var cells = Header.Zip(Valid).ToDictionary(c => c.First, c => c.Second, StringComparer.Ordinal);
        foreach (var (column, cell) in changes)
        {
            cells[column] = cell;
        }

        return cells;
    }

    public static string HeaderLine => string.Join(',', Header);

    /// <summary>The header, then the rows, one per line.</summary>
    public static string Of(params string[] rows) => string.Join('\n', [HeaderLine, .. rows]) + "\n";

    public static StringContent Content(string csv) => new(csv, Encoding.UTF8, "text/csv");
}

/// <summary>
/// A text/csv body sent in two parts: the first at once, the rest only when <c>release</c> completes — so that a
/// test can look at the service while it holds half a body.
/// </summary>
internal sealed class HeldBackContent : HttpContent
{
    private readonly string _first;
    private readonly string _rest;
    private readonly Task _release;

    public HeldBackContent(string first, string rest, Task release)
    {
        (_first, _rest, _release) = (first, rest, release);
        Headers.ContentType = new MediaTypeHeaderValue("text/csv");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(_first));
        await stream.FlushAsync();
        await _release;
        await stream.WriteAsync(Encoding.UTF8.GetBytes(_rest));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
