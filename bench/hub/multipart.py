"""Server CPU and completion time of multipart LFS uploads, two hfds binaries' servers side by side
(alternating, same objects): MB (default 256) per object in 64 MiB parts sent in parallel, REPS
(default 6) objects. The server's CPU comes from /proc/PID/stat around the parts and the completion.

usage: multipart.py NEW_HFDS OLD_HFDS WORKDIR     (bench/hub/README.md, "multipart")"""
import hashlib
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

BINS = {"new": sys.argv[1], "old": sys.argv[2]}
W = sys.argv[3]
CHUNK = 64 << 20
SIZE = int(os.environ.get("MB", "256")) << 20
srvs = {}
for k, b in BINS.items():
    root = os.path.join(W, f"mp-{k}")
    shutil.rmtree(root, ignore_errors=True)
    tok = subprocess.run([b, "token", "create", "bench", "--root", root], capture_output=True, text=True).stdout.strip()
    log = open(root + ".log", "w")
    p = subprocess.Popen([b, "serve", "--port", "0", "--root", root], stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(100):
        time.sleep(0.05)
        m = re.search(r"\(port (\d+)\)", open(root + ".log").read())
        if m: break
    srvs[k] = (p, int(m.group(1)), tok)
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def api(port, tok, path, body, ct="application/json"):
    r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), headers={"Authorization": "Bearer " + tok, "Content-Type": ct})
    return json.load(urllib.request.urlopen(r))
for k, (p, port, tok) in srvs.items():
    api(port, tok, "/api/repos/create", {"type": "dataset", "name": "m", "organization": "bench"})
def put(port, url, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("PUT", url[url.index("/_hfds"):], body=body)
    r = c.getresponse(); r.read(); assert r.status == 200, r.status
res = {"new": [], "old": []}
for rep in range(int(os.environ.get("REPS", "6"))):
    data = os.urandom(SIZE)
    oid = hashlib.sha256(data).hexdigest()
    for k in ("new", "old") if rep % 2 == 0 else ("old", "new"):
        p, port, tok = srvs[k]
        b = api(port, tok, "/datasets/bench/m.git/info/lfs/objects/batch", {"operation": "upload", "transfers": ["basic", "multipart"], "objects": [{"oid": oid, "size": SIZE}]}, "application/vnd.git-lfs+json")
        up = b["objects"][0]["actions"]["upload"]
        parts = [up["header"][h] for h in sorted(up["header"]) if h != "chunk_size"]
        c0, t0 = cpu(p.pid), time.time()
        ts = [threading.Thread(target=put, args=(port, u, data[i * CHUNK:(i + 1) * CHUNK])) for i, u in enumerate(parts)]
        for t in ts: t.start()
        for t in ts: t.join()
        t1 = time.time()
        c = http.client.HTTPConnection("127.0.0.1", port)
        c.request("POST", up["href"][up["href"].index("/_hfds"):], body=json.dumps({"oid": oid, "parts": [{"partNumber": i + 1, "etag": "x"} for i in range(len(parts))]}))
        r = c.getresponse(); r.read(); assert r.status == 200
        t2 = time.time()
        res[k].append((cpu(p.pid) - c0, t1 - t0, t2 - t1))
        print(k, "server CPU %.2f s, parts %.2f s, completion %.3f s" % res[k][-1], flush=True)
for k, (p, port, tok) in srvs.items():
    p.terminate(); p.wait()
for k in res:
    print(k, "median server CPU per GB: %.2f s, completion median %.3f s" % (statistics.median(r[0] for r in res[k]) * (1 << 30) / SIZE, statistics.median(r[2] for r in res[k])))
