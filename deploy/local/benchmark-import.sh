#!/usr/bin/env bash
# Import benchmark (docs/benchmarks.md): generates a GED-shaped CSV of ROWS rows and prints the rows/s of a raw
# Marten bulk append of the same events, of the import, and of importing the file again.
# Usage: deploy/local/benchmark-import.sh [ROWS] (default 200000). Database: LEDGER_BENCH_CONNECTION, else the
# local cluster of postgres.sh (database ledger_bench, schema bench).
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
exec dotnet run -c Release --project "$ROOT/tests/IdlibLedger.Benchmarks/IdlibLedger.Benchmarks.csproj" -- import "${1:-200000}"
