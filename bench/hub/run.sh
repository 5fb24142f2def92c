#!/usr/bin/env bash
# Uploading to a Hub over HTTP (issue 11): a folder of Parquet shards (SIZE_MB in total,
# incompressible) pushed to a local `hfds serve` over loopback by
#   hfds        `hfds push REPO --from DIR` (preupload, LFS batch, parallel PUTs, NDJSON commit)
#   huggingface_hub  `HfApi.upload_folder` (the pinned Python client, no xet)
#   curl        a raw `curl -T` PUT of the same bytes to a local sink (the transfer's limit)
# alternating, same run, each push into a fresh repo of a fresh server store.
# usage: bench/hub/run.sh [HFDS_BIN] [SIZE_MB]   (default build/hfds, 512)
set -euo pipefail
HFDS=$(realpath "${1:-${HFDS_BIN:-build/hfds}}")
MB=${2:-${HFDS_BENCH_MB:-512}}
SRC_DIR=${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=$SRC_DIR/tests/python/.venv/bin/python
OUT=${HFDS_BENCH_OUT:-$(mktemp -d)}
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-hub-XXXXXX")
trap 'rm -rf "$W"' EXIT
echo "# ${MB} MB of shards (random bytes in a binary column), max shard 128MB, codec none"
"$PY" - "$W" "$MB" <<'PYGEN'
import json, os, sys
w, mb = sys.argv[1], int(sys.argv[2])
with open(os.path.join(w, "src.jsonl"), "w") as f:
    for i in range(mb * 1000):
        f.write('{"id": %d, "blob": "%s"}\n' % (i, os.urandom(500).hex()))
PYGEN
echo '{"id": {"dtype": "int64", "_type": "Value"}, "blob": {"dtype": "string", "_type": "Value"}}' >"$W/f.json"
"$HFDS" push --out "$W/src" --split train="$W/src.jsonl" --features "$W/f.json" --max-shard-size 128MB \
	--codec none -q >/dev/null
rm -f "$W/src.jsonl"
du -sh "$W/src"
"$PY" - "$HFDS" "$W" "${RUNS:-3}" "$OUT" <<'PYRUN'
import http.server, json, os, re, resource, socketserver, statistics, subprocess, sys, threading, time
hfds, w, runs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
src = os.path.join(w, "src")
size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(src) for f in fs)

def serve(root):
    tok = subprocess.run([hfds, "token", "create", "bench", "--root", root], capture_output=True, text=True,
                         check=True).stdout.strip()
    log = open(root + ".log", "w+")
    p = subprocess.Popen([hfds, "serve", "--port", "0", "--root", root], stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(600):
        time.sleep(0.05)
        m = re.search(r"\(port (\d+)\)", open(root + ".log").read())
        if m:
            return p, f"http://127.0.0.1:{m.group(1)}", tok
    raise SystemExit("hfds serve did not start")

class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_PUT(self):
        n = int(self.headers["Content-Length"])
        while n:
            n -= len(self.rfile.read(min(n, 1 << 20)))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
sink = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Sink)
threading.Thread(target=sink.serve_forever, daemon=True).start()
files = [os.path.join(r, f) for r, _, fs in os.walk(src) for f in fs if f.endswith(".parquet")]

def run_hfds(url, tok, i):
    env = dict(os.environ, HF_ENDPOINT=url, HF_TOKEN=tok, HFDS_HOME=os.path.join(w, f"c{i}"))
    subprocess.run([hfds, "push", f"bench/h{i}", "--from", src, "-q"], env=env, check=True, stdout=subprocess.DEVNULL)

def run_hub(url, tok, i):
    code = ("import huggingface_hub as h; a = h.HfApi(endpoint=%r, token=%r); "
            "a.create_repo('bench/p%d', repo_type='dataset', exist_ok=True); "
            "a.upload_folder(folder_path=%r, repo_id='bench/p%d', repo_type='dataset')" % (url, tok, i, src, i))
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, HF_HUB_DISABLE_XET="1",
                   HF_HUB_DISABLE_PROGRESS_BARS="1"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def run_curl(port):
    for f in files:
        subprocess.run(["curl", "-s", "-T", f, f"http://127.0.0.1:{port}/x"], check=True, stdout=subprocess.DEVNULL)

res = {"hfds": [], "huggingface_hub": [], "curl -T": []}
cpu = {k: [] for k in res}
def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
for i in range(runs):
    for name in res:
        root = os.path.join(w, f"srv-{name.split()[0]}-{i}")
        p = None
        if name != "curl -T":
            p, url, tok = serve(root)
        subprocess.run(["sync"], check=True)
        c0 = children_cpu()
        t = time.perf_counter()
        if name == "hfds": run_hfds(url, tok, i)
        elif name == "huggingface_hub": run_hub(url, tok, i)
        else: run_curl(sink.server_address[1])
        res[name].append(time.perf_counter() - t)
        cpu[name].append(children_cpu() - c0)   # the client's CPU only: the server is waited later
        if p:
            p.terminate(); p.wait()
            subprocess.run(["rm", "-rf", root], check=True)
        print(f"  run {i + 1}: {name}: {res[name][-1]:.2f} s, client CPU {cpu[name][-1]:.2f} s", flush=True)
json.dump({"wall": res, "client_cpu": cpu}, open(os.path.join(out, "hub.json"), "w"))
mb = size / 1e6
m = {k: statistics.median(v) for k, v in res.items()}
mc = {k: statistics.median(v) for k, v in cpu.items()}
print(f"\n| case ({mb:.0f} MB) | median wall s | MB/s | wall vs hfds | client CPU s |")
for k in res:
    print(f"| {k} | {m[k]:.2f} | {mb / m[k]:.0f} | {m[k] / m['hfds']:.2f}x | {mc[k]:.2f} |")
print(f"hfds vs huggingface_hub: {m['huggingface_hub'] / m['hfds']:.2f}x faster (goal >= 3x); "
      f"hfds at {100 * m['curl -T'] / m['hfds']:.0f}% of the raw curl -T rate (goal >= 70%); client CPU "
      f"{mc['huggingface_hub'] / max(mc['hfds'], 1e-3):.1f}x less than huggingface_hub")
PYRUN
