using System.Diagnostics;
using System.Collections.Frozen;
using System.Globalization;
using System.Threading.Channels;
using FluentValidation;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Audit;
using IdlibLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using nietras.SeparatedValues;
using Npgsql;

namespace IdlibLedger.Importing;

/// <summary>One refused row: its line in the file (1 = the header), its UCDP id if readable, and why.</summary>
public sealed record RejectedRow(long Line, string? UcdpId, IReadOnlyList<string> Reasons);

/// <summary>How far an import is: rows read, imported, already present, refused.</summary>
public sealed record ImportProgress(long Rows, long Imported, long AlreadyPresent, long Rejected);

/// <summary>What an import did: rows imported, rows already in the ledger (same UCDP id), rows refused.</summary>
public sealed record ImportReport(long Rows, long Imported, long AlreadyPresent, IReadOnlyList<RejectedRow> Rejected);

/// <summary>
/// Imports a UCDP GED CSV (RFC 4180) as attack reports. Each row becomes one ReportAttack, validated like one
/// posted over HTTP, on a stream named by the UCDP id — so importing the same file again adds nothing. A bad row
/// is reported by line and never stops the good ones; each row is appended whole or not at all.
/// Mapping: side_a → perpetrator, side_b → target; where_prec 1..7 → locationPrecision; date_prec 1..5 → day,
/// days, week, month, year over [date_start, date_end]; deaths_a / deaths_b → military of side a / b,
/// deaths_civilians → civilian, deaths_unknown → unknown, with low and high spread so that each category keeps
/// low ≤ best ≤ high and the sums equal the row's low / best / high; source fields → one source.
/// </summary>
public sealed partial class UcdpGedImporter(
    IDocumentStore store, NpgsqlDataSource database, LedgerClock clock, IHttpContextAccessor http, IValidator<ReportAttack> validator, ILogger<UcdpGedImporter> logger,
    SealKey seals)
{
    /// <summary>Rows appended per bulk append and transaction.</summary>
    public const int BatchSize = 5000;

    public static Guid StreamId(string ucdpId) => StreamIds.For("ucdp-ged", ucdpId);

    /// <summary>Rows read before they are validated (in parallel), sorted by occurrence and appended in chunks.</summary>
    public const int WindowSize = 10 * BatchSize;

    public async Task<ImportReport> ImportAsync(TextReader csv, string reportedBy, IProgress<ImportProgress>? progress, CancellationToken cancellation)
    {
        // RFC 4180: quoted fields may hold commas, doubled quotes and line breaks (Sep unescapes them).
        using var parser = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true }).From(csv);
        if (parser.Header.IsEmpty)
        {
            return new ImportReport(0, 0, 0, [new RejectedRow(1, null, ["the file has no header row"])]);
        }

        // The command line does not start the service, which applies the schema at start-up; the import reads the
        // event tables itself before Marten would create them, so it applies any missing schema first.
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var header = parser.Header.ColNames.Select((name, index) => (name, index)).ToDictionary(c => c.name.Trim(), c => c.index, StringComparer.Ordinal);
        var columns = Columns.Select(name => header.GetValueOrDefault(name, -1)).ToArray();
        var recording = new Recording(RecordedBy.Who(http.HttpContext), Activity.Current?.RootId);

        // Two stages: one reads, validates and prepares batches (events, timeline rows, cell changes), the other
        // writes them; the bounded channel lets the first prepare a batch while the database takes the one before.
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var read = new ReadState();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var reading = Task.Run(() => ReadAsync(parser, columns, reportedBy, recording, batches.Writer, read, stop.Token), stop.Token);
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
        return new ImportReport(total, imported, present, [.. read.Rejected.OrderBy(r => r.Line)]);
    }

    /// <summary>Who records the import's events and the trace they belong to.</summary>
    private sealed record Recording(string Who, string? Correlation);

    /// <summary>A batch ready to write: its rows' count, their new streams (an id once), and their timeline rows.</summary>
    private sealed record Batch(int Rows, IReadOnlyList<StreamAction> Streams, AttackTimeline.NewAttacks Timeline);

    /// <summary>What the reading stage has seen so far, for progress and the final report.</summary>
    private sealed class ReadState
    {
        private long _rows;
        private long _rejected;

        public List<RejectedRow> Rejected { get; } = [];

        public (long Rows, long Rejected) Counts => (Interlocked.Read(ref _rows), Interlocked.Read(ref _rejected));

        public void Row() => Interlocked.Increment(ref _rows);

        public void Reject(IEnumerable<RejectedRow> rows)
        {
            var before = Rejected.Count;
            Rejected.AddRange(rows);
            Interlocked.Add(ref _rejected, Rejected.Count - before);
        }
    }

    /// <summary>
    /// Reads the rows in windows, validates each window's rows in parallel and hands on the good ones in batches, in
    /// order of occurrence (a batch then touches few days of the casualty cells, however the file is ordered).
    /// </summary>
    private async Task ReadAsync(
        SepReader parser, int[] columns, string reportedBy, Recording recording, ChannelWriter<Batch> batches, ReadState read, CancellationToken cancellation)
    {
        try
        {
            var window = new List<Row>();
            while (parser.MoveNext())
            {
                cancellation.ThrowIfCancellationRequested();
                read.Row();
                var (line, fields) = Read(parser.Current, columns);
                string Field(string name) => fields[ColumnIndex[name]];
                var ucdpId = Field("id").Trim();
                var (report, problems) = ToReport(Field, reportedBy);
                if (string.IsNullOrWhiteSpace(ucdpId))
                {
                    problems.Add("the row has no id");
                }

                window.Add(new Row(line, ucdpId, report, problems));
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
                row.Problems.AddRange(validator.Validate(row.Report!).Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")));
            read.Reject(window.Where(r => r.Problems.Count > 0 || r.Report is null).Select(r => new RejectedRow(r.Line, r.UcdpId, r.Problems)));
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
    private sealed record Row(long Line, string UcdpId, ReportAttack? Report, List<string> Problems);

    /// <summary>The GED columns an import reads (<see cref="ToReport"/>); the others are not copied out of the parser.</summary>
    private static readonly string[] Columns =
    [
        "id", "type_of_violence", "dyad_name", "side_a", "side_b", "source_office", "source_date", "source_headline", "where_prec", "latitude", "longitude",
        "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high",
    ];

    private static readonly FrozenDictionary<string, int> ColumnIndex = Columns.Select((name, index) => (name, index)).ToFrozenDictionary(c => c.name, c => c.index, StringComparer.Ordinal);

    /// <summary>The row's first line in the file and the fields of <see cref="Columns"/> (empty where the file has none).</summary>
    private static (long Line, string[] Fields) Read(SepReader.Row row, int[] columns)
    {
        var fields = new string[columns.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = columns[i] >= 0 && columns[i] < row.ColCount ? row[columns[i]].ToString() : string.Empty;
        }

        return (row.LineNumberFrom, fields);
    }

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

        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", ImportLock);
            await command.ExecuteNonQueryAsync(cancellation);
        }

        var existing = new HashSet<Guid>();
        await using (var command = new NpgsqlCommand($"select id from {schema}.mt_streams where id = any(@ids)", connection, transaction))
        {
            command.Parameters.AddWithValue("ids", batch.Streams.Select(s => s.Id).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                existing.Add(reader.GetGuid(0));
            }
        }

        var (streams, timeline) = (batch.Streams, batch.Timeline);
        if (existing.Count > 0)
        {
            // Some were imported before (or by an import in between): the rest's rows are prepared again.
            streams = [.. streams.Where(s => !existing.Contains(s.Id))];
            timeline = AttackTimeline.NewAttacks.From(streams.SelectMany(s => s.Events), store.Options.Serializer());
        }

        if (streams.Count > 0)
        {
            await new AttackTimeline(store.Options.DatabaseSchemaName).CopyAsync(connection, transaction, timeline, cancellation);
            await store.BulkInsertEventsAsync(streams, BatchSize, cancellation);
        }

        await transaction.CommitAsync(cancellation);
        return (streams.Count, batch.Rows - streams.Count);
    }

    /// <summary>The advisory lock imports hold while they append (any fixed number unique to this purpose).</summary>
    private const long ImportLock = 0x1D11B_0001;

    /// <summary>The report a row states, or what makes it unreadable.</summary>
    public static (ReportAttack? Report, List<string> Problems) ToReport(Func<string, string> field, string reportedBy)
    {
        ArgumentNullException.ThrowIfNull(field);
        var problems = new List<string>();
        string Text(string name) => field(name)?.Trim() ?? string.Empty;
        int? Whole(string name)
        {
            var text = Text(name);
            if (text is "" or "NA")
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            problems.Add($"{name}: '{text}' is not a whole number");
            return null;
        }

        double? Number(string name)
        {
            var text = Text(name);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            problems.Add($"{name}: '{text}' is not a number");
            return null;
        }

        DateTimeOffset? Date(string name)
        {
            var text = Text(name);
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            }

            problems.Add($"{name}: '{text}' is not a date (yyyy-MM-dd)");
            return null;
        }

        var wherePrecision = Whole("where_prec");
        var datePrecision = Whole("date_prec");
        var (latitude, longitude) = (Number("latitude"), Number("longitude"));
        var (start, end) = (Date("date_start"), Date("date_end"));
        var (low, best, high) = (Whole("low"), Whole("best"), Whole("high"));
        var deaths = new[] { ("a", Whole("deaths_a")), ("b", Whole("deaths_b")), ("civilians", Whole("deaths_civilians")), ("unknown", Whole("deaths_unknown")) };
        if (wherePrecision is not (>= 1 and <= 7))
        {
            problems.Add($"where_prec: '{Text("where_prec")}' is not a UCDP location precision (1..7)");
        }

        if (datePrecision is not (>= 1 and <= 5))
        {
            problems.Add($"date_prec: '{Text("date_prec")}' is not a UCDP date precision (1..5)");
        }

        if (low > best || best > high)
        {
            problems.Add($"low/best/high: {low} ≤ {best} ≤ {high} does not hold");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var sideA = Text("side_a");
        var sideB = Text("side_b");
        var oneSided = Text("type_of_violence") == "3";
        var precision = datePrecision switch { 1 => DatePrecision.Day, 2 => DatePrecision.Days, 3 => DatePrecision.Week, 4 => DatePrecision.Month, _ => DatePrecision.Year };
        var sameDay = start == end && precision == DatePrecision.Day;
        var casualties = Spread(
            [.. deaths.Where(d => d.Item2 is > 0).Select(d => d.Item1 switch
            {
                "a" => (CasualtyCategory.Military, (string?)sideA, d.Item2!.Value),
                "b" => oneSided ? (CasualtyCategory.Civilian, null, d.Item2!.Value) : (CasualtyCategory.Military, sideB, d.Item2!.Value),
                "civilians" => (CasualtyCategory.Civilian, null, d.Item2!.Value),
                _ => (CasualtyCategory.Unknown, null, d.Item2!.Value),
            })],
            low ?? 0, best ?? 0, high ?? 0);
        var headline = Text("source_headline");
        var report = new ReportAttack(
            Perpetrator: sideA,
            Targets: [sideB],
            EventType: oneSided ? EventType.ViolenceAgainstCivilians : EventType.Battles,
            Location: GeoJsonPoint.At(longitude!.Value, latitude!.Value),
            LocationPrecision: (LocationPrecision)wherePrecision!.Value,
            DatePrecision: precision,
            Description: string.IsNullOrEmpty(headline) ? $"UCDP GED event {Text("id")}: {Text("dyad_name")}" : headline,
            Sources: [new Source(Text("source_office") is { Length: > 0 } office ? office : "UCDP GED", FirstDate(Text("source_date")), headline.Length > 0 ? headline : null, null)],
            Casualties: casualties,
            ReportedBy: reportedBy,
            SubEventType: oneSided ? SubEventType.Attack : SubEventType.ArmedClash,
            OccurredAt: sameDay ? start : null,
            OccurredFrom: sameDay ? null : start,
            OccurredUntil: sameDay ? null : end!.Value.AddDays(1));
        return (report, problems);
    }

    private static DateOnly? FirstDate(string text) =>
        DateOnly.TryParseExact(text.Split(';')[0].Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

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
