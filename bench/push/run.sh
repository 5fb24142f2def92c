#!/usr/bin/env bash
# End to end (issue 11): JSON Lines rows -> a published dataset on a local `hfds serve`, by
#   hfds push        shards uploaded while the next is written (the pipeline)
#   hfds out+from    `hfds push --out DIR` then `hfds push --from DIR`: write all, then upload
#   datasets         `load_dataset("json", ...).push_to_hub(...)` (the pinned Python stack)
# alternating, same run, same server, a fresh repo each; all with max shard size 8MB.
# Wall time, CPU (user+sys of the client process tree) and the client's peak RSS.
# usage: bench/push/run.sh [HFDS_BIN] [ROWS]   (default build/hfds, 1000000; RUNS=2)
set -euo pipefail
HFDS=$(realpath "${1:-${HFDS_BIN:-build/hfds}}")
ROWS=${2:-${HFDS_BENCH_ROWS:-1000000}}
SRC_DIR=${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=$SRC_DIR/tests/python/.venv/bin/python
OUT=${HFDS_BENCH_OUT:-$(mktemp -d)}
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-push-XXXXXX")
trap 'rm -rf "$W"' EXIT
"$PY" - "$W" "$ROWS" <<'PYGEN'
import json, random, sys
w, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
words = ["alpha", "beta", "gamma", "delta", "chess", "board", "queen", "pawn", "rook", "knight"]
with open(w + "/rows.jsonl", "w") as f:
    for i in range(n):
        f.write(json.dumps({"id": i, "text": " ".join(rnd.choice(words) for _ in range(12)),
                            "score": rnd.random(), "tags": [rnd.choice(words) for _ in range(3)]}) + "\n")
PYGEN
echo "# $ROWS JSON Lines rows, $(du -m "$W/rows.jsonl" | cut -f1) MB"
"$PY" - "$HFDS" "$W" "${RUNS:-2}" "$OUT" <<'PYRUN'
import json, os, re, statistics, subprocess, sys, time
hfds, w, runs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
src = os.path.join(w, "rows.jsonl")
root = os.path.join(w, "srv")
tok = subprocess.run([hfds, "token", "create", "bench", "--root", root], capture_output=True, text=True,
                     check=True).stdout.strip()
log = open(root + ".log", "w+")
srv = subprocess.Popen([hfds, "serve", "--port", "0", "--root", root], stdout=subprocess.DEVNULL, stderr=log)
url = None
for _ in range(600):
    time.sleep(0.05)
    m = re.search(r"\(port (\d+)\)", open(root + ".log").read())
    if m:
        url = f"http://127.0.0.1:{m.group(1)}"
        break
if not url:
    raise SystemExit("hfds serve did not start")
env = dict(os.environ, HF_ENDPOINT=url, HF_TOKEN=tok, HF_HUB_DISABLE_XET="1", HF_HUB_DISABLE_PROGRESS_BARS="1",
           HF_DATASETS_DISABLE_PROGRESS_BARS="1")

def timed(cmd, extra=None):
    e = dict(env, **(extra or {}))
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, env=e, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(p.stderr[-3000:])
    def field(name):
        return float(re.search(re.escape(name) + r": ([0-9.]+)", p.stderr).group(1))
    return wall, field("User time (seconds)") + field("System time (seconds)"), field("Maximum resident set size (kbytes)") / 1024

def case_push(i):
    return [timed([hfds, "push", f"bench/p{i}", "--split", f"train={src}", "--max-shard-size", "8MB", "-q"],
                  {"HFDS_HOME": os.path.join(w, f"h{i}")})]

def case_outfrom(i):
    d = os.path.join(w, f"out{i}")
    a = timed([hfds, "push", "--out", d, "--split", f"train={src}", "--max-shard-size", "8MB", "-q"])
    b = timed([hfds, "push", f"bench/o{i}", "--from", d, "-q"], {"HFDS_HOME": os.path.join(w, f"h{i}")})
    subprocess.run(["rm", "-rf", d], check=True)
    return [a, b]

def case_datasets(i):
    code = ("import datasets; d = datasets.load_dataset('json', data_files=%r, split='train', cache_dir=%r); "
            "d.push_to_hub('bench/d%d', max_shard_size='8MB')" % (src, os.path.join(w, f"cache{i}"), i))
    r = [timed([sys.executable, "-c", code])]
    subprocess.run(["rm", "-rf", os.path.join(w, f"cache{i}")], check=True)
    return r

cases = {"hfds push": case_push, "hfds out+from": case_outfrom, "datasets push_to_hub": case_datasets}
res = {k: [] for k in cases}
for i in range(runs):
    for name, fn in cases.items():
        parts = fn(i)
        wall = sum(p[0] for p in parts)
        cpu = sum(p[1] for p in parts)
        rss = max(p[2] for p in parts)
        res[name].append((wall, cpu, rss))
        print(f"  run {i + 1}: {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss:.0f} MiB", flush=True)
srv.terminate()
srv.wait()
json.dump(res, open(os.path.join(out, "push.json"), "w"))
med = {k: [statistics.median(x[j] for x in v) for j in range(3)] for k, v in res.items()}
h = med["hfds push"]
print("\n| case | median wall s | median CPU s | peak RSS MiB | wall vs hfds push | CPU vs hfds push |")
for k, (wl, c, r) in med.items():
    print(f"| {k} | {wl:.2f} | {c:.2f} | {r:.0f} | {wl / h[0]:.2f}x | {c / max(h[1], 1e-3):.2f}x |")
d = med["datasets push_to_hub"]
print(f"hfds push vs datasets: {d[0] / h[0]:.1f}x faster wall (goal >= 10x), {d[1] / max(h[1], 1e-3):.1f}x less CPU, "
      f"RSS {h[2] / d[2]:.2f} of datasets' (goal <= 0.20); overlap vs write-then-upload: "
      f"{med['hfds out+from'][0] / h[0]:.2f}x")
PYRUN
