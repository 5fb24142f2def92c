"""The HTTP backend under faults: a seeded proxy between hfds and `hfds serve` answers ~10% of
requests with 429/500/503, resets ~4% after reading them and loses ~4% of answers after the
server acted. The published tree must equal a fault-free push's, with one commit per publish
(no duplicate commit after a lost commit answer)."""
import json
import re

import pytest

from faultproxy import FaultProxy
from hubserve import Serve


@pytest.fixture
def faulty(hfds_bin, tmp_path):
    proxy = FaultProxy(seed=11)
    s = Serve(hfds_bin, tmp_path / "server" / "hub", public_url=proxy.url)
    proxy.upstream_port = s.port
    yield s, proxy
    proxy.close()
    s.close()


def tree(hfds, env, repo):
    out = hfds("ls", repo, "-r", "-l", env=env).stdout
    return {m.group(2): m.group(3) for m in re.finditer(r"^(lfs|file)\s+\d+\s+(\S+)\s+oid=(\w+)", out, re.M)}


def commits(hfds, env, repo):
    return hfds("log", repo, "--oneline", env=env).stdout.strip().splitlines()


def test_push_through_faults(faulty, hfds, tmp_path, shared_dir):
    s, proxy = faulty
    env = {"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token, "HFDS_HUB_RETRY_BASE_MS": "5",
           "HFDS_HUB_RETRIES": "12"}
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"id": i, "t": "x" * (i % 97)}) + "\n" for i in range(4000)))
    args = ["--split", f"train={data}", "--max-shard-size", "16KB", "-q"]

    # the faulty push first, on an empty server (everything must travel), then a reference
    hfds("push", "alice/faulty", *args, env=env)
    faulty_bytes = proxy.bytes_in
    assert sum(proxy.faults.values()) >= 5, proxy.faults
    proxy.enabled = False
    hfds("push", "alice/ref", *args, env=env)
    proxy.enabled = True
    ref, got = tree(hfds, env, "alice/ref"), tree(hfds, env, "alice/faulty")
    assert len(ref) > 10 and got == ref, "the tree after faults differs from a fault-free push"
    assert len(commits(hfds, env, "alice/faulty")) == 2, "not exactly one commit for the publish"
    # retries re-send bodies, but only those of the failed requests
    payload = sum(int(m.group(1)) for m in re.finditer(r"^(?:lfs|file)\s+(\d+)",
                  hfds("ls", "alice/faulty", "-r", env=env).stdout, re.M))
    assert faulty_bytes <= 3.0 * payload, (faulty_bytes, payload)
    print(f"faults {proxy.faults}; bytes received {faulty_bytes} for a payload of {payload} "
          f"({faulty_bytes / payload:.2f}x)")

    # chess: three publishes, three commits, batches numbered 1..3, through the same faults,
    # and the answer of the first commit lost after the server made it
    proxy.lose_once.append("/commit/")
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_100k.pgn"
    hfds("chess", "push", "--repo", "alice/chess", "--data-path", pgn, "--sampler", "all", "--batches", "3",
         "--batch-size", "200", env=env)
    assert proxy.lose_once == [], "no commit answer was lost"
    log = commits(hfds, env, "alice/chess")
    assert len(log) == 4, log
    files = tree(hfds, env, "alice/chess")
    assert sorted(p for p in files if p.startswith("train/")) == [f"train/batch_00000{i}.parquet" for i in (1, 2, 3)]


def test_kill9_then_rerun_sends_nothing_twice(faulty, hfds, hfds_bin, tmp_path):
    """kill -9 while uploading, then the same command: the same tree as an uninterrupted push,
    one commit, and the shards the server received before the kill are not sent again."""
    import os
    import signal
    import subprocess
    import time
    s, proxy = faulty
    proxy.enabled = False
    env = dict(os.environ, HF_ENDPOINT=proxy.url, HF_TOKEN=s.write_token, HFDS_HUB_UPLOAD_WORKERS="1",
               HFDS_HOME=str(tmp_path / "client"))
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"id": i, "t": "y" * (i % 89)}) + "\n" for i in range(3000)))
    out = tmp_path / "built"
    hfds("push", "--out", out, "--split", f"train={data}", "--max-shard-size", "16KB", "-q")
    shards = len(list((out / "data").glob("*.parquet")))
    assert shards >= 6
    proxy.delay["PUT"] = 0.3
    p = subprocess.Popen([hfds_bin, "push", "alice/k", "--from", str(out), "-q"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while proxy.done.get("PUT", 0) < 3 and time.time() < deadline and p.poll() is None:
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait()
    sent_before = proxy.done.get("PUT", 0)
    assert 3 <= sent_before < shards + 1, (sent_before, shards)
    proxy.delay.clear()
    puts_before_rerun = sum(1 for q in s.requests() if q[0] == "PUT")
    subprocess.run([hfds_bin, "push", "alice/k", "--from", str(out), "-q"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    puts_rerun = sum(1 for q in s.requests() if q[0] == "PUT") - puts_before_rerun
    uploads = shards + 1   # the shards and the card (LFS on hfds serve: it is not inline text here)
    files = tree(hfds, env, "alice/k")
    assert len([f for f in files if f.startswith("data/")]) == shards
    assert puts_rerun <= uploads - sent_before, (puts_rerun, uploads, sent_before)
    assert len(commits(hfds, env, "alice/k")) == 2
    hfds("push", "alice/ref", "--from", str(out), "-q", env={"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token})
    assert tree(hfds, env, "alice/ref") == files
