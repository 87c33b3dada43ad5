#!/usr/bin/env bash
# Run the IdlibLedger API locally.
#
# Uses ConnectionStrings__Ledger when set; otherwise starts the private PostgreSQL 15 +
# PostGIS cluster from postgres.sh (installing it on a fresh Debian machine) with the
# database "ledger". LEDGER_URLS overrides where the API listens.
#
# It first builds the dashboard served at / (npm ci && npm run build in src/IdlibLedger.Dashboard, installing
# Node.js and npm from Debian's packages when missing and root; deploy/local/dashboard.sh). If that fails the API
# still runs, and / says how to build the page.
#
# In Development (the default here) the reads are public (Ledger__PublicReads, default true here), so that the page
# opens without a key on this machine; writes and the audit trail still need one. It also prints an API key holding every role: LEDGER_DEV_API_KEY when
# set, else one generated once and kept in .data/dev-api-key. The service accepts it only in Development.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

if [[ -z "${ConnectionStrings__Ledger:-}" ]]; then
    # shellcheck source-path=SCRIPTDIR source=postgres.sh
    source "$SCRIPT_DIR/postgres.sh"
    ledger_pg_start ledger
    export ConnectionStrings__Ledger="$LEDGER_PG_CONNECTION"
fi

# shellcheck source-path=SCRIPTDIR source=dashboard.sh
source "$SCRIPT_DIR/dashboard.sh"
if ! ledger_dashboard_build; then
    echo "The dashboard did not build (the [dashboard] lines above): the API runs without the page at /." >&2
fi

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

if [[ $ASPNETCORE_ENVIRONMENT == Development && -z "${LEDGER_DEV_API_KEY:-}" ]]; then
    KEY_FILE="$ROOT/.data/dev-api-key"
    if [[ ! -s $KEY_FILE ]]; then
        mkdir -p "$ROOT/.data"
        (umask 077 && printf 'dev_%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$KEY_FILE")
    fi
    LEDGER_DEV_API_KEY="$(cat "$KEY_FILE")"
    export LEDGER_DEV_API_KEY
fi
if [[ $ASPNETCORE_ENVIRONMENT == Development ]]; then
    export Ledger__PublicReads="${Ledger__PublicReads:-true}"
fi
URLS="${LEDGER_URLS:-http://127.0.0.1:5080}"
FIRST_URL="${URLS%%;*}"   # ASP.NET accepts a ;-separated list; show the first one
FIRST_URL="${FIRST_URL%/}"

echo "IdlibLedger: dashboard $FIRST_URL/  (API reference: $FIRST_URL/scalar)  [$ASPNETCORE_ENVIRONMENT]" >&2
if [[ $ASPNETCORE_ENVIRONMENT == Development && -n "${LEDGER_DEV_API_KEY:-}" ]]; then
    echo "API key with every role (Development only); paste this into your shell, the README's examples use it:" >&2
    echo "  export LEDGER_API_KEY=$LEDGER_DEV_API_KEY" >&2
fi
# exec so Ctrl-C and signals reach the app directly; the database keeps running for reuse.
exec dotnet run --project "$ROOT/src/IdlibLedger/IdlibLedger.csproj" -c Release -- --urls "$URLS"
