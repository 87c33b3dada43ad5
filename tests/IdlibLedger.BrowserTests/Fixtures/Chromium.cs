using Microsoft.Playwright;

namespace IdlibLedger.BrowserTests.Fixtures;

/// <summary>
/// One headless Chromium per test class (a class fixture): Debian's chromium package, at LEDGER_CHROMIUM or
/// /usr/bin/chromium, driven by Playwright's driver (shipped in the Microsoft.Playwright package). Nothing here
/// downloads a browser: without one installed the fixture fails and says how to install it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string DefaultPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started");

    /// <summary>The executable: LEDGER_CHROMIUM when set (deploy/local/test.sh sets it), else Debian's.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("LEDGER_CHROMIUM") is { Length: > 0 } path ? path : DefaultPath;

    public async Task InitializeAsync()
    {
        var executable = ExecutablePath;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"no Chromium at {executable}: deploy/local/test.sh installs Debian's (apt-get install --no-install-recommends chromium); LEDGER_CHROMIUM names another");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Chromium refuses to start its sandbox as root (CI runs as root); /dev/shm is small in containers.
            Args = Environment.UserName == "root" ? ["--no-sandbox", "--disable-dev-shm-usage"] : ["--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
