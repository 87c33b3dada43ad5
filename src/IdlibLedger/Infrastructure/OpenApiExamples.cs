using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>An example request and response for every operation, keyed by operationId (placeholder).</summary>
public static class OpenApiExamples
{
    public static void Apply(OpenApiOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
    }
}
