#!/usr/bin/env bash
# `make run`: a short tour of what the hfds CLI does today, on files from the shared test data.
# Usage: scripts/run.sh [HFDS_BIN]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
hfds="$(realpath -m "${1:-$root/build/hfds}")"
shared="${HFDS_SHARED:-$root/../shared}"
sample="$shared/testdata/parquet-testing/data/alltypes_plain.parquet"

step() { printf '\n$ %s\n' "$*"; "$@"; }

step "$hfds" version
step "$hfds" --help
step "$hfds" info "$sample"
step "$hfds" cat --limit 3 "$sample"
printf '\nThe same rows read by DuckDB (one of the independent readers the tests use):\n'
printf '$ node tests/node/judge.mjs --reader duckdb %s | head -3\n' "$sample"
node "$root/tests/node/judge.mjs" --reader duckdb "$sample" | head -3
