using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Contract;

/// <summary>
/// docs/openapi.json is the contract clients generate from: it must be exactly what the service serves.
/// After a change to the API, regenerate it with LEDGER_WRITE_OPENAPI=1 and this test (see docs/api.md).
/// </summary>
public sealed class the_committed_contract(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task docs_openapi_json_is_the_document_the_service_serves()
    {
        var live = await ContractDocument.LiveTextAsync(Host);
        if (Environment.GetEnvironmentVariable("LEDGER_WRITE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(ContractDocument.CommittedPath, live);
        }

        var committed = File.Exists(ContractDocument.CommittedPath) ? await File.ReadAllTextAsync(ContractDocument.CommittedPath) : "";
        committed.ReplaceLineEndings("\n").ShouldBe(live,
            "docs/openapi.json differs from GET /openapi/v1.json; regenerate it: LEDGER_WRITE_OPENAPI=1 dotnet test tests/IdlibLedger.Tests --filter FullyQualifiedName~the_committed_contract");
    }
}
