"""The hub benchmarks (issue 11), all against a fresh `hfds serve` over loopback per run, same run,
alternating. Every client runs under /usr/bin/time: wall, user+sys CPU and peak RSS of the client;
the server's own CPU comes from wait4 when it is stopped.

  upload  a folder of Parquet shards (MB in total, incompressible, 128 MB shards) published by
          hfds (`push REPO --from DIR`), huggingface_hub (`HfApi.upload_folder`), @huggingface/hub
          (`uploadFiles`), and a raw `curl -T` of the same files to the server's own LFS upload
          URLs (one PUT per file, one connection): the limit of the server + loopback + disk.
  jsonl   ROWS JSON Lines rows (the issue-15 shape) to a published dataset: `hfds push --split`
          vs `datasets.load_dataset("json", ...).push_to_hub(...)`.
  chess   `hfds chess push` of the bench PGN (the Lichess sample repeated CHESS_REPS times) to
          `hfds serve` vs to the embedded hub (a folder).

usage: bench.py HFDS WORKDIR OUTDIR PARTS...   env: HUB_BENCH_MB, RUNS, HUB_ROWS, CHESS_REPS,
HUB_OLD_SERVE (an older hfds binary: upload adds "hfds, old server", the same client against its server)
"""
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

HFDS, W, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
PARTS = sys.argv[4:] or ["upload", "jsonl", "chess"]
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("HFDS_SHARED", os.path.join(SRC, "..", "shared"))
PY = sys.executable
RUNS = int(os.environ.get("RUNS", "2"))
results = {}


class Serve:
    """`hfds serve` on a free port over a fresh root, with a write token for the user `bench`."""

    def __init__(self, name, *extra, binary=None):
        self.root = os.path.join(W, "srv-" + name)
        shutil.rmtree(self.root, ignore_errors=True)
        self.token = subprocess.run([HFDS, "token", "create", "bench", "--root", self.root], capture_output=True,
                                    text=True, check=True).stdout.strip()
        self.logpath = self.root + ".log"
        log = open(self.logpath, "w")
        self.proc = subprocess.Popen([binary or HFDS, "serve", "--port", "0", "--root", self.root, *extra],
                                     stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(600):
            time.sleep(0.05)
            m = re.search(r"\(port (\d+)\)", open(self.logpath).read())
            if m:
                self.url = f"http://127.0.0.1:{m.group(1)}"
                return
        raise SystemExit("hfds serve did not start")

    def api(self, path, body, ctype="application/json"):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": ctype})
        return json.load(urllib.request.urlopen(req))

    def published(self, repo):
        """Bytes of the Parquet files on main of dataset `repo` (0 if none): each run is checked."""
        req = urllib.request.Request(f"{self.url}/api/datasets/{repo}/tree/main?recursive=true",
                                     headers={"Authorization": "Bearer " + self.token})
        return sum(e.get("size", 0) for e in json.load(urllib.request.urlopen(req)) if e["path"].endswith(".parquet"))

    def stop(self):
        """Stops the server; returns its CPU seconds (user + sys)."""
        self.proc.terminate()
        _, status, ru = os.wait4(self.proc.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, open(self.logpath).read()[-2000:]
        shutil.rmtree(self.root, ignore_errors=True)
        return ru.ru_utime + ru.ru_stime


def timed(cmd, env=None, cwd=None):
    """Runs cmd under /usr/bin/time; returns (wall s, cpu s, peak RSS MB)."""
    tf = os.path.join(W, "time.txt")
    r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf, *cmd], cwd=cwd, env=dict(os.environ, **(env or {})),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({r.returncode}): {r.stderr[-3000:]}")
    wall, user, sys_, rss = open(tf).read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) / 1024


def record(part, name, wall, cpu, rss, server_cpu):
    results.setdefault(part, {}).setdefault(name, []).append(
        {"wall": wall, "cpu": cpu, "rss_mb": rss, "server_cpu": server_cpu})
    print(f"  {part}: {name}: {wall:.2f} s wall, client CPU {cpu:.2f} s, peak RSS {rss:.0f} MB, "
          f"server CPU {server_cpu:.2f} s", flush=True)


def med(part, name, key):
    return statistics.median(r[key] for r in results[part][name])


def table(part, size_label, ref):
    names = list(results[part])
    print(f"\n| {part} ({size_label}) | median wall s | wall / {ref} | client CPU s | peak RSS MB | server CPU s |")
    print("|---|---|---|---|---|---|")
    for n in names:
        print(f"| {n} | {med(part, n, 'wall'):.2f} | {med(part, n, 'wall') / med(part, ref, 'wall'):.2f}x "
              f"| {med(part, n, 'cpu'):.2f} | {med(part, n, 'rss_mb'):.0f} | {med(part, n, 'server_cpu'):.2f} |")


# ---- upload ---------------------------------------------------------------------------------

def make_shards(mb):
    """A folder built by `hfds push --out` (shards + README.md) from pyarrow-written random rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    raw = os.path.join(W, "raw")
    os.makedirs(raw, exist_ok=True)
    shard_mb = 128
    rows = shard_mb * 1000
    inputs = []
    for i in range(max(1, (mb + shard_mb - 1) // shard_mb)):
        blob = os.urandom(1000 * rows)
        t = pa.table({"id": pa.array(range(i * rows, (i + 1) * rows), pa.int64()),
                      "blob": pa.array([blob[k * 1000:(k + 1) * 1000] for k in range(rows)], pa.binary())})
        inputs.append(os.path.join(raw, f"{i}.parquet"))
        pq.write_table(t, inputs[-1], compression="none")
    d = os.path.join(W, "shards")
    subprocess.run([HFDS, "push", "--out", d, "--split", "train=" + ",".join(inputs), "--max-shard-size",
                    f"{shard_mb}MB", "--codec", "none", "-q"], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(raw)
    return d


def curl_limit(srv, files):
    """One PUT per file to the server's upload URL (single-PUT URLs: the curl server runs with a
    chunk size above the shard size), all in one curl process on one keep-alive connection."""
    srv.api("/api/repos/create", {"type": "dataset", "name": "c", "organization": "bench"})
    args = ["curl", "-s", "-f"]
    for f in files:
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            while b := fh.read(1 << 20):
                h.update(b)
        b = srv.api("/datasets/bench/c.git/info/lfs/objects/batch",
                    {"operation": "upload", "transfers": ["basic"],
                     "objects": [{"oid": h.hexdigest(), "size": os.path.getsize(f)}]},
                    "application/vnd.git-lfs+json")
        args += ["-T", f, b["objects"][0]["actions"]["upload"]["href"]]
    return args


def bench_upload():
    mb = int(os.environ.get("HUB_BENCH_MB", "1024"))
    src = make_shards(mb)
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(src) for f in fs)
    size = sum(os.path.getsize(f) for f in files)
    print(f"# upload: {size / 1e6:.0f} MB in {len(files)} Parquet shards (random bytes, codec none)", flush=True)
    js = os.path.join(W, "js")
    os.makedirs(js, exist_ok=True)
    shutil.copy(os.path.join(SRC, "bench", "hub", "upload.mjs"), js)
    if not os.path.exists(os.path.join(js, "node_modules")):
        os.symlink(os.path.join(SRC, "tests", "node", "node_modules"), os.path.join(js, "node_modules"))
    hub_env = {"HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HOME": os.path.join(W, "hfhome")}
    # one untimed push first: the first upload after the shards were made was 1.5-2x slower
    # than the rest whichever client went first (seen with hfds against both servers)
    srv = Serve("warm")
    subprocess.run([HFDS, "push", "bench/w", "--from", src, "-q"], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, HF_ENDPOINT=srv.url, HF_TOKEN=srv.token, HFDS_HOME=os.path.join(W, "warm")))
    srv.stop()
    old = os.environ.get("HUB_OLD_SERVE")   # another hfds binary: its server, same hfds client
    names = ["hfds", "huggingface_hub", "@huggingface/hub", "curl -T"] + (["hfds, old server"] if old else [])
    for i in range(RUNS):
        for name in names:
            srv = Serve("up", *(["--chunk-size", str(4 << 30)] if name == "curl -T" else []),
                        binary=old if name == "hfds, old server" else None)
            cmd, env = None, {}
            if name.startswith("hfds"):
                cmd = [HFDS, "push", "bench/h", "--from", src, "-q"]
                env = {"HF_ENDPOINT": srv.url, "HF_TOKEN": srv.token, "HFDS_HOME": os.path.join(W, f"home{i}")}
            elif name == "huggingface_hub":
                code = ("import huggingface_hub as h; a = h.HfApi(endpoint=%r, token=%r); "
                        "a.create_repo('bench/p', repo_type='dataset'); "
                        "a.upload_folder(folder_path=%r, repo_id='bench/p', repo_type='dataset')"
                        % (srv.url, srv.token, src))
                cmd, env = [PY, "-c", code], hub_env
            elif name == "@huggingface/hub":
                srv.api("/api/repos/create", {"type": "dataset", "name": "j", "organization": "bench"})
                cmd = ["node", os.path.join(js, "upload.mjs"), srv.url, srv.token, "bench/j", src]
            else:
                cmd = curl_limit(srv, files)
            subprocess.run(["sync"], check=True)
            wall, cpu, rss = timed(cmd, env)
            if name != "curl -T":
                repo = {"hfds": "bench/h", "huggingface_hub": "bench/p", "@huggingface/hub": "bench/j",
                        "hfds, old server": "bench/h"}[name]
                assert srv.published(repo) == sum(os.path.getsize(f) for f in files if f.endswith(".parquet")), name
            record("upload", name, wall, cpu, rss, srv.stop())
    shutil.rmtree(src)
    table("upload", f"{size / 1e6:.0f} MB", "hfds")
    m = {n: med("upload", n, "wall") for n in results["upload"]}
    print(f"hfds vs huggingface_hub: {m['huggingface_hub'] / m['hfds']:.2f}x faster (goal >= 3x); "
          f"vs @huggingface/hub {m['@huggingface/hub'] / m['hfds']:.2f}x; "
          f"hfds at {100 * m['curl -T'] / m['hfds']:.0f}% of the curl -T rate (goal >= 70%): "
          f"{size / 1e6 / m['hfds']:.0f} vs {size / 1e6 / m['curl -T']:.0f} MB/s", flush=True)


# ---- jsonl ----------------------------------------------------------------------------------

FEATURES = ('{"id": {"dtype": "int64", "_type": "Value"}, "name": {"dtype": "string", "_type": "Value"}, '
            '"label": {"dtype": "int64", "_type": "Value"}, "score": {"dtype": "float64", "_type": "Value"}, '
            '"tags": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}}')


def bench_jsonl():
    rows = int(os.environ.get("HUB_ROWS", "2000000"))
    path = os.path.join(W, "rows.jsonl")
    subprocess.run([PY, os.path.join(SRC, "bench", "ingest", "gen.py"), "jsonl", str(rows), path], check=True)
    feats = os.path.join(W, "features.json")
    open(feats, "w").write(FEATURES)
    print(f"# jsonl: {rows} rows, {os.path.getsize(path) / 1e6:.0f} MB of JSON Lines -> a published dataset",
          flush=True)
    for i in range(RUNS):
        for name in ("hfds push", "datasets push_to_hub"):
            srv = Serve("js")
            home = os.path.join(W, f"jhome{i}")
            shutil.rmtree(home, ignore_errors=True)
            env = {"HF_ENDPOINT": srv.url, "HF_TOKEN": srv.token, "HFDS_HOME": home, "HF_HOME": home,
                   "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}
            if name == "hfds push":
                cmd = [HFDS, "push", "bench/rows", "--split", f"train={path}", "--features", feats, "-q"]
            else:
                cmd = [PY, os.path.join(SRC, "bench", "hub", "push_to_hub.py"), path, "bench/rows", srv.token]
            subprocess.run(["sync"], check=True)
            wall, cpu, rss = timed(cmd, env)
            assert srv.published("bench/rows") > 0, name
            record("jsonl", name, wall, cpu, rss, srv.stop())
            shutil.rmtree(home, ignore_errors=True)
    os.unlink(path)
    table("jsonl", f"{rows} rows", "hfds push")
    h, d = "hfds push", "datasets push_to_hub"
    print(f"hfds push vs datasets: {med('jsonl', d, 'wall') / med('jsonl', h, 'wall'):.1f}x faster (goal >= 10x), "
          f"peak RSS {med('jsonl', h, 'rss_mb'):.0f} vs {med('jsonl', d, 'rss_mb'):.0f} MB = "
          f"1/{med('jsonl', d, 'rss_mb') / med('jsonl', h, 'rss_mb'):.1f} (goal <= 1/5)", flush=True)


# ---- chess ----------------------------------------------------------------------------------

def bench_chess():
    reps = int(os.environ.get("CHESS_REPS", "130"))
    sample = os.path.join(SHARED, "testdata", "pgn", "lichess", "lichess_db_1000k.pgn")
    pgn = os.path.join(W, "bench.pgn")
    data = open(sample, "rb").read()
    with open(pgn, "wb") as f:
        for _ in range(reps):
            f.write(data)
    print(f"# chess: {os.path.getsize(pgn) / 1e6:.0f} MB of PGN ({438 * reps} games), chess push, 50,000-row batches, 2 workers",
          flush=True)
    args = ["chess", "push", "--repo", "bench/chess", "--data-path", pgn, "--batches", "1000000",
            "--batch-size", "50000", "--workers", "2"]
    for i in range(RUNS):
        for name in ("hfds serve", "embedded hub"):
            home = os.path.join(W, f"chome{i}")
            shutil.rmtree(home, ignore_errors=True)
            if name == "hfds serve":
                srv = Serve("ch")
                env = {"HF_ENDPOINT": srv.url, "HF_TOKEN": srv.token, "HFDS_HOME": home}
                cmd = [HFDS, *args, "--endpoint", srv.url]
            else:
                srv, env = None, {"HFDS_HOME": home}
                cmd = [HFDS, *args, "--endpoint", os.path.join(W, "embedded")]
            subprocess.run(["sync"], check=True)
            wall, cpu, rss = timed(cmd, env)
            assert srv is None or srv.published("bench/chess") > 0
            record("chess", name, wall, cpu, rss, srv.stop() if srv else 0.0)
            shutil.rmtree(os.path.join(W, "embedded"), ignore_errors=True)
            shutil.rmtree(home, ignore_errors=True)
    os.unlink(pgn)
    table("chess", f"{438 * reps} games", "embedded hub")
    print(f"chess push to hfds serve / to the embedded hub: "
          f"{med('chess', 'hfds serve', 'wall') / med('chess', 'embedded hub', 'wall'):.2f}x (goal <= 1.2x)",
          flush=True)


for p in PARTS:
    {"upload": bench_upload, "jsonl": bench_jsonl, "chess": bench_chess}[p]()
json.dump(results, open(os.path.join(OUT, "hub.json"), "w"), indent=1)
