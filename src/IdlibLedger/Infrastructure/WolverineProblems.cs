using System.Reflection;
using System.Text.RegularExpressions;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Wolverine answers an unreadable body, or a query value it cannot parse, with a ProblemDetails of its own.
/// This rewrites both into the ledger's shape: <c>errors</c> keyed by the field (the JSON path of the bad
/// value, or the query parameter), a message without .NET type names, and the promise that nothing was recorded.
/// </summary>
public static partial class WolverineProblems
{
    private const string WolverineJsonTitle = "Invalid JSON format";
    private const string WolverineQueryTitle = "Invalid query string value";

    public static void Rewrite(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        if (problem.Title == WolverineQueryTitle && problem.Extensions.TryGetValue("parameter", out var parameter))
        {
            problem.Title = "One or more fields are invalid";
            problem.Type = "https://www.rfc-editor.org/rfc/rfc9110#name-400-bad-request";
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [parameter?.ToString() ?? "query"] = [problem.Detail ?? "cannot be parsed"] };
            problem.Detail = "Fix the query parameters named under 'errors'.";
            return;
        }

        if (problem.Title != WolverineJsonTitle || problem.Detail is null)
        {
            return;
        }

        var match = PathInMessage().Match(problem.Detail);
        var path = match.Success ? match.Groups["path"].Value.TrimStart('$').TrimStart('.') : string.Empty;
        var message = match.Success ? problem.Detail[..match.Index].Trim() : problem.Detail;
        if (message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
        {
            message = Expectation(ConvertedTo().Match(message).Groups["type"].Value, path);
        }
        else if (message.StartsWith("Expected depth", StringComparison.Ordinal) || message.Contains("invalid", StringComparison.OrdinalIgnoreCase) || message.Contains("is an invalid start", StringComparison.Ordinal))
        {
            message = "the body is not well-formed JSON: " + message;
        }

        problem.Title = "One or more fields are invalid";
        problem.Type = "https://www.rfc-editor.org/rfc/rfc9110#name-400-bad-request";
        problem.Detail = "The body is not the JSON this command expects. Nothing was recorded.";
        problem.Extensions.Remove("lineNumber");
        problem.Extensions.Remove("bytePositionInLine");
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [path.Length == 0 ? "body" : path] = [message] };
    }

    /// <summary>
    /// What the field expects. System.Text.Json names either the field's own type (System.String, an enum)
    /// or, for constructor-bound records, the record holding it; the path's last member finds the field then.
    /// </summary>
    private static string Expectation(string namedType, string path)
    {
        var type = namedType.StartsWith("IdlibLedger.", StringComparison.Ordinal)
            ? typeof(WolverineProblems).Assembly.GetType(namedType)
            : Type.GetType(namedType);
        if (type is not null && !type.IsEnum && type != typeof(Common.Estimate) && type.Namespace?.StartsWith("IdlibLedger", StringComparison.Ordinal) == true)
        {
            var member = path.Split('.')[^1];
            var bracket = member.IndexOf('[', StringComparison.Ordinal);
            var property = type.GetProperty(bracket >= 0 ? member[..bracket] : member, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            type = property?.PropertyType;
            if (type is { IsGenericType: true } && bracket >= 0)
            {
                type = type.GetGenericArguments()[0];
            }
        }

        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            null => "the value has the wrong JSON type for this field",
            _ when type == typeof(Common.Estimate) => "expected a whole number, or {\"low\", \"best\", \"high\"} with best given",
            { IsEnum: true } => $"expected one of: {string.Join(", ", Wire.Names(type))}",
            _ when type == typeof(string) => "expected a JSON string",
            _ when type == typeof(int) || type == typeof(long) => "expected a whole number",
            _ when type == typeof(double) => "expected a number",
            _ when type == typeof(bool) => "expected true or false",
            _ when type == typeof(Guid) => "expected a UUID string",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateOnly) => "expected an ISO 8601 date (2020-02-10) or date-time (2020-02-10T14:30:00Z)",
            _ when typeof(System.Collections.IEnumerable).IsAssignableFrom(type) => "expected a JSON array",
            _ => "expected a JSON object",
        };
    }

    [GeneratedRegex(@"converted to (?<type>\S+?)\.?(\s|$)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"\s*Path: (?<path>\$[^ |]*)")]
    private static partial Regex PathInMessage();
}
