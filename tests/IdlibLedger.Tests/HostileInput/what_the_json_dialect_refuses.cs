using System.Text;
using IdlibLedger.Infrastructure;
using Shouldly;

namespace IdlibLedger.Tests.HostileInput;

/// <summary>
/// <see cref="LedgerJson.FindDefect"/> on its own, without HTTP: what well-formed JSON the ledger still refuses, and the
/// path it names (the path System.Text.Json and the validators use: <c>sources[0].title</c>).
/// </summary>
public sealed class what_the_json_dialect_refuses
{
    [Theory]
    [InlineData("""{"description": "a\u0000b"}""", "description", "U+0000")]
    [InlineData("""{"sources": [{"outlet": "x"}, {"outlet": "\u007f"}]}""", "sources[1].outlet", "U+007F")]
    [InlineData("""{"targets": ["a", "b\nc"]}""", "targets[1]", "U+000A")]
    [InlineData("""{"description": "a\u0001"}""", "description", "U+0001")]
    [InlineData("""{"reason": "\ud800"}""", "reason", "Unicode")]
    [InlineData("""{"reason": "\udc00\ud800"}""", "reason", "Unicode")]
    [InlineData("""{"a": {"b": [[{"c": "\u001b"}]]}}""", "a.b[0][0].c", "U+001B")]
    [InlineData("""[{"description": "ok"}, {"description": "\u0000"}]""", "[1].description", "U+0000")]
    [InlineData("""["\u0000"]""", "[0]", "U+0000")]
    [InlineData("\"\\u0000\"", "", "U+0000")]
    [InlineData("""{"perpetrator": "a", "perpetrator": "b"}""", "perpetrator", "more than once")]
    [InlineData("""{"perpetrator": "a", "Perpetrator": "b"}""", "Perpetrator", "more than once")]
    [InlineData("""{"killed": {"low": 1, "best": 2, "low": 3}}""", "killed.low", "more than once")]
    [InlineData("""{"a\u0000": 1}""", "", "key")]
    [InlineData("""{"x": {"a\u0000": 1}}""", "x", "key")]
    [InlineData("""{"coordinates": [1e-400, 35.9]}""", "coordinates[0]", "read as 0")]
    [InlineData("""{"coordinates": [1e400, 35.9]}""", "coordinates[0]", "out of range")]
    [InlineData("""{"coordinates": [-1e309]}""", "coordinates[0]", "out of range")]
    [InlineData("""{"expectedVersion": 4e-324}""", null, null)]
    [InlineData("""{"expectedVersion": 2e-324}""", "expectedVersion", "read as 0")]
    [InlineData("""{"description": "tab\there, line\nthere\r\n"}""", null, null)]
    [InlineData("""{"title": "tab\there"}""", null, null)]
    [InlineData("""{"sources": [{"title": "line\nbreak"}]}""", null, null)]
    [InlineData("""{"description": "emoji \ud83d\udca5 and \u00e9"}""", null, null)]
    [InlineData("""{"coordinates": [0, -0, 0.0, 0e10, 36.78, 1e308]}""", null, null)]
    [InlineData("""{"a": 1, "b": {"a": 1}, "c": [{"a": 1}, {"a": 1}]}""", null, null)]
    [InlineData("""{"truncated": "\u0000""", null, null)]
    [InlineData("""{"a": 1} {"a": 1}""", null, null)]
    public void finds_the_first_defect_and_names_its_path(string json, string? path, string? says)
    {
        var defect = LedgerJson.FindDefect(Encoding.UTF8.GetBytes(json));

        if (path is null)
        {
            defect.ShouldBeNull(json);
            return;
        }

        defect.ShouldNotBeNull(json);
        defect.Path.ShouldBe(path, json);
        if (says is not null)
        {
            defect.Message.ShouldContain(says, Case.Insensitive, json);
        }
    }

    [Fact]
    public void a_negative_zero_written_with_an_exponent_is_zero_not_a_rounded_number() =>
        LedgerJson.FindDefect("""{"coordinates": [36.7, -0.0000e-9999]}"""u8).ShouldBeNull();

    [Fact]
    public void invalid_utf8_in_a_string_is_refused()
    {
        byte[] json = [.. "{\"description\": \"a"u8, 0xC3, 0x28, .. "\"}"u8];

        LedgerJson.FindDefect(json).ShouldNotBeNull().Path.ShouldBe("description");
    }

    [Fact]
    public void a_byte_order_mark_is_skipped_as_the_serializer_skips_it() =>
        LedgerJson.FindDefect([.. Encoding.UTF8.Preamble, .. """{"description": "\u0000"}"""u8]).ShouldNotBeNull().Path.ShouldBe("description");

    [Fact]
    public void nesting_deeper_than_the_serializer_reads_is_left_to_the_serializer() =>
        LedgerJson.FindDefect(Encoding.UTF8.GetBytes(new string('[', 1000) + "\"\\u0000\"" + new string(']', 1000))).ShouldBeNull();

    [Fact]
    public void every_free_text_field_takes_line_breaks_and_no_name_does()
    {
        foreach (var field in LedgerJson.FreeTextFields)
        {
            LedgerJson.FindDefect(Encoding.UTF8.GetBytes($$"""{"{{field}}": "one\ttwo\r\nthree"}""")).ShouldBeNull(field);
        }

        foreach (var field in new[] { "perpetrator", "party", "outlet", "name", "actor", "reportedBy", "claimedBy", "id" })
        {
            LedgerJson.FindDefect(Encoding.UTF8.GetBytes($$"""{"{{field}}": "one\ttwo"}""")).ShouldNotBeNull(field).Path.ShouldBe(field);
        }
    }
}
