#!/usr/bin/env bash
# Run the IdlibLedger API locally.
#
# Uses ConnectionStrings__Ledger when set; otherwise starts the private PostgreSQL 15 +
# PostGIS cluster from postgres.sh (installing it on a fresh Debian machine) with the
# database "ledger". LEDGER_URLS overrides where the API listens.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

if [[ -z "${ConnectionStrings__Ledger:-}" ]]; then
    # shellcheck source-path=SCRIPTDIR source=postgres.sh
    source "$SCRIPT_DIR/postgres.sh"
    ledger_pg_start ledger
    export ConnectionStrings__Ledger="$LEDGER_PG_CONNECTION"
fi

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
URLS="${LEDGER_URLS:-http://127.0.0.1:5080}"
FIRST_URL="${URLS%%;*}"   # ASP.NET accepts a ;-separated list; show the first one
FIRST_URL="${FIRST_URL%/}"

echo "IdlibLedger API: $FIRST_URL  (API reference: $FIRST_URL/scalar)  [$ASPNETCORE_ENVIRONMENT]" >&2
# exec so Ctrl-C and signals reach the app directly; the database keeps running for reuse.
exec dotnet run --project "$ROOT/src/IdlibLedger/IdlibLedger.csproj" -c Release -- --urls "$URLS"
