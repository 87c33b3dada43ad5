#!/usr/bin/env bash
# Throughput benchmark (docs/benchmarks.md, issue 18): builds the service and prints, in one run and one table,
# (a) PostgreSQL's ceiling (single-row JSONB inserts through Npgsql), (b) raw Marten appends in-process with the
# service's inline projections, (c) POST /api/attacks over HTTP to the service as a process (Production, an API key),
# each at 1, 8 and 32 clients; (d) the dashboard's reads at 8 and 64 readers against static files of the same sizes
# on the same Kestrel; (e) the audit chain's lag under 70 % of (c)'s peak; (f) `projections rebuild` of the ledger
# the run wrote; (g) the service's peak RSS; each against its target, and the machine.
# Usage: deploy/local/benchmark-throughput.sh [--seconds N] (default 10 s a measurement; about 6 minutes in all).
# LEDGER_SERVICE_DLL measures another build of the service. The same database as benchmark.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

if [[ -z "${LEDGER_SERVICE_DLL:-}" ]]; then
    dotnet build "$ROOT/src/IdlibLedger/IdlibLedger.csproj" -c Release -v quiet -nologo >/dev/null
    LEDGER_SERVICE_DLL="$ROOT/src/IdlibLedger/bin/Release/net10.0/IdlibLedger.dll"
fi

exec "$SCRIPT_DIR/benchmark.sh" throughput "$LEDGER_SERVICE_DLL" "$@"
