using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using FluentValidation;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Audit;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Importing;

/// <summary>One refused row: its line in the file (1 = the header), its UCDP id if readable, the columns at fault and why.</summary>
/// <param name="Line">The row's line in the file.</param>
/// <param name="UcdpId">Its UCDP id, or null.</param>
/// <param name="Columns">The columns at fault.</param>
/// <param name="Reasons">Why it was rejected.</param>
public sealed record RejectedRow(long Line, string? UcdpId, IReadOnlyList<string> Columns, IReadOnlyList<string> Reasons);

/// <summary>One row imported although its own estimates disagree: its line, UCDP id, the columns, what the source says and the repair applied.</summary>
/// <param name="Line">The row's line in the file.</param>
/// <param name="UcdpId">Its UCDP id.</param>
/// <param name="Columns">The columns that disagree.</param>
/// <param name="Reason">What the source says, starting with the columns.</param>
/// <param name="Repair">The estimate counted in totals and the rule that gave it.</param>
public sealed record ImportWarning(long Line, string UcdpId, IReadOnlyList<string> Columns, string Reason, string Repair);

/// <summary>How far an import is: rows read, imported, already present, refused.</summary>
public sealed record ImportProgress(long Rows, long Imported, long AlreadyPresent, long Rejected);

/// <summary>
/// What an import did: rows imported, rows already in the ledger (same UCDP id), rows refused — of those the first
/// <see cref="UcdpGedImporter.RejectionsAnswered"/>, and where to download them all until when — and the warnings,
/// of those the first <see cref="UcdpGedImporter.WarningsAnswered"/> and where to download them all (kept as long).
/// </summary>
/// <param name="Id">The import's id.</param>
/// <param name="Rows">Rows read.</param>
/// <param name="Imported">Rows recorded now.</param>
/// <param name="AlreadyPresent">Rows recorded by an earlier import.</param>
/// <param name="RejectedCount">Rows rejected.</param>
/// <param name="Rejected">The first rejected rows.</param>
/// <param name="RejectionReport">Where to download all of them (NDJSON).</param>
/// <param name="RejectionReportKeptUntil">Until when it can be downloaded (UTC).</param>
/// <param name="WarningCount">Rows taken although their own estimates disagree (one warning per disagreement).</param>
/// <param name="Warnings">The first of those warnings, by line.</param>
/// <param name="WarningReport">Where to download all of them (NDJSON), until RejectionReportKeptUntil.</param>
public sealed record ImportReport(
    Guid Id, long Rows, long Imported, long AlreadyPresent, long RejectedCount, IReadOnlyList<RejectedRow> Rejected,
    string RejectionReport, DateTimeOffset RejectionReportKeptUntil, long WarningCount, IReadOnlyList<ImportWarning> Warnings, string WarningReport);

/// <summary>
/// Imports a UCDP GED CSV (RFC 4180) as attack reports. Each row becomes one ReportAttack, validated like one
/// posted over HTTP, on a stream named by the UCDP id — so importing the same file again adds nothing. A bad row
/// is refused by line and column, never coerced, and never stops the good ones; each row is appended whole or not
/// at all. The file is read as it arrives, a window of rows at a time; refused rows and warnings go to the
/// <see cref="ImportLog"/> as they are found, and the answer holds only the first of each. <see cref="UcdpGedMapping"/> turns a row into its
/// report; <see cref="ImportAppender"/> appends the reports.
/// </summary>
public sealed partial class UcdpGedImporter(
    ImportAppender appender, LedgerClock clock, IHttpContextAccessor http, IValidator<ReportAttack> validator, ImportLog log, LedgerMetrics metrics, ILogger<UcdpGedImporter> logger)
{
    /// <summary>Rows appended per bulk append and transaction.</summary>
    public const int BatchSize = 5000;

    /// <summary>Rows read before they are validated (in parallel), sorted by occurrence and appended in chunks.</summary>
    public const int WindowSize = 10 * BatchSize;

    /// <summary>Rejected rows an import's answer holds (the first, by line); the rejection report has them all.</summary>
    public const int RejectionsAnswered = 100;

    /// <summary>Warnings an import's answer holds (the first, by line); the warning report has them all.</summary>
    public const int WarningsAnswered = 100;

    public static string RejectionReportOf(Guid import) => $"/api/imports/{import}/rejections";

    public static string WarningReportOf(Guid import) => $"/api/imports/{import}/warnings";

    public async Task<ImportReport> ImportAsync(
        UcdpGedFile file, string reportedBy, SourceAnomalies anomalies, IProgress<ImportProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Problems.Count > 0)
        {
            throw new ArgumentException("the file's header is not a UCDP GED header; answer its problems instead of importing it", nameof(file));
        }

        // The schema first: it also holds the import log's tables.
        await appender.ApplySchemaAsync();
        var recording = new ImportAppender.Recording(RecordedBy.Who(http.HttpContext), Activity.Current?.RootId);
        var started = clock.GetUtcNow();
        var entry = new ImportEntry(Guid.CreateVersion7(), recording.Who, started, null, started + log.KeptFor);
        await log.BeginAsync(entry, cancellation);

        // Two stages: one reads, validates and prepares batches (events, timeline rows, cell changes), the other
        // writes them; the bounded channel lets the first prepare a batch while the database takes the one before.
        var batches = Channel.CreateBounded<ImportAppender.Batch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var read = new ReadState();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var reading = Task.Run(() => ReadAsync(file, entry.Id, reportedBy, anomalies, recording, batches.Writer, read, stop.Token), stop.Token);
        long imported = 0, present = 0;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token))
            {
                var (batchImported, batchPresent) = await appender.WriteAsync(batch, cancellation);
                (imported, present) = (imported + batchImported, present + batchPresent);
                metrics.ImportRows(batchImported, LedgerMetrics.ImportOutcomes.Imported);
                metrics.ImportRows(batchPresent, LedgerMetrics.ImportOutcomes.Present);
                var (rows, rejected) = read.Counts;
                progress?.Report(new ImportProgress(rows, imported, present, rejected));
                LogProgress(logger, rows, imported, present, rejected);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await reading;
        var (total, refused) = read.Counts;
        progress?.Report(new ImportProgress(total, imported, present, refused));
        await log.FinishAsync(entry.Id, clock.GetUtcNow(), total, imported, present, refused, cancellation);
        return new ImportReport(
            entry.Id, total, imported, present, refused, read.FirstRejected, RejectionReportOf(entry.Id), entry.KeptUntil, read.WarningCount, read.FirstWarnings, WarningReportOf(entry.Id));
    }

    /// <summary>
    /// At start-up: writes the read-model rows of imported attacks whose events committed without them (an import
    /// killed between a chunk's two commits), so that the read models equal a rebuild before the first request.
    /// Only imports append events without their rows in the same transaction, and only one that never finished can
    /// have left such streams, so the search runs only then and start-up otherwise costs one indexed query.
    /// </summary>
    public async Task<int> RecoverAsync(CancellationToken cancellation) =>
        await log.AnyUnfinishedAsync(cancellation) ? await appender.RecoverAsync(cancellation) : 0;

    /// <summary>What the reading stage has seen so far, for progress and the answer (which holds the first rejections and warnings only).</summary>
    private sealed class ReadState
    {
        private readonly List<RejectedRow> _first = [];
        private readonly List<ImportWarning> _firstWarnings = [];
        private long _rows;
        private long _rejected;

        public IReadOnlyList<RejectedRow> FirstRejected => _first;

        public IReadOnlyList<ImportWarning> FirstWarnings => _firstWarnings;

        public long WarningCount { get; private set; }

        public (long Rows, long Rejected) Counts => (Interlocked.Read(ref _rows), Interlocked.Read(ref _rejected));

        public void Row() => Interlocked.Increment(ref _rows);

        public void Reject(List<RejectedRow> rows)
        {
            _first.AddRange(rows.Take(RejectionsAnswered - _first.Count));
            Interlocked.Add(ref _rejected, rows.Count);
        }

        public void Warn(List<ImportWarning> warnings)
        {
            _firstWarnings.AddRange(warnings.Take(WarningsAnswered - _firstWarnings.Count));
            WarningCount += warnings.Count;
        }
    }

    /// <summary>
    /// Reads the rows in windows, maps and validates each window's rows in parallel, logs the refused ones and the
    /// warnings, and hands on the good ones in batches, in order of occurrence (a batch then touches few days of the
    /// casualty cells, however the file is ordered). Memory holds one window, not the file.
    /// </summary>
    private async Task ReadAsync(
        UcdpGedFile file, Guid import, string reportedBy, SourceAnomalies anomalies, ImportAppender.Recording recording, ChannelWriter<ImportAppender.Batch> batches, ReadState read, CancellationToken cancellation)
    {
        try
        {
            var window = new List<GedRow>();
            while (await file.NextAsync(cancellation) is { } cells)
            {
                read.Row();
                window.Add(cells);
                if (window.Count >= WindowSize)
                {
                    await FlushWindowAsync(window);
                }
            }

            await FlushWindowAsync(window);
            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
        }

        async Task FlushWindowAsync(List<GedRow> cells)
        {
            // Mapping and validation are per row and need no I/O: they run in parallel, in file order.
            var window = new Row[cells.Count];
            Parallel.For(0, cells.Count, new ParallelOptions { CancellationToken = cancellation }, i =>
            {
                var row = ToRow(cells[i], file.HeaderCells, reportedBy, anomalies);
                if (row.Report is not null && row.Problems.Count == 0)
                {
                    row.Problems.AddRange(validator.Validate(row.Report).Errors.Select(e => new RowProblem(UcdpGedMapping.ColumnsOf(e.PropertyName), $"{e.PropertyName}: {e.ErrorMessage}")));
                }

                window[i] = row;
            });
            cells.Clear();
            var rejected = window.Where(r => r.Problems.Count > 0 || r.Report is null)
                .Select(r => new RejectedRow(r.Line, r.UcdpId.Length > 0 ? r.UcdpId : null, [.. r.Problems.SelectMany(p => p.Columns).Distinct(StringComparer.Ordinal)], [.. r.Problems.Select(p => p.Reason)]))
                .ToList();
            await log.AddRejectionsAsync(import, rejected, cancellation);
            read.Reject(rejected);
            metrics.ImportRows(rejected.Count, LedgerMetrics.ImportOutcomes.Refused);
            var warnings = window.Where(r => r.Problems.Count == 0 && r.Report is not null)
                .SelectMany(r => r.Anomalies.Select(a => new ImportWarning(r.Line, r.UcdpId, a.Columns, a.Reason, a.Repair)))
                .ToList();
            await log.AddWarningsAsync(import, warnings, cancellation);
            read.Warn(warnings);
            var good = window.Where(r => r.Problems.Count == 0 && r.Report is not null)
                .OrderBy(r => r.Report!.OccurredAt ?? r.Report.OccurredFrom)
                .Select(r => (UcdpGedMapping.StreamId(r.UcdpId), r.Report!))
                .ToList();
            foreach (var chunk in good.Chunk(BatchSize))
            {
                await batches.WriteAsync(appender.Prepare(chunk, recording), cancellation);
            }
        }
    }

    /// <summary>A row as read: its line, UCDP id, the report it states, and what is wrong with it.</summary>
    private sealed record Row(long Line, string UcdpId, ReportAttack? Report, List<RowProblem> Problems, List<RowAnomaly> Anomalies);

    private static Row ToRow(GedRow cells, int headerCells, string reportedBy, SourceAnomalies anomalies)
    {
        if (cells.Unreadable is not null)
        {
            return new Row(cells.Line, string.Empty, null, [new RowProblem([], cells.Unreadable)], []);
        }

        var ucdpId = cells["id"].Trim();

        // Cells counted against the wrong columns would be read as what they are not.
        if (cells.CellCount != headerCells)
        {
            return new Row(cells.Line, ucdpId, null,
                [new RowProblem([], string.Create(CultureInfo.InvariantCulture, $"the row has {cells.CellCount} cells where the header has {headerCells} columns"))], []);
        }

        var (report, problems, found) = UcdpGedMapping.ToReport(column => cells[column], reportedBy, anomalies);
        return new Row(cells.Line, ucdpId, report, problems, found);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "UCDP GED import: {Rows} rows processed, {Imported} imported, {Present} already present, {Rejected} rejected")]
    private static partial void LogProgress(ILogger logger, long rows, long imported, long present, long rejected);
}
