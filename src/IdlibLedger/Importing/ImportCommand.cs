using JasperFx.CommandLine;

namespace IdlibLedger.Importing;

public sealed class ImportInput : NetCoreInput
{
    [Description("What to import: ucdp-ged")]
    public string Kind { get; set; } = "ucdp-ged";

    [Description("The CSV file")]
    public string File { get; set; } = string.Empty;

    [Description("Who the reports are recorded as coming from (default ucdp-ged-import)")]
    public string? ReportedByFlag { get; set; }

    [Description("Rows whose own estimates disagree: repair (default: imported with the documented repair, listed as warnings) or reject (refused by line)")]
    public string? AnomaliesFlag { get; set; }
}

/// <summary><c>import ucdp-ged FILE</c>: the same import as POST /api/imports/ucdp-ged, with a progress line and every rejection.</summary>
[Description("Import a UCDP GED CSV file as attack reports (re-imports add nothing)", Name = "import")]
public sealed class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public override async Task<bool> Execute(ImportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (ImportEndpoints.AnomaliesOf(input.AnomaliesFlag) is not { } anomalies)
        {
            await Console.Error.WriteLineAsync($"--anomalies is {ImportEndpoints.AnomalyChoices}, not '{input.AnomaliesFlag}'");
            return false;
        }

        if (input.Kind != "ucdp-ged" || !System.IO.File.Exists(input.File))
        {
            await Console.Error.WriteLineAsync(input.Kind != "ucdp-ged" ? $"unknown kind '{input.Kind}': use ucdp-ged" : $"no such file: {input.File}");
            return false;
        }

        using var host = input.BuildHost();
        await using var scope = host.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<UcdpGedImporter>();
        using var reader = new StreamReader(input.File);
        using var file = await UcdpGedFile.OpenAsync(reader, CancellationToken.None);
        if (file.Problems.Count > 0)
        {
            foreach (var (column, problems) in file.Problems)
            {
                await Console.Error.WriteLineAsync($"{column}: {string.Join("; ", problems)}");
            }

            await Console.Error.WriteLineAsync("nothing was imported: the first line must be a UCDP GED header");
            return false;
        }

        var progress = new Progress<ImportProgress>(p => Console.Write($"\rrows read: {p.Rows:N0}, imported: {p.Imported:N0}, already present: {p.AlreadyPresent:N0}, rejected: {p.Rejected:N0}"));
        var report = await importer.ImportAsync(file, input.ReportedByFlag ?? "ucdp-ged-import", anomalies, progress, CancellationToken.None);
        Console.WriteLine();
        Console.WriteLine($"{report.Rows:N0} rows: {report.Imported:N0} imported, {report.AlreadyPresent:N0} already present, {report.RejectedCount:N0} rejected, {report.WarningCount:N0} warnings");
        foreach (var warning in report.Warnings)
        {
            Console.WriteLine($"  warning, line {warning.Line} (id {warning.UcdpId}): {warning.Reason}; {warning.Repair}");
        }

        if (report.WarningCount > report.Warnings.Count)
        {
            Console.WriteLine($"  … and {report.WarningCount - report.Warnings.Count:N0} more warnings: GET {report.WarningReport} lists them all until {report.RejectionReportKeptUntil:O}");
        }

        // Every rejection, read back from the import log a row at a time (the report keeps only the first in memory).
        await foreach (var rejected in scope.ServiceProvider.GetRequiredService<ImportLog>().RejectionsAsync(report.Id, 0, long.MaxValue, CancellationToken.None))
        {
            Console.WriteLine($"  line {rejected.Line}{(rejected.UcdpId is null ? "" : $" (id {rejected.UcdpId})")}: {string.Join("; ", rejected.Reasons)}");
        }

        if (report.RejectedCount > 0)
        {
            Console.WriteLine($"import {report.Id}: GET {report.RejectionReport} lists them until {report.RejectionReportKeptUntil:O}");
        }

        return true;
    }
}
