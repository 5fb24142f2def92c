#!/usr/bin/env bash
# Stream and download benchmark (issue 12), over HTTP from the release `hfds serve` on loopback.
#   SIZE_MB (default 1024) of Parquet: rows of an int64 and a 200-character hex string written
#   by pyarrow, pushed with `hfds push` (shards of at most 500 MB, so a 1 GB split has 3 files).
#   1. the split's rows: hfds stream (JSON Lines, the same with --state: its writer child and a
#      record saved per 4 KiB piece, and --format arrow) to /dev/null vs iterating
#      datasets.load_dataset(..., streaming=True) row by row in a fresh interpreter (its time
#      includes Python start-up and imports, as a user running it pays it);
#   2. the repository into an empty HF cache: hfds download vs huggingface_hub snapshot_download
#      (HF_HUB_DISABLE_XET=1, its default 8 workers; hfds its default 4).
# Every case runs RUNS times (default 1) under /usr/bin/time -v: wall, CPU (user+sys) and peak
# RSS; the table shows the fastest run. ratio = reference / hfds (wall, and CPU). The RSS bound
# of the issue is 2 row groups of the projected columns (uncompressed, from the footers) + 64 MB.
# Usage: bench/stream/run.sh   (HFDS_BIN, SIZE_MB, RUNS, HFDS_BENCH_OUT, PARTS="stream download";
#   PARTS=download times the downloads only; the downloads always run, the table's sizes come
#   from them). The caches are removed and `sync`ed between runs
#   so one run's dirty pages are not written back during the next.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${HFDS_BENCH_OUT:-$root/bench/out/stream}
bin=${HFDS_BIN:-$root/build/hfds}
py=$root/tests/python/.venv/bin/python
size_mb=${SIZE_MB:-1024}
runs=${RUNS:-1}
parts=${PARTS:-stream download}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-stream.XXXXXX")
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$out"
rm -f "$out"/*.time
cleanup() { [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

rows=$("$py" - "$size_mb" "$tmp/big.parquet" <<'PY'
import random, sys
import pyarrow as pa, pyarrow.parquet as pq
size, path = int(sys.argv[1]) << 20, sys.argv[2]
n = size // 212          # ~212 bytes of Parquet per row (8 + 200 + offsets and levels)
rnd = random.Random(1)
schema = pa.schema([("id", pa.int64()), ("blob", pa.string())])
with pq.ParquetWriter(path, schema) as w:
    for start in range(0, n, 100000):
        k = min(100000, n - start)
        w.write_table(pa.table({"id": pa.array(range(start, start + k), pa.int64()),
                                "blob": pa.array([rnd.randbytes(100).hex() for _ in range(k)])}, schema=schema))
print(n)
PY
)
"$bin" push bench/stream --split "train=$tmp/big.parquet" --endpoint "$tmp/hub" -q
rm -f "$tmp/big.parquet"
"$bin" serve --port "$port" --root "$tmp/hub" 2>"$tmp/serve.log" &
srv=$!
for _ in $(seq 50); do "$py" -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break; sleep 0.2; done
url=http://127.0.0.1:$port
export HF_ENDPOINT=$url HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1
cat > "$tmp/iter.py" <<PY
from datasets import load_dataset
n = sum(1 for _ in load_dataset("bench/stream", split="train", streaming=True))
assert n == $rows, n
PY
cat > "$tmp/snap.py" <<PY
from huggingface_hub import snapshot_download
print(snapshot_download("bench/stream", repo_type="dataset"))
PY

# timed NAME CMD...: one run under /usr/bin/time -v, appended to $out/NAME.time
timed() {
  local name=$1; shift
  /usr/bin/time -v -a -o "$out/$name.time" "$@"
}
for _ in $(seq "$runs"); do
  if [[ " $parts " == *" stream "* ]]; then
    HF_HOME=$tmp/hf timed hfds_jsonl "$bin" stream bench/stream --endpoint "$url" > /dev/null
    rm -f "$tmp/run.state"
    HF_HOME=$tmp/hf timed hfds_jsonl_state "$bin" stream bench/stream --state "$tmp/run.state" --endpoint "$url" > /dev/null
    HF_HOME=$tmp/hf timed hfds_arrow "$bin" stream bench/stream --format arrow --endpoint "$url" > /dev/null
    (cd "$tmp" && HF_HOME=$tmp/hf timed datasets_streaming "$py" iter.py)
  fi
  rm -rf "$tmp/dl"; sync
  HF_HOME=$tmp/dl timed hfds_download "$bin" download bench/stream --endpoint "$url" > /dev/null 2>&1
  rm -rf "$tmp/dl_ref"; sync
  HF_HOME=$tmp/dl_ref timed snapshot_download "$py" "$tmp/snap.py" > /dev/null
done
# both downloads hold the same bytes
diff <(cd "$tmp/dl/hub/datasets--bench--stream/snapshots" && find . -type l | sort | xargs sha256sum) \
     <(cd "$tmp/dl_ref/hub/datasets--bench--stream/snapshots" && find . -type l | sort | xargs sha256sum) >/dev/null

"$py" - "$out" "$rows" "$tmp/dl/hub/datasets--bench--stream/snapshots" <<'PY'
import glob, os, re, sys
import pyarrow.parquet as pq
out, rows, snap = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = sorted(glob.glob(f"{snap}/*/data/*.parquet"))
size = sum(os.path.getsize(f) for f in files)
rg = max(m.row_group(i).total_byte_size for m in (pq.ParquetFile(f).metadata for f in files)
         for i in range(m.num_row_groups))
ngroups = sum(pq.ParquetFile(f).metadata.num_row_groups for f in files)

def runs(name):
    text = open(f"{out}/{name}.time").read()
    res = []
    for block in text.split("Command being timed")[1:]:
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", block)
        h, m, s = wall.groups()
        res.append({"wall": int(h or 0) * 3600 + int(m) * 60 + float(s),
                    "cpu": float(re.search(r"User time \(seconds\): ([\d.]+)", block).group(1)) +
                           float(re.search(r"System time \(seconds\): ([\d.]+)", block).group(1)),
                    "rss": int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", block).group(1)) / 1024})
    return min(res, key=lambda r: r["wall"])

print(f"{len(files)} shards, {size / 1e6:.0f} MB, {rows} rows, {ngroups} row groups, largest {rg / 1e6:.1f} MB "
      f"uncompressed; RSS bound 2 row groups + 64 MB = {(2 * rg + (64 << 20)) / 1048576:.0f} MiB")
print(f"{'case':<18} {'wall s':>8} {'cpu s':>8} {'rows/s or MB/s':>15} {'ratio wall':>10} {'ratio cpu':>9} {'peak RSS MiB':>12}")
groups = [("datasets_streaming", ["hfds_jsonl", "hfds_jsonl_state", "hfds_arrow", "datasets_streaming"], rows, ""),
          ("snapshot_download", ["hfds_download", "snapshot_download"], size / 1e6, " MB")]
for ref_name, names, amount, unit in groups:
    if not os.path.exists(f"{out}/{ref_name}.time"):
        continue
    ref = runs(ref_name)
    for name in names:
        r = runs(name)
        print(f"{name:<18} {r['wall']:>8.2f} {r['cpu']:>8.2f} {amount / r['wall']:>12.0f}{unit or '   '} "
              f"{ref['wall'] / r['wall']:>10.1f} {ref['cpu'] / r['cpu']:>9.1f} {r['rss']:>12.0f}")
PY
