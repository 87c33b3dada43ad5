using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.BrowserTests.Fixtures;

/// <summary>
/// A test of the page in a browser. Each test gets a new browser context (1280×800, its own storage) and page on
/// <paramref name="ledger"/>, and at its end: a screenshot in .data/test-results/screenshots/&lt;test name&gt;.png (its
/// path printed), then a failure if the page logged a console error, threw (pageerror), lost a request or got an answer
/// of 400 or more that the test did not expect (<see cref="ExpectResponse"/>). Subclasses are xunit test classes:
/// <c>[Collection(PublicLedgerGroup.Name)] class x(PublicLedger ledger, Chromium chromium, ITestOutputHelper output)
/// : PageTest(ledger, chromium, output), IClassFixture&lt;Chromium&gt;</c>.
/// </summary>
public abstract partial class PageTest(ServiceProcess ledger, Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Not UTC on purpose: a page that shows the browser's local time instead of UTC is caught.</summary>
    public const string TimeZone = "Asia/Damascus";

    private readonly List<string> _problems = [];
    private readonly List<(int Status, string Path)> _expected = [];
    private IBrowserContext? _context;
    private IPage? _page;

    protected ServiceProcess Ledger => ledger;

    protected ITestOutputHelper Output => output;

    protected IBrowserContext Context => _context ?? throw new InvalidOperationException("the test has not started");

    protected IPage Page => _page ?? throw new InvalidOperationException("the test has not started");

    /// <summary>The test's name as xunit shows it, without the namespace (e.g. <c>the_page_opens.with_its_script(…)</c>).</summary>
    protected string TestName { get; } = NameOf(output);

    public async Task InitializeAsync()
    {
        _context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = ledger.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-GB",
            TimezoneId = TimeZone,
        });
        _page = await _context.NewPageAsync();
        _page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsExpectedLoadError(message))
            {
                Problem($"console error: {message.Text} ({message.Location})");
            }
        };
        _page.PageError += (_, error) => Problem($"page error: {error}");
        _page.RequestFailed += (_, request) =>
        {
            // Requests the page cancels itself (AbortController when the view changes, a closed event stream) are not failures.
            if (request.Failure != "net::ERR_ABORTED")
            {
                Problem($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
        _page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !IsExpected(response.Status, response.Url))
            {
                Problem($"{response.Status} for {response.Request.Method} {response.Url}");
            }
        };
    }

    /// <summary>Opens <paramref name="path"/> (relative to the service, e.g. <c>/?at=2020-02-01</c>) and waits for its load event.</summary>
    protected async Task<IResponse> OpenAsync(string path = "/")
    {
        var response = await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return response ?? throw new InvalidOperationException($"no response for {path}");
    }

    /// <summary>
    /// Waits until the dashboard has drawn a view (<c>body[data-state=ready]</c>), failing with the page's error message
    /// when it showed one instead.
    /// </summary>
    protected async Task ReadyAsync(IPage? page = null)
    {
        page ??= Page;
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error'");
        (await page.EvaluateAsync<string>("() => document.body.dataset.state")).ShouldBe("ready", await page.InnerTextAsync("#error"));
    }

    /// <summary>
    /// Lets the page get <paramref name="status"/> from paths starting with <paramref name="pathPrefix"/> (e.g. 401 from
    /// <c>/api/</c> before it has a key) without failing the test, and the console error Chromium logs for it.
    /// </summary>
    protected void ExpectResponse(int status, string pathPrefix)
    {
        lock (_expected)
        {
            _expected.Add((status, pathPrefix));
        }
    }

    /// <summary>What went wrong in the page so far (console errors, page errors, failed requests, unexpected statuses).</summary>
    protected IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_page is not null)
            {
                var file = ScreenshotFile(TestName);
                await _page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                output.WriteLine($"screenshot: {file}");
            }
        }
        finally
        {
            if (_context is not null)
            {
                await _context.CloseAsync();
            }
        }

        var problems = Problems;
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"the page had {problems.Count} problem(s):\n  {string.Join("\n  ", problems)}");
        }
    }

    /// <summary>.data/test-results/screenshots/&lt;test name&gt;.png under the repository's root (the folder is made).</summary>
    public static string ScreenshotFile(string testName)
    {
        var folder = Path.Combine(ServiceProcess.Root, ".data", "test-results", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{UnsafeInFileName().Replace(testName, "_")}.png");
    }

    private void Problem(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }

    private bool IsExpected(int status, string url)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : url;
        lock (_expected)
        {
            return _expected.Any(expected => expected.Status == status && path.StartsWith(expected.Path, StringComparison.Ordinal));
        }
    }

    /// <summary>Chromium's "Failed to load resource: … status of 401 (…)" for a response the test expects.</summary>
    private bool IsExpectedLoadError(IConsoleMessage message) =>
        LoadError().Match(message.Text) is { Success: true } error
        && LocationUrl().Match(message.Location) is { Success: true } location
        && IsExpected(int.Parse(error.Groups["status"].Value, CultureInfo.InvariantCulture), location.Groups["url"].Value);

    /// <summary>xunit 2 tells a test its name only through its output helper's private field.</summary>
    private static string NameOf(ITestOutputHelper output)
    {
        var test = output.GetType().GetField("test", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(output) as ITest
            ?? throw new InvalidOperationException("cannot read the test's name from xunit's output helper");
        const string tests = "IdlibLedger.BrowserTests.";
        return test.DisplayName.StartsWith(tests, StringComparison.Ordinal) ? test.DisplayName[tests.Length..] : test.DisplayName;
    }

    [GeneratedRegex(@"^Failed to load resource: the server responded with a status of (?<status>\d{3})")]
    private static partial Regex LoadError();

    /// <summary>A console message's location is "URL:line:column".</summary>
    [GeneratedRegex(@"^(?<url>.+):\d+:\d+$")]
    private static partial Regex LocationUrl();

    [GeneratedRegex(@"[^A-Za-z0-9._()=,-]+")]
    private static partial Regex UnsafeInFileName();
}
