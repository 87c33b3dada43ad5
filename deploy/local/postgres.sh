#!/usr/bin/env bash
# Private PostgreSQL 15 + PostGIS cluster for local runs and tests.
#
# Source it (run.sh and test.sh do) to get two functions:
#   ledger_pg_start [database]  install if needed, init/start the cluster, ensure
#                               role "ledger" and the database (with PostGIS), and
#                               export LEDGER_PG_CONNECTION (an Npgsql string)
#   ledger_pg_stop [mode]       stop the cluster if it is running (pg_ctl mode: fast, or immediate)
# Or run it directly:
#   deploy/local/postgres.sh [database]   start, then print the connection string
#   deploy/local/postgres.sh --stop       stop (--stop-immediate: as a crash would)
#
# Settings (environment):
#   LEDGER_PG_DATA      cluster folder       (default <repo>/.data/postgres)
#   LEDGER_PG_PORT      TCP port on 127.0.0.1 (default 55432)
#   LEDGER_PG_DATABASE  database name        (default ledger; an argument wins)
#
# Progress goes to stderr so that stdout carries only the connection string.
# No shell options are changed: this file is sourced into scripts using set -euo pipefail.

_LEDGER_PG_BIN=/usr/lib/postgresql/15/bin
_LEDGER_PG_POSTGIS_CONTROL=/usr/share/postgresql/15/extension/postgis.control
_LEDGER_PG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

_ledger_pg_log() { printf '[postgres] %s\n' "$*" >&2; }

# PostgreSQL refuses to run as root, so as root every server-side command runs as
# the "postgres" system user. A non-root developer simply runs it as themself.
# The subshell cd's to / because the caller's cwd (e.g. /root) may be unreadable to postgres.
_ledger_pg_as_owner() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Install PostgreSQL 15 and PostGIS 3 from Debian's packages, only when missing.
_ledger_pg_ensure_installed() {
    if [[ -x $_LEDGER_PG_BIN/postgres && -x $_LEDGER_PG_BIN/initdb && -x $_LEDGER_PG_BIN/pg_ctl \
          && -x $_LEDGER_PG_BIN/psql && -f $_LEDGER_PG_POSTGIS_CONTROL ]]; then
        return 0
    fi
    if [[ $EUID -ne 0 ]]; then
        _ledger_pg_log "PostgreSQL 15 / PostGIS missing and not root: install postgresql-15 postgresql-15-postgis-3 first"
        return 1
    fi
    _ledger_pg_log "PostgreSQL 15 or PostGIS missing: installing postgresql-15 postgresql-15-postgis-3 with apt-get"
    apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 || return 1
    if [[ ! -x $_LEDGER_PG_BIN/postgres || ! -f $_LEDGER_PG_POSTGIS_CONTROL ]]; then
        _ledger_pg_log "install finished but $_LEDGER_PG_BIN/postgres or postgis.control is still missing"
        return 1
    fi
}

# The requested folder and the /var/tmp fallback (used when postgres cannot reach the repo).
_ledger_pg_primary_dir() {
    local dir="${LEDGER_PG_DATA:-$_LEDGER_PG_ROOT/.data/postgres}"
    [[ $dir == /* ]] || dir="$PWD/$dir"
    printf '%s\n' "$dir"
}
_ledger_pg_fallback_dir() {
    local hash
    hash="$(printf '%s' "$_LEDGER_PG_ROOT" | sha256sum | cut -c1-12)"
    printf '/var/tmp/idlib-ledger-%s/postgres\n' "$hash"
}

# Create (if needed) a data folder the cluster owner can use; print its path.
_ledger_pg_prepare_dir() {
    local dir="$1"
    mkdir -p "$dir" || return 1
    if [[ $EUID -eq 0 ]]; then
        # chown -R only when needed: a folder copied in by root would otherwise be refused.
        if [[ "$(stat -c %U "$dir")" != postgres ]]; then
            chown -R postgres:postgres "$dir" || return 1
        fi
    fi
    chmod 700 "$dir" || return 1      # initdb/postgres insist on 0700 (or 0750)
    # The real test: can the owner reach it? Fails when a parent folder is not traversable.
    _ledger_pg_as_owner test -r "$dir" -a -w "$dir" -a -x "$dir"
}

# Decide the data folder; sets _LEDGER_PG_DIR. With "lookup" nothing is created:
# it finds whichever folder holds the cluster (used by ledger_pg_stop).
_ledger_pg_resolve_dir() {
    local mode="${1:-create}" primary fallback
    primary="$(_ledger_pg_primary_dir)"
    fallback="$(_ledger_pg_fallback_dir)"
    if [[ $mode == lookup ]]; then
        if [[ ! -f $primary/PG_VERSION && -f $fallback/PG_VERSION ]]; then
            _LEDGER_PG_DIR="$fallback"
        else
            _LEDGER_PG_DIR="$primary"
        fi
        return 0
    fi
    if _ledger_pg_prepare_dir "$primary" 2>/dev/null; then
        _LEDGER_PG_DIR="$primary"
        return 0
    fi
    _ledger_pg_log "user postgres cannot reach $primary (a parent folder is not traversable);"
    _ledger_pg_log "using $fallback instead"
    rmdir "$primary" 2>/dev/null || true   # leave no empty stray folder behind
    mkdir -p "$(dirname "$fallback")" && chmod 755 "$(dirname "$fallback")" || return 1
    if ! _ledger_pg_prepare_dir "$fallback"; then
        _ledger_pg_log "cannot prepare $fallback either"
        return 1
    fi
    _LEDGER_PG_DIR="$fallback"
}

# initdb once: trust on the Unix socket (superuser admin below), SCRAM passwords on TCP.
_ledger_pg_initdb() {
    local dir="$1" pwfile locale_args=(--locale=C)
    if [[ -f $dir/PG_VERSION ]]; then
        return 0
    fi
    if [[ -n "$(ls -A "$dir")" ]]; then
        _ledger_pg_log "$dir is not empty and holds no cluster (no PG_VERSION); remove it and retry"
        return 1
    fi
    # C.UTF-8 gives Unicode-aware upper/lower for Arabic place names; plain C if it is absent.
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale_args=(--locale=C.UTF-8)
    fi
    pwfile="$(mktemp)" || return 1
    printf 'postgres\n' >"$pwfile"
    if [[ $EUID -eq 0 ]]; then
        chown postgres "$pwfile"      # initdb runs as postgres and must read it
    fi
    _ledger_pg_log "initdb $dir"
    if ! _ledger_pg_as_owner "$_LEDGER_PG_BIN/initdb" -D "$dir" -U postgres --pwfile="$pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 "${locale_args[@]}" \
            >"$dir.initdb.log" 2>&1; then
        rm -f "$pwfile"
        _ledger_pg_log "initdb failed:"
        tail -n 20 "$dir.initdb.log" >&2
        return 1
    fi
    rm -f "$pwfile" "$dir.initdb.log"
}

# Socket folder: <data>/run, unless that path is too long for a Unix socket (~107 bytes).
_ledger_pg_socket_dir() {
    local dir="$1" port="$2"
    if (( ${#dir} + ${#port} + 16 < 100 )); then
        printf '%s/run\n' "$dir"
    else
        printf '/tmp\n'
    fi
}

ledger_pg_start() {
    local db="${1:-${LEDGER_PG_DATABASE:-ledger}}"
    local port="${LEDGER_PG_PORT:-55432}"
    local dir sock log i pid_port psql

    _ledger_pg_ensure_installed || return 1
    _ledger_pg_resolve_dir create || return 1
    dir="$_LEDGER_PG_DIR"
    log="$dir/postgres.log"
    _ledger_pg_initdb "$dir" || return 1

    if _ledger_pg_as_owner "$_LEDGER_PG_BIN/pg_ctl" status -D "$dir" >/dev/null 2>&1; then
        _ledger_pg_log "reusing the cluster already running in $dir"
        LEDGER_PG_STARTED=0
    else
        sock="$(_ledger_pg_socket_dir "$dir" "$port")"
        [[ $sock == /tmp ]] || _ledger_pg_as_owner mkdir -p "$sock" || return 1
        _ledger_pg_log "starting PostgreSQL 15 on 127.0.0.1:$port (data $dir, log $log)"
        # pg_ctl hands -o to /bin/sh, hence the inner quotes around the socket path.
        if ! _ledger_pg_as_owner "$_LEDGER_PG_BIN/pg_ctl" start -D "$dir" -l "$log" -w -t 30 \
                -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$sock'" \
                >/dev/null; then
            _ledger_pg_log "pg_ctl start failed; end of $log:"
            tail -n 30 "$log" >&2 2>/dev/null
            return 1
        fi
        LEDGER_PG_STARTED=1
    fi

    # A reused cluster may listen elsewhere: postmaster.pid line 4 is its port, line 5 its socket folder.
    pid_port="$(sed -n 4p "$dir/postmaster.pid" 2>/dev/null)"
    sock="$(sed -n 5p "$dir/postmaster.pid" 2>/dev/null)"
    if [[ -n $pid_port && $pid_port != "$port" ]]; then
        _ledger_pg_log "note: the running cluster listens on port $pid_port, not $port; using $pid_port"
        port="$pid_port"
    fi
    [[ -n $sock ]] || sock=/tmp

    for ((i = 0; i < 30; i++)); do
        if "$_LEDGER_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then
            break
        fi
        sleep 1
    done
    if (( i >= 30 )); then
        _ledger_pg_log "no answer from 127.0.0.1:$port after 30 s; end of $log:"
        tail -n 30 "$log" >&2 2>/dev/null
        return 1
    fi

    # Superuser work goes over the Unix socket (trust), so it needs no password.
    psql=("$_LEDGER_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres)
    "${psql[@]}" -d postgres -v db="$db" >/dev/null <<'SQL' || { _ledger_pg_log "could not create role/database"; return 1; }
SELECT 'CREATE ROLE ledger LOGIN CREATEDB PASSWORD ''ledger'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger') \gexec
SELECT format('CREATE DATABASE %I OWNER ledger', :'db')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
    # PostGIS is not a trusted extension, so the superuser installs it: in the database
    # (the service, running as "ledger", then finds it) and in template1 (so databases
    # that "ledger" creates itself, e.g. one per test run, come with it too).
    "${psql[@]}" -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS postgis' >/dev/null 2>&1 \
        || { _ledger_pg_log "CREATE EXTENSION postgis failed in $db"; return 1; }
    "${psql[@]}" -d template1 -c 'CREATE EXTENSION IF NOT EXISTS postgis' >/dev/null 2>&1 \
        || { _ledger_pg_log "CREATE EXTENSION postgis failed in template1"; return 1; }

    export LEDGER_PG_DATA_DIR="$dir" LEDGER_PG_SOCKET_DIR="$sock" LEDGER_PG_PORT="$port"
    export LEDGER_PG_DATABASE="$db" LEDGER_PG_STARTED
    export LEDGER_PG_CONNECTION="Host=127.0.0.1;Port=$port;Database=$db;Username=ledger;Password=ledger"
    _ledger_pg_log "ready: database $db on 127.0.0.1:$port (user ledger)"
}

ledger_pg_stop() {
    local dir mode="${1:-fast}"
    _ledger_pg_resolve_dir lookup
    dir="$_LEDGER_PG_DIR"
    if [[ ! -f $dir/PG_VERSION ]]; then
        _ledger_pg_log "no cluster in $dir; nothing to stop"
        return 0
    fi
    if ! _ledger_pg_as_owner "$_LEDGER_PG_BIN/pg_ctl" status -D "$dir" >/dev/null 2>&1; then
        _ledger_pg_log "cluster in $dir is not running"
        return 0
    fi
    _ledger_pg_log "stopping the cluster in $dir ($mode)"
    _ledger_pg_as_owner "$_LEDGER_PG_BIN/pg_ctl" stop -D "$dir" -m "$mode" -w -t 30 >/dev/null
}

# Run directly (not sourced): start and print the connection string, or stop.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
        --stop) ledger_pg_stop ;;
        # A crash as the fault tests need it: no checkpoint, no goodbye to clients (recovery replays the WAL).
        --stop-immediate) ledger_pg_stop immediate ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' ;;
        *) ledger_pg_start "${1:-}"; printf '%s\n' "$LEDGER_PG_CONNECTION" ;;
    esac
fi
