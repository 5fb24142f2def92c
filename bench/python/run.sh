#!/usr/bin/env bash
# The Python package against datasets (issue 13), same `hfds serve`, same run, alternating:
#   push: hfds.push_to_hub(table) vs datasets.Dataset(table).push_to_hub(...) of the same
#         ~1 GB pyarrow table (goal: >= 5x faster, <= 1/3 of datasets' peak RSS);
#   load: pa.table(hfds.load(repo)) vs datasets.load_dataset(repo, split="train") with a fresh
#         cache (goal: >= 3x).
# Each measurement is a fresh child process: wall time of the call (imports not timed), the
# CPU time of the client (the child's user+sys during the call, threads included) and of the
# server (`hfds serve`'s user+sys from /proc over the same call), and the child's peak RSS
# (ru_maxrss), with what it was just before the call (the table, the imported modules)
# reported apart. CPU times are the figures to compare on a busy machine.
# usage: bench/python/run.sh [HFDS_BIN] [SIZE_MB]   (default build/hfds, 1000; RUNS=3)
set -euo pipefail
HFDS=$(realpath "${1:-${HFDS_BIN:-build/hfds}}")
MB=${2:-1000}
SRC=${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${HFDS_BENCH_OUT:-$SRC/bench/out/python}
PY=$SRC/tests/python/.venv/bin/python
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-py-XXXXXX")
trap 'kill $SERVE_PID 2>/dev/null || true; rm -rf "$W"' EXIT
echo "# building the package (release, pip --no-build-isolation) into $OUT/pkg"
"$PY" -m pip install --quiet --no-build-isolation --no-deps --no-index --upgrade --target "$OUT/pkg" \
  -C build-dir="$OUT/pkg-build" "$SRC"
TOKEN=$("$HFDS" token create bench --role write --root "$W/hub")
"$HFDS" serve --port 0 --root "$W/hub" >/dev/null 2>"$W/serve.log" &
SERVE_PID=$!
for _ in $(seq 200); do grep -q "(port " "$W/serve.log" && break; sleep 0.05; done
PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$W/serve.log" | head -1)
URL=http://127.0.0.1:$PORT
echo "# hfds serve at $URL; table: ${MB} MB (id int64, 1 KB of incompressible text per row)"
PYTHONPATH="$OUT/pkg" HF_ENDPOINT="$URL" HF_TOKEN="$TOKEN" HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1 \
HF_DATASETS_DISABLE_PROGRESS_BARS=1 "$PY" - "$W" "$MB" "${RUNS:-3}" "$URL" "$TOKEN" "$SERVE_PID" <<'PY' | tee "$OUT/results.txt"
import json, os, statistics, subprocess, sys
w, mb, runs, url, token, spid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
CHILD = r'''
import base64, json, os, resource, sys, time
import pyarrow as pa
what, repo, w, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def usage():
    rs = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    return (sum(r.ru_utime for r in rs), sum(r.ru_stime for r in rs), sum(r.ru_minflt for r in rs))
if what.startswith("push"):
    n = mb * 1000
    rnd = base64.b64encode(os.urandom(n * 3 // 4 + 1024)).decode()
    t = pa.table({"id": pa.array(range(n), pa.int64()),
                  "text": pa.array([rnd[i * 1000 % (len(rnd) - 1000):][:1000] for i in range(n)])})
    del rnd
if what.endswith("hfds"):
    import hfds
else:
    import datasets
base = rss()
u0 = usage()
t0 = time.perf_counter()   # imports are not timed
if what == "push-hfds":
    hfds.push_to_hub(t, repo, progress=False)
elif what == "push-datasets":
    datasets.Dataset(t).push_to_hub(repo)
elif what == "load-hfds":
    n = pa.table(hfds.load(repo)).num_rows
elif what == "load-datasets":
    n = datasets.load_dataset(repo, split="train", cache_dir=os.path.join(w, "cache-" + str(time.time()))).num_rows
s = time.perf_counter() - t0
u = [b - a for a, b in zip(u0, usage())]
print(json.dumps({"s": s, "cpu": u[0] + u[1], "user": u[0], "sys": u[1], "minflt": u[2], "base_mb": base, "peak_mb": rss()}))
'''
def server_cpu():
    f = open(f"/proc/{spid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def run(what, repo):
    s0 = server_cpu()
    r = subprocess.run([sys.executable, "-c", CHILD, what, repo, w, str(mb)], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"{what} failed:\n{r.stderr[-3000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["server_cpu"] = server_cpu() - s0  # includes the child's table generation: the server idles then
    return out
res = {k: [] for k in ("push-hfds", "push-datasets", "load-hfds", "load-datasets")}
for i in range(runs):
    for tool in ("hfds", "datasets"):
        res["push-" + tool].append(run("push-" + tool, f"bench/{tool}{i}"))
    for tool in ("hfds", "datasets"):
        res["load-" + tool].append(run("load-" + tool, f"bench/{tool}{i}"))
    print(f"  run {i + 1}: " + ", ".join(f"{k} {v[-1]['s']:.1f} s (cpu {v[-1]['cpu']:.1f} = user {v[-1]['user']:.1f}"
                                         f" + sys {v[-1]['sys']:.1f}, {v[-1]['minflt'] / 1000:.0f}k minor faults;"
                                         f" server {v[-1]['server_cpu']:.1f}) / {v[-1]['peak_mb']:.0f} MB"
                                         for k, v in res.items()), flush=True)
def med(k, f): return statistics.median(x[f] for x in res[k])
for op in ("push", "load"):
    h, d = med(op + "-hfds", "s"), med(op + "-datasets", "s")
    hp, dp = med(op + "-hfds", "peak_mb"), med(op + "-datasets", "peak_mb")
    hb, db = med(op + "-hfds", "base_mb"), med(op + "-datasets", "base_mb")
    hc, dc = med(op + "-hfds", "cpu"), med(op + "-datasets", "cpu")
    hs, ds = med(op + "-hfds", "server_cpu"), med(op + "-datasets", "server_cpu")
    print(f"{op}: hfds median {h:.2f} s, datasets {d:.2f} s: {d / h:.2f}x faster; client CPU hfds {hc:.2f} s, "
          f"datasets {dc:.2f} s: {dc / max(hc, 1e-9):.2f}x less; server CPU {hs:.2f} vs {ds:.2f} s; "
          f"client+server CPU {(dc + ds) / max(hc + hs, 1e-9):.2f}x less; peak RSS hfds {hp:.0f} MB "
          f"(+{hp - hb:.0f} over the table), datasets {dp:.0f} MB (+{dp - db:.0f}): {hp / dp:.2f} of it")
    hu, du = med(op + "-hfds", "user"), med(op + "-datasets", "user")
    hf, df = med(op + "-hfds", "minflt"), med(op + "-datasets", "minflt")
    print(f"{op}: user CPU hfds {hu:.2f} s, datasets {du:.2f} s: {du / max(hu, 1e-9):.2f}x less; minor faults (fresh "
          f"pages touched) hfds {hf / 1000:.0f}k, datasets {df / 1000:.0f}k: system time is mostly their price on this VM")
PY
