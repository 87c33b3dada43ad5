#!/usr/bin/env bash
# Ingest profile (docs/benchmarks.md, "Ingest: what one report costs"): one client posts N reports one at a time to
# the service in-process (API key on) and appends N with Marten alone, and prints per request the database round
# trips, SQL statements, commits, CPU µs of the process and of PostgreSQL, and KiB allocated.
# Usage: deploy/local/benchmark-ingest-profile.sh [N] [--statements] (default 500; --statements lists each
# statement per request). The same program and database as benchmark.sh.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/benchmark.sh" ingest-profile "${@:-500}"
