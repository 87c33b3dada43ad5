namespace IdlibLedger.Tests.Fixtures;

/// <summary>Figures a test reports: when LEDGER_TEST_FIGURES names a file (deploy/local/test.sh sets it), a line there too, which the script prints.</summary>
public static class Figures
{
    private static readonly Lock Writing = new();

    public static void Record(string line)
    {
        if (Environment.GetEnvironmentVariable("LEDGER_TEST_FIGURES") is { Length: > 0 } file)
        {
            lock (Writing)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }
}
