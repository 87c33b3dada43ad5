#!/usr/bin/env bash
# Export memory benchmark (docs/benchmarks.md): builds the service, seeds the schema "bench_export" with N GED-shaped
# attacks for each N (the import benchmark's rows, imported with the service's command line "import ucdp-ged FILE"),
# runs the service as a process of its own (Kestrel on loopback, Production settings), downloads
# GET /api/exports/attacks.csv whole and prints rows, seconds, rows/s and the service's peak RSS (VmHWM, and VmRSS
# sampled every 20 ms) against its RSS before the export; and whether the peak stays under the stated bound.
# Usage: deploy/local/benchmark-export.sh [N ...] (default 100000 1000000). LEDGER_SERVICE_DLL measures another
# build of the service. The same database as benchmark.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

if [[ -z "${LEDGER_SERVICE_DLL:-}" ]]; then
    dotnet build "$ROOT/src/IdlibLedger/IdlibLedger.csproj" -c Release -v quiet -nologo >/dev/null
    LEDGER_SERVICE_DLL="$ROOT/src/IdlibLedger/bin/Release/net10.0/IdlibLedger.dll"
fi

if [[ $# -eq 0 ]]; then
    set -- 100000 1000000
fi

exec "$SCRIPT_DIR/benchmark.sh" export-memory "$LEDGER_SERVICE_DLL" "$@"
