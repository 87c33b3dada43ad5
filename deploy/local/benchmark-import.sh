#!/usr/bin/env bash
# Import benchmark (docs/benchmarks.md): generates a GED-shaped CSV of ROWS rows and prints the rows/s of a raw
# Marten bulk append of the same events, of the import, and of importing the file again.
# Usage: deploy/local/benchmark-import.sh [ROWS] (default 200000). The same program and database as benchmark.sh.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/benchmark.sh" import "${1:-200000}"
