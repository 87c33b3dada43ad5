using System.Text;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.HostileInput;

/// <summary>The import's file is hostile input too: a CSV its reader refuses is the client's fault (400), not a 500.</summary>
public sealed class a_csv_the_reader_cannot_read(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Header = "id,type_of_violence,dyad_name,side_a,side_b,source_office,source_date,source_headline,where_prec,latitude,longitude,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,low,best,high";

    [Theory]
    [InlineData("source_date")]
    [InlineData("deaths_a")]
    public async Task a_header_naming_a_column_twice_is_400_naming_the_column_and_records_nothing(string column)
    {
        // Found by fuzzing_every_command: the CSV reader throws on a repeated column name, which answered 500.
        var header = Header.Replace(column, $"{column},{column}", StringComparison.Ordinal);
        var csv = header + "\nhostile-1,1,Government of Syria - Syrian insurgents,Government of Syria,Syrian insurgents,SOHR,2019-09-01,2019-09-01,Clashes,1,35.5,36.7,1,2019-09-01,2019-09-01,0,0,2,0,0,2,2,2\n";
        using var client = Host.Client();

        var answer = await Answer.ToAsync(client, new HttpRequestMessage(HttpMethod.Post, "/api/imports/ucdp-ged") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") });

        answer.Status.ShouldBe(400, answer.ToString());
        answer.MediaType.ShouldBe("application/problem+json");
        answer.Json["errors"]!.ToJsonString().ShouldContain(column);
        (await Ledger.EventCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task a_cell_holding_a_control_character_is_a_rejected_row_not_a_500()
    {
        // Found by fuzzing_every_command: U+0000 in a text cell reached PostgreSQL, which stores none (500).
        var csv = Header + "\nhostile-2,1,Government of Syria - Syrian insurgents,Government of Syria,Syrian insurgents,SOHR,2019-09-01,Clashes\u0000near Tah,1,35.5,36.7,1,2019-09-01,2019-09-01,0,2,0,0,2,2,2\n";
        using var client = Host.Client();

        var answer = await Answer.ToAsync(client, new HttpRequestMessage(HttpMethod.Post, "/api/imports/ucdp-ged") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") });

        answer.Status.ShouldBe(200, answer.ToString());
        answer.Json["imported"]!.GetValue<long>().ShouldBe(0);
        answer.Json["rejected"]!.ToJsonString().ShouldContain("source_headline");
        answer.Json["rejected"]![0]!["reasons"]![0]!.GetValue<string>().ShouldContain("U+0000");
        (await Ledger.EventCountAsync()).ShouldBe(0);
    }
}
