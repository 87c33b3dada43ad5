#!/usr/bin/env bash
# The dashboard's build and the browser its tests drive.
#
# Source it (run.sh and test.sh do) to get two functions:
#   ledger_dashboard_build   npm ci + npm run build in src/IdlibLedger.Dashboard (writes dist/, which the service's
#                            build copies beside it as dashboard/); installs Node.js and npm first when missing
#   ledger_chromium_ensure   Debian's chromium for the browser tests, installed when missing; exports
#                            LEDGER_CHROMIUM (its path). Nothing here downloads a browser of its own.
# Both install only from Debian's packages, only as root on Debian; otherwise they say what to install and return 1.
#
# Node.js: the build needs 18.17 or newer (esbuild 0.28 needs 18; openapi-typescript 7 reads the contract with
# @redocly/openapi-core, which needs 18.17). Debian 12's nodejs (18.20) is enough; its npm (9.2) is older than the
# 9.5 that @redocly/openapi-core names, which npm reports as a warning (EBADENGINE) and builds anyway. The tests' other
# npm tools need more: Redocly CLI 2 (tests/contract) names Node.js 20.19 or newer, and tests/client-ts 20.
#
# Progress goes to stderr. No shell options are changed: this file is sourced into scripts using set -euo pipefail.

_LEDGER_DASHBOARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
_LEDGER_NODE_MIN=18.17

_ledger_dashboard_log() { printf '[dashboard] %s\n' "$*" >&2; }

# Install Debian packages, only as root on Debian (where apt-get is).
_ledger_dashboard_apt_install() {
    if [[ $EUID -ne 0 || ! -f /etc/debian_version ]] || ! command -v apt-get >/dev/null 2>&1; then
        return 1
    fi
    apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" || return 1
}

# Node.js and npm on PATH, new enough for the build.
_ledger_node_ensure() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        _ledger_dashboard_log "Node.js or npm missing: installing nodejs npm with apt-get"
        if ! _ledger_dashboard_apt_install nodejs npm; then
            _ledger_dashboard_log "cannot install them here (not root on Debian): install Node.js $_LEDGER_NODE_MIN or newer with npm"
            return 1
        fi
    fi
    local version
    version="$(node --version)"
    version="${version#v}"
    # sort -V puts the smaller first: the minimum must come first (or be equal).
    if [[ "$(printf '%s\n%s\n' "$_LEDGER_NODE_MIN" "$version" | sort -V | head -n 1)" != "$_LEDGER_NODE_MIN" ]]; then
        _ledger_dashboard_log "Node.js $version is too old: the dashboard's build needs $_LEDGER_NODE_MIN or newer"
        return 1
    fi
}

ledger_dashboard_build() {
    local dir="$_LEDGER_DASHBOARD_ROOT/src/IdlibLedger.Dashboard"
    _ledger_node_ensure || return 1
    _ledger_dashboard_log "building the page: npm ci && npm run build in src/IdlibLedger.Dashboard (Node.js $(node --version))"
    (cd "$dir" && npm ci --no-audit --no-fund >/dev/null && npm run --silent build >&2) || {
        _ledger_dashboard_log "the build failed"
        return 1
    }
    if [[ ! -f $dir/dist/index.html ]]; then
        _ledger_dashboard_log "the build wrote no dist/index.html"
        return 1
    fi
}

ledger_chromium_ensure() {
    local chromium="${LEDGER_CHROMIUM:-/usr/bin/chromium}"
    if [[ ! -x $chromium && -z "${LEDGER_CHROMIUM:-}" ]]; then
        _ledger_dashboard_log "Chromium missing: installing Debian's chromium with apt-get"
        if ! _ledger_dashboard_apt_install --no-install-recommends chromium; then
            _ledger_dashboard_log "cannot install it here (not root on Debian): install Debian's chromium, or set LEDGER_CHROMIUM to a Chromium"
            return 1
        fi
    fi
    if [[ ! -x $chromium ]]; then
        _ledger_dashboard_log "no Chromium at $chromium"
        return 1
    fi
    export LEDGER_CHROMIUM="$chromium"
    _ledger_dashboard_log "browser: $("$chromium" --version 2>/dev/null || echo "$chromium")"
}
