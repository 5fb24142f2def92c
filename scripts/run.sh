#!/usr/bin/env bash
# `make run`: the main job on bundled sample data. Samples chess positions from the Lichess
# sample PGN, publishes three batches to an embedded hub (one commit each), tags the result,
# then shows what was pushed and how to load it.
# Usage: scripts/run.sh [HFDS_BIN]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
hfds="$(realpath -m "${1:-$root/build/hfds}")"
shared="${HFDS_SHARED:-$root/../shared}"
pgn="$shared/testdata/pgn/lichess/lichess_db_1000k.pgn"
repo="demo/chesspos"

# A hub of its own inside the build folder, so the demo is repeatable and touches nothing else.
export HFDS_HOME="$root/build/run-hub"
rm -rf "$HFDS_HOME"
unset HF_TOKEN HF_ENDPOINT

if [ ! -f "$pgn" ]; then
  echo "make run: sample PGN not found at $pgn (the shared test data must sit beside the repo)" >&2
  exit 1
fi

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$hfds" chess push --repo "$repo" --data-path "$pgn" \
  --batches 3 --batch-size 500 --seed 1 --tag v1
step "$hfds" ls "$repo@v1" -r
step "$hfds" log "$repo"

git_dir="$HFDS_HOME/hub/datasets/$repo.git"
printf '\n\033[1mThe dataset card (README.md) at v1:\033[0m\n'
git --git-dir="$git_dir" show v1:README.md

# Read a shard back: the LFS pointer in the tree names the object in the shared store.
oid=$(git --git-dir="$git_dir" show v1:train/batch_000001.parquet | sed -n 's/^oid sha256://p')
shard="$HFDS_HOME/hub/lfs/objects/${oid:0:2}/${oid:2:2}/$oid"
step "$hfds" info "$shard"
printf '\n\033[1m$ hfds cat --limit 2 %s  (window shortened here)\033[0m\n' "train/batch_000001.parquet"
"$hfds" cat --limit 2 "$shard" | cut -c1-160 | sed 's/$/ …/'

if [ -d "$root/tests/node/node_modules/@duckdb" ]; then
  printf '\n\033[1mRow counts per split as DuckDB reads them:\033[0m\n'
  for split in train test; do
    o=$(git --git-dir="$git_dir" ls-tree -r v1 --name-only | grep "^$split/" | while read -r p; do
      git --git-dir="$git_dir" show "v1:$p" | sed -n 's/^oid sha256://p'; done)
    n=0
    for h in $o; do
      c=$(node "$root/tests/node/judge.mjs" --reader duckdb "$HFDS_HOME/hub/lfs/objects/${h:0:2}/${h:2:2}/$h" | wc -l)
      n=$((n + c))
    done
    printf '  %-5s %d rows\n' "$split" "$n"
  done
fi

# Serve the hub for a moment and stream the dataset through HF_ENDPOINT with `datasets`.
py="$root/tests/python/.venv/bin/python"
if [ -x "$py" ]; then
  port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf '\n\033[1m$ %s serve --port %s &   (access log below)\033[0m\n' "$hfds" "$port"
  "$hfds" serve --port "$port" 2>"$HFDS_HOME/serve.log" &
  serve_pid=$!
  trap 'kill "$serve_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do grep -q 'listening on' "$HFDS_HOME/serve.log" && break; sleep 0.1; done
  printf '\033[1m$ HF_ENDPOINT=http://127.0.0.1:%s HF_HUB_DISABLE_XET=1 python -c "load_dataset(%s, split=train, streaming=True)"\033[0m\n' "$port" "'$repo'"
  HF_ENDPOINT="http://127.0.0.1:$port" HF_HUB_DISABLE_XET=1 HF_HOME="$HFDS_HOME/hf" HF_HUB_DISABLE_PROGRESS_BARS=1 \
    "$py" - "$repo" <<'PY'
import sys
from datasets import load_dataset
ds = load_dataset(sys.argv[1], split="train", streaming=True)
for i, row in enumerate(ds):
    print(f"  row {i}: scalars={row['scalars']} window[0][:12]={row['window'][0][:12]} ...")
    if i == 2:
        break
PY
  kill -TERM "$serve_pid"; wait "$serve_pid" || true
  trap - EXIT
  sed 's/^/  serve: /' "$HFDS_HOME/serve.log" | head -40
fi

cat <<EOF

Published $repo to the embedded hub at $HFDS_HOME/hub (tag v1).
Serve it to the Hugging Face clients (any machine that can reach the port):

  HFDS_HOME=$HFDS_HOME $hfds serve --port 8080 &
  HF_ENDPOINT=http://127.0.0.1:8080 HF_HUB_DISABLE_XET=1 \\
    python -c "from datasets import load_dataset; print(load_dataset('$repo', streaming=True))"

Load it with Hugging Face datasets (with git-lfs installed, a clone checks out the real shards
from the local object store):

  git clone $git_dir chesspos
  python -c "from datasets import load_dataset; print(load_dataset('chesspos'))"

Explore it with: HFDS_HOME=$HFDS_HOME $hfds ls $repo -r   (see hfds --help)
EOF
