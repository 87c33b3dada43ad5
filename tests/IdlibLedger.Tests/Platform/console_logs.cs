using System.Text.Json;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>Console logs as the service writes them: one JSON object a line outside Development, plain text in it.</summary>
public sealed class console_logs
{
    /// <summary>One entry, inside a scope, as the console logger of a service in <paramref name="environment"/> writes it.</summary>
    private static string LineIn(string environment)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.AddLedgerLogging();
        using var services = builder.Services.BuildServiceProvider();
        var formatterName = services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName;
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == formatterName);

        var scopes = new LoggerExternalScopeProvider();
        using var scope = scopes.Push("request 0HN-request");
        using var output = new StringWriter();
        formatter.Write(new LogEntry<string>(LogLevel.Warning, "IdlibLedger.Audit", new EventId(7), "chain broken at 42", null, (state, _) => state), scopes, output);
        return output.ToString();
    }

    [Fact]
    public void outside_development_a_line_is_json_with_a_utc_timestamp_and_the_scopes()
    {
        var line = LineIn("Production");

        line.TrimEnd().ShouldNotContain('\n');
        using var json = JsonDocument.Parse(line);
        var entry = json.RootElement;
        entry.GetProperty("LogLevel").GetString().ShouldBe("Warning");
        entry.GetProperty("Category").GetString().ShouldBe("IdlibLedger.Audit");
        entry.GetProperty("Message").GetString().ShouldBe("chain broken at 42");
        var timestamp = entry.GetProperty("Timestamp").GetString()!;
        timestamp.ShouldEndWith("Z");
        DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        entry.GetProperty("Scopes").GetRawText().ShouldContain("0HN-request");
    }

    [Fact]
    public void in_development_a_line_is_plain_text()
    {
        var line = LineIn("Development");

        line.ShouldStartWith("warn: IdlibLedger.Audit[7]");
        line.ShouldContain("0HN-request");
        line.ShouldContain("chain broken at 42");
    }
}
