#!/usr/bin/env bash
# The hub benchmarks of issue 11 (bench/hub/bench.py): publishing to a local `hfds serve` over
# loopback, each client against a fresh server, alternating, same run.
#   upload  HUB_BENCH_MB (default 1024) of Parquet shards: hfds push --from vs huggingface_hub
#           upload_folder vs @huggingface/hub uploadFiles vs curl -T to the server's upload URLs
#   jsonl   HUB_ROWS (default 2,000,000) JSON Lines rows: hfds push vs datasets push_to_hub
#   chess   chess push of the Lichess sample x CHESS_REPS (default 130) to hfds serve vs embedded
# usage: bench/hub/run.sh [HFDS_BIN] [PART...]   (parts: upload jsonl chess; default all)
# env: RUNS (default 2), HUB_BENCH_MB, HUB_ROWS, CHESS_REPS, TMPDIR, HUB_OLD_SERVE (older hfds: its server)
set -euo pipefail
HFDS=$(realpath "${1:-${HFDS_BIN:-build/hfds}}")
shift || true
SRC_DIR=${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${HFDS_BENCH_OUT:-$SRC_DIR/bench/out/hub}
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-hub-XXXXXX")
trap 'rm -rf "$W"' EXIT
"$SRC_DIR/tests/python/.venv/bin/python" "$SRC_DIR/bench/hub/bench.py" "$HFDS" "$W" "$OUT" "$@"
