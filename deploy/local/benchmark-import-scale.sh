#!/usr/bin/env bash
# Import at scale (docs/benchmarks.md): builds the service, generates ROWS GED-shaped rows (default 1,000,000) with
# source anomalies and broken rows mixed in at stated rates, imports them through the service as a process of its
# own (HTTP on loopback, an admin API key, Production settings, schema "bench_scale") and, in the same run, bulk
# appends as many events with Marten alone (schema "bench"). Prints rows/s of both and their ratio (target ≥ 0.35),
# the service's RSS before and at its peak during the import, and the answer's counts checked against the generator's.
# Usage: deploy/local/benchmark-import-scale.sh [ROWS]. LEDGER_SERVICE_DLL measures another build of the service.
# The same database as benchmark.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

if [[ -z "${LEDGER_SERVICE_DLL:-}" ]]; then
    dotnet build "$ROOT/src/IdlibLedger/IdlibLedger.csproj" -c Release -v quiet -nologo >/dev/null
    LEDGER_SERVICE_DLL="$ROOT/src/IdlibLedger/bin/Release/net10.0/IdlibLedger.dll"
fi

exec "$SCRIPT_DIR/benchmark.sh" import-scale "$LEDGER_SERVICE_DLL" "${1:-1000000}"
