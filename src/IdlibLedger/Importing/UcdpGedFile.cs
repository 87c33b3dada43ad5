using System.Collections.Frozen;
using System.Globalization;
using nietras.SeparatedValues;

namespace IdlibLedger.Importing;

/// <summary>
/// One row as read: its first line in the file (1 = the header), its cells in the order of
/// <see cref="UcdpGedFile.Columns"/> and then <see cref="UcdpGedFile.OptionalColumns"/> (the others are not copied out), and how many cells it has; or, for a row too
/// long to read, why it was not.
/// </summary>
public sealed record GedRow(long Line, string[] Cells, int CellCount, string? Unreadable = null)
{
    public string this[string column] => Cells[UcdpGedFile.ColumnIndex[column]];
}

/// <summary>
/// A UCDP GED CSV file (RFC 4180, commas) opened for an import: the header is read and checked first, then the rows
/// one at a time as the text arrives. No row may be longer than <see cref="MaxRowChars"/>, so that a quote left open
/// cannot turn the rest of a file into one row held in memory.
/// </summary>
public sealed class UcdpGedFile : IDisposable
{
    /// <summary>The longest row read (GED rows are a few kilobytes); a longer one ends the import at its line.</summary>
    public const int MaxRowChars = 1024 * 1024;

    /// <summary>The GED columns an import reads (<see cref="UcdpGedMapping.ToReport"/>); a file must have each once.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "id", "type_of_violence", "dyad_name", "side_a", "side_b", "source_office", "source_date", "source_headline", "where_prec", "latitude", "longitude",
        "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high",
    ];

    /// <summary>
    /// The GED columns an import keeps as the report's provenance when the file has them (<see cref="UcdpGedMapping.GedColumns"/>),
    /// beyond <see cref="Columns"/>; a file may lack any of them, and a row's cell is then empty.
    /// </summary>
    public static readonly IReadOnlyList<string> OptionalColumns = [.. UcdpGedMapping.GedColumns.Select(c => c.Column).Except(Columns, StringComparer.Ordinal)];

    /// <summary>Where a column's cell is in <see cref="GedRow.Cells"/>: <see cref="Columns"/>, then <see cref="OptionalColumns"/>.</summary>
    private static readonly string[] ReadColumns = [.. Columns, .. OptionalColumns];

    public static readonly FrozenDictionary<string, int> ColumnIndex =
        ReadColumns.Select((name, index) => (name, index)).ToFrozenDictionary(c => c.name, c => c.index, StringComparer.Ordinal);

    /// <summary>
    /// The first characters that make a spreadsheet run a cell as a formula; the export writes a text cell starting
    /// with one after an apostrophe (OWASP, CSV injection), and the import takes that apostrophe away again.
    /// </summary>
    public static readonly System.Buffers.SearchValues<char> FormulaStarts = System.Buffers.SearchValues.Create("=+-@\t\r");

    /// <summary>C0 controls but tab, line feed and carriage return, and DEL.</summary>
    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 32).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), '\u007f']);

    private readonly SepReader? _reader;
    private readonly int[] _positions;
    private bool _stopped;

    private UcdpGedFile(SepReader? reader, int[] positions, int headerCells, IReadOnlyDictionary<string, string[]> problems)
    {
        (_reader, _positions, HeaderCells, Problems) = (reader, positions, headerCells, problems);
    }

    /// <summary>What is wrong with the header, by missing column (or "header"); empty when the rows can be read.</summary>
    public IReadOnlyDictionary<string, string[]> Problems { get; }

    /// <summary>The number of columns the header names: every row must have as many cells.</summary>
    public int HeaderCells { get; }

    public static async Task<UcdpGedFile> OpenAsync(TextReader text, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(text);
        var guard = new RowLengthGuard(text, MaxRowChars);
        // The header is read as a row of its own: Sep would refuse a repeated column name with an exception.
        var options = Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true });
        SepReader reader;
        try
        {
            reader = await options.FromAsync(guard, cancellation);
        }
        catch (RowTooLongException)
        {
            return new UcdpGedFile(null, [], 0, Refusal("header", $"the first line is longer than {MaxRowChars:N0} characters; it is not a UCDP GED header"));
        }

        if (!await reader.MoveNextAsync(cancellation))
        {
            return new UcdpGedFile(reader, [], 0, Refusal("header", "the file is empty: its first line must be the UCDP GED header"));
        }

        var names = Enumerable.Range(0, reader.Current.ColCount).Select(i => reader.Current[i].ToString().Trim()).ToArray();
        var positions = ReadColumns.Select(c => Array.IndexOf(names, c)).ToArray();
        return new UcdpGedFile(reader, positions, names.Length, CheckHeader(names));
    }

    private static Dictionary<string, string[]> Refusal(string key, string message) => new(StringComparer.Ordinal) { [key] = [message] };

    /// <summary>Every column the import reads that the header lacks, and every name the header repeats.</summary>
    public static IReadOnlyDictionary<string, string[]> CheckHeader(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var trimmed = names.Select(n => n.Trim()).ToList();
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var column in Columns.Where(c => !trimmed.Contains(c, StringComparer.Ordinal)))
        {
            problems[column] = [$"the header has no column '{column}'"];
        }

        var repeated = trimmed.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"the column '{g.Key}' is named {g.Count()} times; a column is named once")).ToArray();
        if (repeated.Length > 0)
        {
            problems["header"] = repeated;
        }

        return problems;
    }

    /// <summary>The next row, or null at the end of the file (and after a row too long to read).</summary>
    public async ValueTask<GedRow?> NextAsync(CancellationToken cancellation)
    {
        if (_reader is null || _stopped || Problems.Count > 0)
        {
            return null;
        }

        try
        {
            if (!await _reader.MoveNextAsync(cancellation))
            {
                return null;
            }
        }
        catch (RowTooLongException e)
        {
            _stopped = true;
            return new GedRow(e.Line, [], 0,
                $"the row is longer than {MaxRowChars:N0} characters (a quote left open?); the import stopped here and did not read the rest of the file");
        }

        return Read(_reader.Current);
    }

    private GedRow Read(SepReader.Row row)
    {
        var cells = new string[_positions.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = _positions[i] >= 0 && _positions[i] < row.ColCount ? Unescaped(row[_positions[i]].Span) : string.Empty;
            // PostgreSQL stores no U+0000, and no other control character belongs in GED text (as in JSON bodies).
            var control = cells[i].IndexOfAny(ControlCharacters);
            if (control >= 0)
            {
                return new GedRow(row.LineNumberFrom, [], 0, string.Create(CultureInfo.InvariantCulture,
                    $"{ReadColumns[i]}: holds the control character U+{(int)cells[i][control]:X4}, which the ledger refuses in text"));
            }
        }

        return new GedRow(row.LineNumberFrom, cells, row.ColCount);
    }

    /// <summary>A cell as written, or without the apostrophe an export put before a formula character (<see cref="FormulaStarts"/>).</summary>
    public static string Unescaped(ReadOnlySpan<char> cell) =>
        cell.Length >= 2 && cell[0] == '\'' && FormulaStarts.Contains(cell[1]) ? cell[1..].ToString() : cell.ToString();

    public void Dispose() => _reader?.Dispose();

    /// <summary>
    /// Passes the text through and counts each row's characters (RFC 4180: a line break inside quotes is part of the
    /// row). Before it would hand on more than the limit of one row, it hands on the rows before that one and then
    /// throws, knowing the line where the long row began.
    /// </summary>
    private sealed class RowLengthGuard(TextReader inner, int limit) : TextReader
    {
        private long _line = 1;
        private long _rowLine = 1;
        private int _rowLength;
        private bool _quoted;
        private bool _afterCarriageReturn;
        private bool _tooLong;

        public override int Read(Span<char> buffer) => _tooLong ? throw new RowTooLongException(_rowLine) : Check(buffer[..inner.Read(buffer)]);

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            if (_tooLong)
            {
                throw new RowTooLongException(_rowLine);
            }

            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Check(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

        public override int Read()
        {
            Span<char> one = stackalloc char[1];
            return Read(one) == 0 ? -1 : one[0];
        }

        /// <summary>How much of <paramref name="text"/> to hand on: all of it, or the rows before one that is too long.</summary>
        private int Check(ReadOnlySpan<char> text)
        {
            var rowStart = 0;
            var at = 0;
            while (at < text.Length)
            {
                var next = text[at..].IndexOfAny('"', '\r', '\n');
                var plain = next < 0 ? text.Length - at : next;
                _rowLength += plain;
                _afterCarriageReturn &= plain == 0;
                if (_rowLength > limit || next < 0)
                {
                    break;
                }

                at += next;
                var c = text[at++];
                if (c == '"')
                {
                    (_quoted, _afterCarriageReturn) = (!_quoted, false);
                    _rowLength++;
                    continue;
                }

                // \r\n is one line break; \r or \n alone is one too (Sep reads all three).
                if (c == '\r' || !_afterCarriageReturn)
                {
                    _line++;
                }

                _afterCarriageReturn = c == '\r';
                if (_quoted)
                {
                    _rowLength++;
                }
                else
                {
                    (_rowLength, _rowLine, rowStart) = (0, _line, at);
                }
            }

            if (_rowLength <= limit)
            {
                return text.Length;
            }

            _tooLong = true;
            return rowStart > 0 ? rowStart : throw new RowTooLongException(_rowLine);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class RowTooLongException(long line) : Exception($"the row at line {line} is longer than {MaxRowChars} characters")
    {
        public long Line { get; } = line;
    }
}
