#!/usr/bin/env bash
# Stream benchmark (issue 12): the rows of one split over HTTP from `hfds serve` on loopback.
#   ROWS (default 200,000) rows of an int64 and a 200-character string (~41 MB shard, written by
#   pyarrow then pushed with hfds push), served by the release `hfds serve`:
#   hfds stream (JSON Lines, and --format arrow) vs iterating
#   datasets.load_dataset(..., streaming=True) (the reference, same server, same run).
# Timings: hyperfine (RUNS, default 3; mean and min). Peak RSS: /usr/bin/time -v.
# ratio = reference_time / hfds_time. The reference's time includes the Python start-up and
# imports (~2 s), as a user running it pays it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${HFDS_BENCH_OUT:-$root/bench/out/stream}
bin=${HFDS_BIN:-$root/build/hfds}
py=$root/tests/python/.venv/bin/python
rows=${ROWS:-200000}
runs=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-stream.XXXXXX")
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$out"
cleanup() { [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$py" - "$rows" "$tmp/big.parquet" <<'PY'
import random, sys
import pyarrow as pa, pyarrow.parquet as pq
n, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(1)
pq.write_table(pa.table({"id": pa.array(range(n), pa.int64()),
                         "blob": pa.array([rnd.randbytes(100).hex() for _ in range(n)])}), path)
PY
"$bin" push bench/stream --split "train=$tmp/big.parquet" --endpoint "$tmp/hub" >/dev/null 2>&1
"$bin" serve --port "$port" --root "$tmp/hub" 2>"$tmp/serve.log" &
srv=$!
sleep 1
url=http://127.0.0.1:$port
cat > "$tmp/ref.py" <<PY
from datasets import load_dataset
n = sum(1 for _ in load_dataset("bench/stream", split="train", streaming=True))
assert n == $rows, n
PY
export HF_ENDPOINT=$url HF_HUB_DISABLE_XET=1 HF_HOME=$tmp/hf
hyperfine --warmup 1 --runs "$runs" --export-json "$out/stream.json" \
  -n hfds_jsonl "$bin stream bench/stream --endpoint $url > /dev/null" \
  -n hfds_arrow "$bin stream bench/stream --format arrow --endpoint $url > /dev/null" \
  -n datasets "cd $tmp && $py ref.py" >/dev/null
/usr/bin/time -v "$bin" stream bench/stream --endpoint "$url" 2> "$out/hfds_jsonl.time" >/dev/null
(cd "$tmp" && /usr/bin/time -v "$py" ref.py) 2> "$out/datasets.time" >/dev/null
"$py" - "$out" "$rows" <<'PY'
import json, re, sys
out, rows = sys.argv[1], int(sys.argv[2])
res = {r["command"]: r for r in json.load(open(f"{out}/stream.json"))["results"]}
rss = {k: int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{out}/{k}.time").read()).group(1))
       for k in ("hfds_jsonl", "datasets")}
ref = res["datasets"]["mean"]
print(f"{'case':<12} {'rows':>8} {'mean s':>8} {'min s':>8} {'rows/s':>10} {'ratio':>6} {'peak RSS KiB':>13}")
for k in ("hfds_jsonl", "hfds_arrow", "datasets"):
    r = res[k]
    print(f"{k:<12} {rows:>8} {r['mean']:>8.3f} {r['min']:>8.3f} {rows / r['mean']:>10.0f} {ref / r['mean']:>6.1f} "
          f"{rss.get(k, 0):>13}")
PY
