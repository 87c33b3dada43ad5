#!/usr/bin/env bash
# Import memory benchmark (docs/benchmarks.md): builds the service, runs it as a process of its own (Kestrel on
# loopback, Production settings, schema "bench_memory") and prints its peak RSS while it takes a ~60 MB UCDP GED
# file of refused rows alone, four times at once with one import allowed (the default), and four times at once with
# Ledger:RateLimits:ConcurrentImports=4; and whether each peak stays under the stated bound.
# Usage: deploy/local/benchmark-import-memory.sh [BYTES] (default 60000000). LEDGER_SERVICE_DLL measures another
# build of the service. The same database as benchmark.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

if [[ -z "${LEDGER_SERVICE_DLL:-}" ]]; then
    dotnet build "$ROOT/src/IdlibLedger/IdlibLedger.csproj" -c Release -v quiet -nologo >/dev/null
    LEDGER_SERVICE_DLL="$ROOT/src/IdlibLedger/bin/Release/net10.0/IdlibLedger.dll"
fi

exec "$SCRIPT_DIR/benchmark.sh" import-memory "$LEDGER_SERVICE_DLL" "${1:-60000000}"
