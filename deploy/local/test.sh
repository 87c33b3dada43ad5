#!/usr/bin/env bash
# Build and run every test in IdlibLedger.sln; the last line printed is the summary,
# "N passed, N failed" (", N skipped" when some were skipped).
#
# Database for the integration tests, first match wins:
#   1. LEDGER_TEST_CONNECTION, when set;
#   2. a Docker engine that answers: left to the test fixture (Testcontainers, postgis image);
#   3. the private PostgreSQL 15 + PostGIS cluster of postgres.sh, database "ledger_test".
# Extra arguments go to dotnet test (e.g. --filter "FullyQualifiedName~Geometry").
# The fault tests (tests/IdlibLedger.FaultTests) start a second private cluster of their own on
# LEDGER_FAULT_PG_PORT (default 55460), which they crash and restart, and the service as a process.
# The browser tests (tests/IdlibLedger.BrowserTests) need the dashboard built (npm run build in
# src/IdlibLedger.Dashboard, before dotnet test builds the service) and Debian's chromium (LEDGER_CHROMIUM);
# both are installed here when missing (deploy/local/dashboard.sh). Nothing downloads a browser.
# Exits non-zero if dotnet test fails, any test fails, no test passed at all, the contract lint fails, deploy/
# does not validate (deploy/validate.sh), the dashboard does not build, Chromium is missing, or a link in README.md or docs/ does not resolve
# (deploy/local/check-links.sh, run first).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"
RESULTS="$ROOT/.data/test-results"

say() { printf '[test] %s\n' "$*" >&2; }

# --- database ---------------------------------------------------------------
STOP_PG=0
if [[ -n "${LEDGER_TEST_CONNECTION:-}" ]]; then
    say "database: LEDGER_TEST_CONNECTION (given)"
elif command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    say "database: Docker engine found; the test fixture starts a PostGIS container"
else
    say "database: no Docker engine; using the local PostgreSQL cluster"
    # shellcheck source-path=SCRIPTDIR source=postgres.sh
    source "$SCRIPT_DIR/postgres.sh"
    ledger_pg_start ledger_test
    export LEDGER_TEST_CONNECTION="$LEDGER_PG_CONNECTION"
    # Stop afterwards only what this run started (a cluster used by run.sh stays up),
    # unless LEDGER_PG_KEEP_RUNNING=1 asks to keep it for faster reruns.
    if [[ "${LEDGER_PG_STARTED:-0}" == 1 && "${LEDGER_PG_KEEP_RUNNING:-0}" != 1 ]]; then
        STOP_PG=1
    fi
fi

# --- shared data (OCHA boundaries, UCDP events) --------------------------------
if [[ -z "${LEDGER_SHARED_DATA:-}" && -d "$ROOT/../shared/data" ]]; then
    LEDGER_SHARED_DATA="$(cd "$ROOT/../shared/data" && pwd -P)"
    export LEDGER_SHARED_DATA
fi
say "shared data: ${LEDGER_SHARED_DATA:-(not set)}"

# --- the dashboard and a browser (tests/IdlibLedger.BrowserTests) -------------
# Built before dotnet test builds the service, which copies dist/ beside it; a failure here fails the run (below),
# and the browser tests then fail saying what is missing, while the other tests still run.
# shellcheck source-path=SCRIPTDIR source=dashboard.sh
source "$SCRIPT_DIR/dashboard.sh"
DASHBOARD_RC=0
ledger_dashboard_build || DASHBOARD_RC=$?
CHROMIUM_RC=0
ledger_chromium_ensure || CHROMIUM_RC=$?

# --- documentation links ----------------------------------------------------
# Every relative link and #anchor in README.md and docs/*.md must resolve; a broken one fails the run (below).
LINKS_RC=0
bash "$SCRIPT_DIR/check-links.sh" || LINKS_RC=$?

# --- contract lint (docs/openapi.json, Redocly pinned in tests/contract) ------
LINT_RC=0
if command -v npm >/dev/null 2>&1; then
    (cd "$ROOT/tests/contract" && npm ci --silent --no-audit --no-fund >/dev/null) || LINT_RC=$?
    if [[ $LINT_RC -eq 0 ]]; then
        (cd "$ROOT/tests/contract" && npx --no-install redocly lint "$ROOT/docs/openapi.json" --config redocly.yaml --format=summary) >&2 || LINT_RC=$?
    fi
    [[ $LINT_RC -eq 0 ]] && say "redocly lint: no errors" || say "redocly lint failed ($LINT_RC)"
else
    say "npm not found: redocly lint of docs/openapi.json not run"
    LINT_RC=1
fi

# --- deploy/ (Kubernetes, CloudNativePG and Compose schemas, the Dockerfile's linter) ------------------
DEPLOY_RC=0
bash "$ROOT/deploy/validate.sh" >&2 || DEPLOY_RC=$?
[[ $DEPLOY_RC -eq 0 ]] && say "deploy/validate.sh: no errors" || say "deploy/validate.sh failed ($DEPLOY_RC)"

# --- client generators (tests/IdlibLedger.ClientTests) ------------------------
# Kiota (a local dotnet tool, .config/dotnet-tools.json) and the TypeScript client's packages (tests/client-ts).
say "client generators: dotnet tool restore, npm ci"
(cd "$ROOT" && dotnet tool restore >/dev/null)
(cd "$ROOT/tests/client-ts" && npm ci --no-audit --no-fund >/dev/null)

# --- run --------------------------------------------------------------------
# Start from an empty results folder so that only this run's .trx files are counted.
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# Tests that measure (fault injection, fuzzing) append their figures here; they are printed below.
export LEDGER_TEST_FIGURES="$RESULTS/figures.txt"
: >"$LEDGER_TEST_FIGURES"

TEST_RC=0
dotnet test "$ROOT/IdlibLedger.sln" -c Release \
    --logger "trx;LogFilePrefix=results" --results-directory "$RESULTS" "$@" || TEST_RC=$?

if [[ $STOP_PG == 1 ]]; then
    ledger_pg_stop || true
fi

# --- summary ----------------------------------------------------------------
# Sum the <Counters> element of every .trx (one per test project).
# Prints "passed failed skipped unreadable"; "failed" includes error/timeout/aborted.
summarize_trx() {
    local dir="$1"
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$dir" <<'PY'
import pathlib
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = unreadable = 0
for trx in sorted(pathlib.Path(sys.argv[1]).rglob("*.trx")):
    try:
        root = ET.parse(trx).getroot()
    except (ET.ParseError, OSError) as err:
        print(f"[test] cannot read {trx}: {err}", file=sys.stderr)
        unreadable += 1
        continue
    # Tags carry the TeamTest namespace: match on the local name.
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "Counters":
            continue
        n = lambda key: int(el.get(key) or 0)
        passed += n("passed")
        failed += n("failed") + n("error") + n("timeout") + n("aborted")
        skipped += n("notExecuted")
print(passed, failed, skipped, unreadable)
PY
    else
        # Fallback without python: pull the attributes out of the one-line <Counters .../>.
        local passed=0 failed=0 skipped=0 unreadable=0 trx counters key value
        while IFS= read -r -d '' trx; do
            counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)"
            if [[ -z $counters ]]; then
                say "no <Counters> in $trx"
                unreadable=$((unreadable + 1))
                continue
            fi
            for key in passed failed error timeout aborted notExecuted; do
                value="$(sed -n "s/.* $key=\"\([0-9]*\)\".*/\1/p" <<<"$counters")"
                value="${value:-0}"
                case $key in
                    passed) passed=$((passed + value)) ;;
                    notExecuted) skipped=$((skipped + value)) ;;
                    *) failed=$((failed + value)) ;;
                esac
            done
        done < <(find "$dir" -name '*.trx' -type f -print0)
        echo "$passed $failed $skipped $unreadable"
    fi
}

COUNTS="$(summarize_trx "$RESULTS")" || COUNTS=""
read -r PASSED FAILED SKIPPED UNREADABLE <<<"$COUNTS" || true
if [[ -z "${UNREADABLE:-}" ]]; then
    say "could not summarize the .trx files"
    PASSED=0 FAILED=0 SKIPPED=0 UNREADABLE=1
fi

EXIT=0
if [[ $TEST_RC -ne 0 ]]; then
    say "dotnet test exited with $TEST_RC"
    EXIT=$TEST_RC
fi
if [[ $LINT_RC -ne 0 ]]; then
    say "the contract lint failed"
    EXIT=1
fi
if [[ $DEPLOY_RC -ne 0 ]]; then
    say "deploy/ did not validate (deploy/validate.sh)"
    EXIT=1
fi
if [[ $DASHBOARD_RC -ne 0 ]]; then
    say "the dashboard did not build (the [dashboard] lines above)"
    EXIT=1
fi
if [[ $CHROMIUM_RC -ne 0 ]]; then
    say "no Chromium for the browser tests (the [dashboard] lines above)"
    EXIT=1
fi
if [[ $UNREADABLE -gt 0 ]]; then
    say "$UNREADABLE result file(s) could not be read"
    EXIT=1
fi
if [[ $FAILED -gt 0 ]]; then
    EXIT=1
fi
if [[ $LINKS_RC -ne 0 ]]; then
    say "broken links in README.md or docs/ (the [links] lines above): counted as a failure"
    EXIT=1
fi
if [[ $PASSED -eq 0 ]]; then
    say "no test passed (none ran?): counted as a failure"
    EXIT=1
fi
if [[ -s $LEDGER_TEST_FIGURES ]]; then
    say "figures:"
    sed 's/^/  /' "$LEDGER_TEST_FIGURES" >&2
fi
say "results: $RESULTS"

SUMMARY="$PASSED passed, $FAILED failed"
if [[ $SKIPPED -gt 0 ]]; then
    SUMMARY+=", $SKIPPED skipped"
fi
echo "$SUMMARY"
exit "$EXIT"
