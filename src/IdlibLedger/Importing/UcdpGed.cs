using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using FluentValidation;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Audit;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace IdlibLedger.Importing;

/// <summary>What is wrong with a row: the columns it concerns and why (the reason starts with the column names).</summary>
public sealed record RowProblem(IReadOnlyList<string> Columns, string Reason);

/// <summary>One refused row: its line in the file (1 = the header), its UCDP id if readable, the columns at fault and why.</summary>
public sealed record RejectedRow(long Line, string? UcdpId, IReadOnlyList<string> Columns, IReadOnlyList<string> Reasons);

/// <summary>How far an import is: rows read, imported, already present, refused.</summary>
public sealed record ImportProgress(long Rows, long Imported, long AlreadyPresent, long Rejected);

/// <summary>
/// What an import did: rows imported, rows already in the ledger (same UCDP id), rows refused — of those the first
/// <see cref="UcdpGedImporter.RejectionsAnswered"/>, and where to download them all until when.
/// </summary>
public sealed record ImportReport(
    Guid Id, long Rows, long Imported, long AlreadyPresent, long RejectedCount, IReadOnlyList<RejectedRow> Rejected,
    string RejectionReport, DateTimeOffset RejectionReportKeptUntil);

/// <summary>
/// Imports a UCDP GED CSV (RFC 4180) as attack reports. Each row becomes one ReportAttack, validated like one
/// posted over HTTP, on a stream named by the UCDP id — so importing the same file again adds nothing. A bad row
/// is refused by line and column, never coerced, and never stops the good ones; each row is appended whole or not
/// at all. The file is read as it arrives, a window of rows at a time; refused rows go to the <see cref="ImportLog"/>
/// as they are found, and the answer holds only the first of them.
/// Mapping: side_a → perpetrator, side_b → target; where_prec 1..7 → locationPrecision; date_prec 1..5 → day,
/// days, week, month, year over [date_start, date_end]; deaths_a / deaths_b → military of side a / b,
/// deaths_civilians → civilian, deaths_unknown → unknown, with low and high spread so that each category keeps
/// low ≤ best ≤ high and the sums equal the row's low / best / high; source fields → one source.
/// </summary>
public sealed partial class UcdpGedImporter(
    IDocumentStore store, NpgsqlDataSource database, LedgerClock clock, IHttpContextAccessor http, IValidator<ReportAttack> validator, ImportLog log,
    ILogger<UcdpGedImporter> logger, SealKey seals, TimelineQueries timelineQueries)
{
    /// <summary>Rows appended per bulk append and transaction.</summary>
    public const int BatchSize = 5000;

    public static Guid StreamId(string ucdpId) => StreamIds.For("ucdp-ged", ucdpId);

    /// <summary>Rows read before they are validated (in parallel), sorted by occurrence and appended in chunks.</summary>
    public const int WindowSize = 10 * BatchSize;

    /// <summary>Rejected rows an import's answer holds (the first, by line); the rejection report has them all.</summary>
    public const int RejectionsAnswered = 100;

    public static string RejectionReportOf(Guid import) => $"/api/imports/{import}/rejections";

    public async Task<ImportReport> ImportAsync(UcdpGedFile file, string reportedBy, IProgress<ImportProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Problems.Count > 0)
        {
            throw new ArgumentException("the file's header is not a UCDP GED header; answer its problems instead of importing it", nameof(file));
        }

        // The command line does not start the service, which applies the schema at start-up; the import reads the
        // event tables itself before Marten would create them, so it applies any missing schema first.
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var recording = new Recording(RecordedBy.Who(http.HttpContext), Activity.Current?.RootId);
        var started = clock.GetUtcNow();
        var entry = new ImportEntry(Guid.CreateVersion7(), recording.Who, started, null, started + log.KeptFor);
        await log.BeginAsync(entry, cancellation);

        // Two stages: one reads, validates and prepares batches (events, timeline rows, cell changes), the other
        // writes them; the bounded channel lets the first prepare a batch while the database takes the one before.
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var read = new ReadState();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var reading = Task.Run(() => ReadAsync(file, entry.Id, reportedBy, recording, batches.Writer, read, stop.Token), stop.Token);
        long imported = 0, present = 0;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token))
            {
                var (batchImported, batchPresent) = await WriteAsync(batch, cancellation);
                (imported, present) = (imported + batchImported, present + batchPresent);
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
        return new ImportReport(entry.Id, total, imported, present, refused, read.FirstRejected, RejectionReportOf(entry.Id), entry.KeptUntil);
    }

    /// <summary>Who records the import's events and the trace they belong to.</summary>
    private sealed record Recording(string Who, string? Correlation);

    /// <summary>A batch ready to write: its rows' count, their new streams (an id once), and their timeline rows.</summary>
    private sealed record Batch(int Rows, IReadOnlyList<StreamAction> Streams, AttackTimeline.NewAttacks Timeline);

    /// <summary>What the reading stage has seen so far, for progress and the answer (which holds the first rejections only).</summary>
    private sealed class ReadState
    {
        private readonly List<RejectedRow> _first = [];
        private long _rows;
        private long _rejected;

        public IReadOnlyList<RejectedRow> FirstRejected => _first;

        public (long Rows, long Rejected) Counts => (Interlocked.Read(ref _rows), Interlocked.Read(ref _rejected));

        public void Row() => Interlocked.Increment(ref _rows);

        public void Reject(List<RejectedRow> rows)
        {
            _first.AddRange(rows.Take(RejectionsAnswered - _first.Count));
            Interlocked.Add(ref _rejected, rows.Count);
        }
    }

    /// <summary>
    /// Reads the rows in windows, validates each window's rows in parallel, logs the refused ones and hands on the good
    /// ones in batches, in order of occurrence (a batch then touches few days of the casualty cells, however the file
    /// is ordered). Memory holds one window, not the file.
    /// </summary>
    private async Task ReadAsync(
        UcdpGedFile file, Guid import, string reportedBy, Recording recording, ChannelWriter<Batch> batches, ReadState read, CancellationToken cancellation)
    {
        try
        {
            var window = new List<Row>();
            while (await file.NextAsync(cancellation) is { } cells)
            {
                read.Row();
                window.Add(ToRow(cells, file.HeaderCells, reportedBy));
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

        async Task FlushWindowAsync(List<Row> window)
        {
            Parallel.ForEach(window.Where(r => r.Report is not null && r.Problems.Count == 0), new ParallelOptions { CancellationToken = cancellation }, row =>
                row.Problems.AddRange(validator.Validate(row.Report!).Errors.Select(e => new RowProblem(ColumnsOf(e.PropertyName), $"{e.PropertyName}: {e.ErrorMessage}"))));
            var rejected = window.Where(r => r.Problems.Count > 0 || r.Report is null)
                .Select(r => new RejectedRow(r.Line, r.UcdpId.Length > 0 ? r.UcdpId : null, [.. r.Problems.SelectMany(p => p.Columns).Distinct(StringComparer.Ordinal)], [.. r.Problems.Select(p => p.Reason)]))
                .ToList();
            await log.AddRejectionsAsync(import, rejected, cancellation);
            read.Reject(rejected);
            var good = window.Where(r => r.Problems.Count == 0 && r.Report is not null)
                .OrderBy(r => r.Report!.OccurredAt ?? r.Report.OccurredFrom)
                .Select(r => (StreamId(r.UcdpId), r.Report!))
                .ToList();
            window.Clear();
            foreach (var chunk in good.Chunk(BatchSize))
            {
                await batches.WriteAsync(Prepare(chunk, recording), cancellation);
            }
        }
    }

    /// <summary>A row as read: its line, UCDP id, the report it states, and what is wrong with it.</summary>
    private sealed record Row(long Line, string UcdpId, ReportAttack? Report, List<RowProblem> Problems);

    private static Row ToRow(GedRow cells, int headerCells, string reportedBy)
    {
        if (cells.Unreadable is not null)
        {
            return new Row(cells.Line, string.Empty, null, [new RowProblem([], cells.Unreadable)]);
        }

        var ucdpId = cells["id"].Trim();

        // Cells counted against the wrong columns would be read as what they are not.
        if (cells.CellCount != headerCells)
        {
            return new Row(cells.Line, ucdpId, null,
                [new RowProblem([], string.Create(CultureInfo.InvariantCulture, $"the row has {cells.CellCount} cells where the header has {headerCells} columns"))]);
        }

        var (report, problems) = ToReport(column => cells[column], reportedBy);
        return new Row(cells.Line, ucdpId, report, problems);
    }

    /// <summary>The GED columns a ReportAttack field is read from, for a validator's refusal (by its JSON path).</summary>
    private static IReadOnlyList<string> ColumnsOf(string path)
    {
        var field = path.Split('.', '[')[0];
        return field switch
        {
            "location" when path.Contains("[0]", StringComparison.Ordinal) => ["longitude"],
            "location" when path.Contains("[1]", StringComparison.Ordinal) => ["latitude"],
            "location" => ["latitude", "longitude"],
            "locationPrecision" => ["where_prec"],
            "occurredAt" or "occurredFrom" or "occurredUntil" => ["date_start", "date_end"],
            "datePrecision" => ["date_prec"],
            "perpetrator" => ["side_a"],
            "targets" => ["side_b"],
            "eventType" or "subEventType" => ["type_of_violence"],
            "description" => ["source_headline", "dyad_name"],
            "sources" when path.EndsWith(".publishedAt", StringComparison.Ordinal) => ["source_date"],
            "sources" when path.EndsWith(".title", StringComparison.Ordinal) => ["source_headline"],
            "sources" => ["source_office"],
            "casualties" => [.. Deaths, "low", "best", "high"],
            _ => [],
        };
    }

    private static readonly string[] Deaths = ["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"];

    [LoggerMessage(Level = LogLevel.Information, Message = "UCDP GED import: {Rows} rows processed, {Imported} imported, {Present} already present, {Rejected} rejected")]
    private static partial void LogProgress(ILogger logger, long rows, long imported, long present, long rejected);

    /// <summary>The rows' events (one new stream per id; a repeated id is already present) and timeline rows.</summary>
    private Batch Prepare((Guid Id, ReportAttack Report)[] rows, Recording recording)
    {
        // PostgreSQL keeps microseconds: the timeline's copy of the instant must be the one the events keep.
        var now = clock.GetUtcNow();
        var recordedAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        var registry = store.Options.Events as IEventRegistry ?? throw new InvalidOperationException("Marten's event graph is not an event registry");
        var ids = new HashSet<Guid>();
        var streams = new List<StreamAction>();
        foreach (var (id, report) in rows)
        {
            if (!ids.Add(id))
            {
                continue;
            }

            var stream = StreamAction.Start(registry, id, [ReportAttackEndpoint.Decide(report, id)]);
            stream.AggregateType = typeof(AttackReport);
            foreach (var e in stream.Events)
            {
                (e.StreamId, e.Timestamp, e.UserName, e.CorrelationId) = (id, recordedAt, recording.Who, recording.Correlation);
            }

            // The bulk append runs no session listener: its events are sealed here, once nothing else changes them.
            seals.SealStream(stream, store.Options.Serializer());

            streams.Add(stream);
        }

        return new Batch(rows.Length, streams, AttackTimeline.NewAttacks.From(streams.SelectMany(s => s.Events), store.Options.Serializer()));
    }

    /// <summary>
    /// Appends the batch with Marten's bulk append (PostgreSQL COPY), skipping the ids already in the ledger. The
    /// timeline rows are written first, with COPY, in a transaction of their own that commits only after the events
    /// have; if the bulk append fails, neither is stored. Imports take a lock, one at a time, so two imports of the
    /// same file cannot both find an id absent.
    /// </summary>
    private async Task<(int Imported, int Present)> WriteAsync(Batch batch, CancellationToken cancellation)
    {
        if (batch.Streams.Count == 0)
        {
            return (0, batch.Rows);
        }

        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", ImportLock);
            await command.ExecuteNonQueryAsync(cancellation);
        }

        // Streams already in the ledger, and among them any whose events committed without their timeline rows: an
        // import killed between the two commits of a chunk. This retry writes those rows from the stored events.
        var (existing, orphans) = await timelineQueries.StoredStreamsAsync(connection, transaction, [.. batch.Streams.Select(s => s.Id)], cancellation);

        var (streams, timeline) = (batch.Streams, batch.Timeline);
        if (existing.Count > 0)
        {
            // Some were imported before (or by an import in between): the rest's rows are prepared again.
            streams = [.. streams.Where(s => !existing.Contains(s.Id))];
            var stored = orphans.Count == 0 ? [] : await StoredEventsAsync(orphans, cancellation);
            timeline = AttackTimeline.NewAttacks.From(streams.SelectMany(s => s.Events).Concat(stored), store.Options.Serializer());
        }

        if (streams.Count > 0 || orphans.Count > 0)
        {
            await new AttackTimeline(store.Options.DatabaseSchemaName).CopyAsync(connection, transaction, timeline, cancellation);
        }

        if (streams.Count > 0)
        {
            await store.BulkInsertEventsAsync(streams, BatchSize, cancellation);
        }

        await transaction.CommitAsync(cancellation);
        return (streams.Count, batch.Rows - streams.Count);
    }

    /// <summary>Marten's name for <see cref="AttackReported"/> in <c>mt_events.type</c>.</summary>
    private const string ReportedType = "attack_reported";

    /// <summary>The stored reports (AttackReported) of <paramref name="streams"/>, as the timeline rows are made from them.</summary>
    private async Task<IReadOnlyList<IEvent>> StoredEventsAsync(IReadOnlyList<Guid> streams, CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents()
            .Where(e => streams.Contains(e.StreamId) && e.EventTypeName == ReportedType)
            .OrderBy(e => e.Sequence).ToListAsync(cancellation);
    }

    /// <summary>
    /// At start-up: writes the read-model rows of imported attacks whose events committed without them (an import
    /// killed between a chunk's two commits), so that the read models equal a rebuild before the first request.
    /// Only imports append events without their rows in the same transaction, and only one that never finished can
    /// have left such streams, so the search runs only then and start-up otherwise costs one indexed query.
    /// </summary>
    public async Task<int> RecoverAsync(CancellationToken cancellation)
    {
        if (!await log.AnyUnfinishedAsync(cancellation))
        {
            return 0;
        }

        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", ImportLock);
            await command.ExecuteNonQueryAsync(cancellation);
        }

        var orphans = await timelineQueries.ReportedWithoutTimelineAsync(connection, transaction, cancellation);
        if (orphans.Count > 0)
        {
            var timeline = AttackTimeline.NewAttacks.From(await StoredEventsAsync(orphans, cancellation), store.Options.Serializer());
            await new AttackTimeline(store.Options.DatabaseSchemaName).CopyAsync(connection, transaction, timeline, cancellation);
            LogRecovered(logger, orphans.Count);
        }

        await transaction.CommitAsync(cancellation);
        return orphans.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wrote the read-model rows of {Count} imported attacks whose events had committed without them (an import was killed)")]
    private static partial void LogRecovered(ILogger logger, int count);

    /// <summary>The advisory lock imports hold while they append (any fixed number unique to this purpose).</summary>
    private const long ImportLock = 0x1D11B_0001;

    /// <summary>
    /// The report a row states, or every problem that stops it: a cell that does not read as what its column says
    /// (a count that is not a whole number of 0 or more, a code outside its list, a date not yyyy-MM-dd, a
    /// coordinate that is not a finite number) or cells that contradict each other. Nothing is guessed or dropped.
    /// </summary>
    public static (ReportAttack? Report, List<RowProblem> Problems) ToReport(Func<string, string> field, string reportedBy)
    {
        ArgumentNullException.ThrowIfNull(field);
        var problems = new List<RowProblem>();
        string Text(string name) => field(name)?.Trim() ?? string.Empty;
        void Problem(string reason, params string[] columns) => problems.Add(new RowProblem(columns, $"{string.Join('/', columns)}: {reason}"));

        int? Count(string name)
        {
            var text = Text(name);
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                Problem($"{Quoted(text)} is not a whole number", name);
                return null;
            }

            if (value < 0)
            {
                Problem(string.Create(CultureInfo.InvariantCulture, $"{value} is negative; a count of deaths is 0 or more"), name);
                return null;
            }

            return value;
        }

        int? Code(string name, int min, int max, string what)
        {
            var text = Text(name);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            Problem($"{Quoted(text)} is not {what}", name);
            return null;
        }

        double? Coordinate(string name)
        {
            var text = Text(name);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }

            Problem($"{Quoted(text)} is not a finite number", name);
            return null;
        }

        DateTimeOffset? Date(string name)
        {
            var text = Text(name);
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            }

            Problem($"{Quoted(text)} is not a date (yyyy-MM-dd)", name);
            return null;
        }

        var ucdpId = Text("id");
        if (ucdpId.Length == 0)
        {
            Problem("the row has no id", "id");
        }

        var violence = Code("type_of_violence", 1, 3, "a UCDP type of violence (1, 2 or 3)");
        var wherePrecision = Code("where_prec", 1, 7, "a UCDP location precision (1..7)");
        var datePrecision = Code("date_prec", 1, 5, "a UCDP date precision (1..5)");
        var (latitude, longitude) = (Coordinate("latitude"), Coordinate("longitude"));
        var (start, end) = (Date("date_start"), Date("date_end"));
        var published = SourceDates(Text("source_date"));
        if (published is null)
        {
            Problem($"{Quoted(Text("source_date"))} is not a date (yyyy-MM-dd, several separated by ;)", "source_date");
        }

        var deaths = Deaths.Select(name => (Name: name, Count: Count(name))).ToArray();
        var (low, best, high) = (Count("low"), Count("best"), Count("high"));
        if (start > end)
        {
            Problem($"{Text("date_end")} is before {Text("date_start")}", "date_start", "date_end");
        }

        if (low > best || best > high)
        {
            Problem(string.Create(CultureInfo.InvariantCulture, $"{low} ≤ {best} ≤ {high} does not hold"), "low", "best", "high");
        }

        if (deaths.All(d => d.Count is not null) && deaths.Sum(d => d.Count!.Value) is var sum && sum > best)
        {
            Problem(string.Create(CultureInfo.InvariantCulture, $"the deaths add up to {sum}, more than best ({best})"), [.. Deaths, "best"]);
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var sideA = Text("side_a");
        var sideB = Text("side_b");
        var oneSided = violence == 3;
        var precision = datePrecision switch { 1 => DatePrecision.Day, 2 => DatePrecision.Days, 3 => DatePrecision.Week, 4 => DatePrecision.Month, _ => DatePrecision.Year };
        var sameDay = start == end && precision == DatePrecision.Day;
        var casualties = Spread(
            [.. deaths.Where(d => d.Count > 0).Select(d => d.Name switch
            {
                "deaths_a" => (CasualtyCategory.Military, (string?)sideA, d.Count!.Value),
                "deaths_b" => oneSided ? (CasualtyCategory.Civilian, null, d.Count!.Value) : (CasualtyCategory.Military, sideB, d.Count!.Value),
                "deaths_civilians" => (CasualtyCategory.Civilian, null, d.Count!.Value),
                _ => (CasualtyCategory.Unknown, null, d.Count!.Value),
            })],
            low!.Value, best!.Value, high!.Value);
        var headline = Text("source_headline");
        var report = new ReportAttack(
            Perpetrator: sideA,
            Targets: [sideB],
            EventType: oneSided ? EventType.ViolenceAgainstCivilians : EventType.Battles,
            Location: GeoJsonPoint.At(longitude!.Value, latitude!.Value),
            LocationPrecision: (LocationPrecision)wherePrecision!.Value,
            DatePrecision: precision,
            Description: string.IsNullOrEmpty(headline) ? $"UCDP GED event {ucdpId}: {Text("dyad_name")}" : headline,
            Sources: [new Source(Text("source_office") is { Length: > 0 } office ? office : "UCDP GED", published!.Count > 0 ? published[0] : null, headline.Length > 0 ? headline : null, null)],
            Casualties: casualties,
            ReportedBy: reportedBy,
            SubEventType: oneSided ? SubEventType.Attack : SubEventType.ArmedClash,
            OccurredAt: sameDay ? start : null,
            OccurredFrom: sameDay ? null : start,
            OccurredUntil: sameDay ? null : end!.Value.AddDays(1));
        return (report, problems);
    }

    /// <summary>GED's source_date: empty, or dates separated by ';' (the first is the source's). Null if one is not a date.</summary>
    private static List<DateOnly>? SourceDates(string text)
    {
        var dates = new List<DateOnly>();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!DateOnly.TryParseExact(part, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return null;
            }

            dates.Add(date);
        }

        return dates;
    }

    /// <summary>A cell as a reason quotes it: in quotes, and shortened (a refused cell may be a whole file's worth).</summary>
    private static string Quoted(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…' ({text.Length:N0} characters)";

    /// <summary>
    /// UCDP gives low and high for the event, best per category. Each category keeps its best; the difference to
    /// the event's low and high is taken from (or added to) the largest categories first, never below zero.
    /// </summary>
    public static IReadOnlyList<CategoryCasualties> Spread(IReadOnlyList<(CasualtyCategory Category, string? Party, int Best)> categories, int low, int best, int high)
    {
        ArgumentNullException.ThrowIfNull(categories);
        var entries = categories.Count > 0 ? categories.ToList() : [(CasualtyCategory.Unknown, null, best)];
        var sumBest = entries.Sum(e => e.Best);
        if (sumBest != best && entries.Count > 0)
        {
            // The categories do not add up to best (rare in GED): the unknown category takes the difference.
            entries.Add((CasualtyCategory.Unknown, null, Math.Max(0, best - sumBest)));
        }

        var lows = entries.Select(e => e.Best).ToArray();
        var highs = entries.Select(e => e.Best).ToArray();
        var order = Enumerable.Range(0, entries.Count).OrderByDescending(i => entries[i].Best).ToArray();
        var toTake = lows.Sum() - low;
        foreach (var i in order)
        {
            var take = Math.Min(toTake, lows[i]);
            lows[i] -= take;
            toTake -= take;
        }

        highs[order[0]] += Math.Max(0, high - highs.Sum());
        return [.. entries.Select((e, i) => new CategoryCasualties(e.Category, e.Party, new Estimate(lows[i], e.Best, highs[i]), null))
            .Where(c => c.KilledOrNone.High > 0)];
    }
}
