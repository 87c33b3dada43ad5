#!/usr/bin/env bash
# Time-travel benchmark (docs/benchmarks.md): loads a synthetic ledger of SMALL then LARGE events into the schema
# "bench" and prints p50/p95/p99 of casualty totals, the control map and one attack at random (at, asOf), and the
# ratio of the large p95 to the small p95. Usage: deploy/local/benchmark.sh [SMALL [LARGE [PROBES]]]
# (defaults 100000 1000000 200); "benchmark.sh import [ROWS]" runs the import benchmark (benchmark-import.sh),
# "benchmark.sh import-memory DLL [BYTES]" the import memory benchmark (benchmark-import-memory.sh),
# "benchmark.sh import-scale DLL [ROWS]" the import at scale (benchmark-import-scale.sh), "benchmark.sh throughput
# DLL [--seconds N]" the throughput benchmark (benchmark-throughput.sh); "benchmark.sh probe [PROBES]" measures the
# three reads again on the ledger the last time-travel run left in "bench", without loading it again.
# Database: LEDGER_BENCH_CONNECTION, else the local cluster of postgres.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

if [[ -z "${LEDGER_BENCH_CONNECTION:-}" ]]; then
    # shellcheck source-path=SCRIPTDIR source=postgres.sh
    source "$SCRIPT_DIR/postgres.sh"
    ledger_pg_start ledger_bench
    export LEDGER_BENCH_CONNECTION="$LEDGER_PG_CONNECTION"
fi

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
exec dotnet run -c Release --project "$ROOT/tests/IdlibLedger.Benchmarks/IdlibLedger.Benchmarks.csproj" -- "$@"
