#!/usr/bin/env bash
# bench/serve: `hfds serve` over loopback, each figure next to a reference measured in the
# same run:
#   upload   SIZE MB as 4 LFS files with huggingface_hub upload_folder, vs a raw `curl -T` PUT
#            of the same amount to the server's upload URLs (its ingest limit) and a plain cp
#   download one SIZE/4 MB LFS file through /resolve/ (curl) vs nginx serving the same file
#   ranges   64 concurrent clients reading random 1 MiB ranges for 10 s: requests/s, p99 latency
# plus the server's peak RSS (VmHWM) after each phase. SIZE = HFDS_BENCH_SCALE MB (default 1024).
set -euo pipefail
HFDS=${HFDS_BIN:?}
SRC=${HFDS_SRC:?}
OUT=${HFDS_BENCH_OUT:-$SRC/bench/out/serve}
SIZE=${HFDS_BENCH_SCALE:-1024}
PY=$SRC/tests/python/.venv/bin/python
mkdir -p "$OUT"
W=$(mktemp -d /tmp/hfds-bench-serve.XXXXXX)
spid=
npid=
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null || true
	[ -n "$npid" ] && kill "$npid" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$spid/status"; }

per=$((SIZE / 4))
mkdir -p "$W/a" "$W/b"
for i in 1 2 3 4; do
	head -c "$((per * 1048576))" /dev/urandom >"$W/a/part$i.bin"
	head -c "$((per * 1048576))" /dev/urandom >"$W/b/part$i.bin"
done
sync

P=$(port)
URL=http://127.0.0.1:$P
TOK=$("$HFDS" token create bench --root "$W/hub")
# one PUT per object for both clients (multipart is exercised by the tests)
"$HFDS" serve --port "$P" --root "$W/hub" --chunk-size 4294967296 2>"$W/serve.log" &
spid=$!
for _ in $(seq 100); do grep -q 'listening on' "$W/serve.log" && break; sleep 0.1; done
export HF_ENDPOINT=$URL HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HOME=$W/hf

# ---- upload ------------------------------------------------------------------------------
t0=$(now)
"$PY" - "$W/a" "$TOK" <<'PY'
import sys
from huggingface_hub import HfApi
api = HfApi(token=sys.argv[2])
api.create_repo("bench/up", repo_type="dataset")
api.upload_folder(folder_path=sys.argv[1], repo_id="bench/up", repo_type="dataset")
PY
t_up=$(echo "$(now) - $t0" | bc -l)
rss_up=$(hwm)

# upload URLs for set b (objects not stored yet), then raw PUTs with curl
"$PY" - "$W/b" "$TOK" "$URL" >"$W/hrefs" <<'PY'
import hashlib, json, os, sys, urllib.request
folder, tok, url = sys.argv[1:4]
objs = []
for n in sorted(os.listdir(folder)):
    h = hashlib.sha256()
    with open(os.path.join(folder, n), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    objs.append({"oid": h.hexdigest(), "size": os.path.getsize(os.path.join(folder, n)), "name": n})
body = json.dumps({"operation": "upload", "transfers": ["basic"],
                   "objects": [{"oid": o["oid"], "size": o["size"]} for o in objs]}).encode()
req = urllib.request.Request(f"{url}/datasets/bench/up.git/info/lfs/objects/batch", data=body, method="POST",
                             headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/vnd.git-lfs+json"})
res = json.load(urllib.request.urlopen(req))
for o, r in zip(objs, res["objects"]):
    up = r["actions"]["upload"]
    assert "header" not in up or "chunk_size" not in up.get("header", {}), "raise --chunk-size for this size"
    print(o["name"], up["href"])
PY
t0=$(now)
while read -r name href; do
	curl -sf -T "$W/b/$name" "$href" -o /dev/null
done <"$W/hrefs"
t_curl=$(echo "$(now) - $t0" | bc -l)
t0=$(now)
cp -r "$W/b" "$W/copy" && sync
t_cp=$(echo "$(now) - $t0" | bc -l)
rm -rf "$W/copy"

# ---- download vs nginx -----------------------------------------------------------------------
sha=$(sha256sum "$W/a/part1.bin" | cut -d' ' -f1)
obj=$W/hub/lfs/objects/${sha:0:2}/${sha:2:2}/$sha
NP=$(port)
mkdir -p "$W/nginx/logs" "$W/www"
chmod 755 "$W" "$W/www"   # nginx workers run as an unprivileged user when started as root
cp "$obj" "$W/www/part1.bin" && chmod 644 "$W/www/part1.bin"
cat >"$W/nginx/nginx.conf" <<EOF
worker_processes 1;
error_log $W/nginx/logs/error.log;
pid $W/nginx/nginx.pid;
events { worker_connections 256; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	client_body_temp_path $W/nginx/body;
	proxy_temp_path $W/nginx/proxy;
	fastcgi_temp_path $W/nginx/fcgi;
	uwsgi_temp_path $W/nginx/uwsgi;
	scgi_temp_path $W/nginx/scgi;
	server { listen 127.0.0.1:$NP; root $W/www; }
}
EOF
nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -g 'daemon off;' 2>"$W/nginx/stderr" &
npid=$!
sleep 0.5
hyperfine --warmup 1 --runs 5 --export-json "$OUT/download.json" \
	-n hfds "curl -sf -o /dev/null $URL/datasets/bench/up/resolve/main/part1.bin" \
	-n nginx "curl -sf -o /dev/null http://127.0.0.1:$NP/part1.bin" >"$OUT/download.txt"
rss_dl=$(hwm)
read -r d_hfds d_nginx < <("$PY" -c '
import json,sys; r={x["command"]:x for x in json.load(open(sys.argv[1]))["results"]}
print(r["hfds"]["mean"], r["nginx"]["mean"])' "$OUT/download.json")

# ---- 64 concurrent range readers ---------------------------------------------------------------
"$PY" - "$P" "$NP" "$((per * 1048576))" >"$OUT/ranges.txt" <<'PY'
import http.client, random, sys, threading, time
hport, nport, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def run(port, path):
    lat, stop = [], time.time() + 10
    def reader(seed):
        rnd = random.Random(seed)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < stop:
            a = rnd.randrange(0, size - (1 << 20))
            t = time.perf_counter()
            c.request("GET", path, headers={"Range": f"bytes={a}-{a + (1 << 20) - 1}"})
            r = c.getresponse(); body = r.read()
            assert r.status == 206 and len(body) == 1 << 20
            lat.append(time.perf_counter() - t)
        c.close()
    ts = [threading.Thread(target=reader, args=(i,)) for i in range(64)]
    t0 = time.time()
    for t in ts: t.start()
    for t in ts: t.join()
    el = time.time() - t0
    lat.sort()
    return len(lat) / el, lat[int(len(lat) * 0.99)] * 1000
h = run(hport, "/datasets/bench/up/resolve/main/part1.bin")
n = run(nport, "/part1.bin")
print(f"{h[0]:.1f} {h[1]:.1f} {n[0]:.1f} {n[1]:.1f}")
PY
read -r r_hfds p99_hfds r_nginx p99_nginx <"$OUT/ranges.txt"
rss_rg=$(hwm)

kill -TERM "$spid"; wait "$spid" || true; spid=
kill "$npid"; wait "$npid" 2>/dev/null || true; npid=

mb=$SIZE
pm=$per
{
printf '%-34s %9s %10s %12s %8s %10s %12s\n' case MB hfds_s reference_s ratio MB/s server_RSS_MiB
printf '%-34s %9s %10.2f %12.2f %8.2f %10.0f %12d\n' "upload_folder 4 files (ref curl -T)" "$mb" "$t_up" "$t_curl" \
	"$(echo "$t_curl / $t_up" | bc -l)" "$(echo "$mb / $t_up" | bc -l)" "$((rss_up / 1024))"
printf '%-34s %9s %10.2f %12.2f %8.2f %10.0f %12s\n' "curl -T PUT (ref cp)" "$mb" "$t_curl" "$t_cp" \
	"$(echo "$t_cp / $t_curl" | bc -l)" "$(echo "$mb / $t_curl" | bc -l)" "-"
printf '%-34s %9s %10.3f %12.3f %8.2f %10.0f %12d\n' "download resolve (ref nginx)" "$pm" "$d_hfds" "$d_nginx" \
	"$(echo "$d_nginx / $d_hfds" | bc -l)" "$(echo "$pm / $d_hfds" | bc -l)" "$((rss_dl / 1024))"
printf '%-34s %9s %10s %12s %8.2f %10s %12d\n' "64 range readers req/s (ref nginx)" "1/req" "$r_hfds" "$r_nginx" \
	"$(echo "$r_hfds / $r_nginx" | bc -l)" "-" "$((rss_rg / 1024))"
printf '%-34s %9s %10s %12s\n' "64 range readers p99 ms" "" "$p99_hfds" "$p99_nginx"
} | tee "$OUT/summary.txt"
