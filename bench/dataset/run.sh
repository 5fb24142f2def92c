#!/usr/bin/env bash
# Publishing cost: a ~2 GB dataset published to the embedded hub (`hfds push REPO`) versus
# writing the same shards alone into a local folder (`hfds push --out DIR`), same source,
# same run, alternating. Target (issue 4): publish <= 1.1 x write.
# usage: bench/dataset/run.sh [HFDS_BIN] [SIZE_MB]   (default build/hfds, 2000)
set -euo pipefail
HFDS=${1:-build/hfds}
MB=${2:-2000}
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-ds-XXXXXX")
trap 'rm -rf "$W"' EXIT
echo "# source: ${MB} MB of Parquet rows (incompressible text), max shard 500MB, snappy"
# source Parquet: 1 KB of random base64 text per row (does not compress), in 600 MB files
python3 - "$W" "$MB" <<'PY'
import base64, json, os, sys
w, mb = sys.argv[1], int(sys.argv[2])
with open(os.path.join(w, "src.jsonl"), "w") as f:
    for i in range(mb * 1000):
        f.write('{"id": %d, "text": "%s"}\n' % (i, base64.b64encode(os.urandom(750)).decode()))
PY
cat >"$W/f.json" <<'JSON'
{"id": {"dtype": "int64", "_type": "Value"}, "text": {"dtype": "string", "_type": "Value"}}
JSON
"$HFDS" push --out "$W/src" --split train="$W/src.jsonl" --features "$W/f.json" --max-shard-size 600MB -q >/dev/null
rm -f "$W/src.jsonl"
SRC=$(ls "$W"/src/data/train-*.parquet | paste -sd, -)
du -sh "$W/src/data"

# Same source, same flags, alternating write / publish so that both see the same machine
# load. Before every run the previous run's output (folder, or hub) is removed and the page
# cache flushed (sync), outside the timing, so neither side pays for the other's write-back
# and each publish is a first publish into a fresh hub.
python3 - "$HFDS" "$W" "$SRC" "${RUNS:-5}" <<'PY'
import statistics, subprocess, sys, time
hfds, w, src, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
write = [hfds, "push", "--out", f"{w}/out", "--split", f"train={src}", "-q"]
publish = [hfds, "push", "bench/ds", "--endpoint", f"{w}/hub", "--split", f"train={src}", "-q"]
def timed(cmd, clear):
    subprocess.run(["rm", "-rf", clear], check=True)
    subprocess.run(["sync"], check=True)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t
timed(write, f"{w}/out")  # warm-up: source in the page cache
tw, tp = [], []
for i in range(runs):
    tw.append(timed(write, f"{w}/out"))
    tp.append(timed(publish, f"{w}/hub"))
    print(f"  run {i + 1}: write {tw[-1]:.2f} s, publish {tp[-1]:.2f} s", flush=True)
mw, mp = statistics.median(tw), statistics.median(tp)
print(f"write shards alone: median {mw:.2f} s   publish to embedded hub: median {mp:.2f} s   "
      f"ratio {mp / mw:.3f} (target <= 1.1)")
PY
