"""push_to_hub / chess.push: upload_workers, progress and Ctrl-C (issue 13, items 1-3).

- upload_workers reaches the hub: a proxy in front of `hfds serve` (its public URL, so the LFS
  uploads pass through it too) sees at most 1 PUT at a time with upload_workers=1 and several
  with 4.
- progress=True draws one line redrawn with \\r on a terminal (a real pty), one final line on a
  pipe, nothing with progress=False; a callable gets the library's events ("shard", "commit")
  and the writer's "rows", called with the GIL from the library's threads.
- a real SIGINT during hfds.chess.push raises KeyboardInterrupt within a few thousand
  positions: the repository is at the last batch committed, and resume=True continues to
  exactly what an uninterrupted push publishes."""
import os
import pty
import subprocess
import sys
import textwrap
import threading

import pyarrow as pa
import pytest
from ptyread import read_until_closed

import hfds
from faultproxy import FaultProxy
from hubserve import Serve


@pytest.fixture
def proxied(hfds_bin, tmp_path):
    proxy = FaultProxy(p_status=0, p_reset=0, p_lost=0)
    s = Serve(hfds_bin, tmp_path / "server" / "hub", public_url=proxy.url)
    proxy.upstream_port = s.port
    yield s, proxy
    proxy.close()
    s.close()


def test_upload_workers_bound_the_parallel_puts(proxied):
    s, proxy = proxied
    proxy.delay = {"PUT": 0.15}  # slow uploads, so parallel ones overlap
    peaks = {}
    for workers in (1, 4):
        proxy.peak.clear()
        proxy.done.clear()
        t = pa.table({"x": pa.array(range(workers, workers + 120_000), pa.int64())})  # new content each time
        hfds.push_to_hub(t, f"alice/w{workers}", endpoint=proxy.url, token=s.write_token, max_shard_size="100KB",
                         upload_workers=workers, progress=False)
        assert proxy.done.get("PUT", 0) >= 8, proxy.done
        peaks[workers] = proxy.peak["PUT"]
    assert peaks[1] == 1 and 2 <= peaks[4] <= 4, peaks
    with pytest.raises(ValueError, match="upload_workers"):
        hfds.push_to_hub(pa.table({"x": [1]}), "alice/w0", endpoint=proxy.url, token=s.write_token, upload_workers=0)


PUSH = textwrap.dedent("""
    import sys, hfds, pyarrow as pa
    t = pa.table({"x": pa.array(range(300_000), pa.int64())})
    hfds.push_to_hub(t, "me/p", endpoint=sys.argv[1], max_shard_size="100KB", progress=sys.argv[2] == "1")
    print("pushed")
""")


def run_push(hub, progress, tty):
    cmd = [sys.executable, "-c", PUSH, hub, "1" if progress else "0"]
    if not tty:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        return r.stderr
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stderr=slave, stdout=subprocess.DEVNULL)
    os.close(slave)
    out = read_until_closed(master)
    assert p.wait(timeout=600) == 0, out
    return out.decode()


def test_progress_display(tmp_path):
    hub = str(tmp_path / "hub")
    on_tty = run_push(hub, True, True)
    assert on_tty.startswith("\rhfds: me/p (default): ") and on_tty.endswith("\n"), on_tty
    assert on_tty.count("\n") == 1 and "\n" not in on_tty.rstrip("\n")  # one line, redrawn
    final = on_tty.rstrip().rsplit("\r", 1)[-1]
    assert "300,000 rows" in final and "shards" in final and "files committed" in final, final
    piped = run_push(hub, True, False)
    assert "\r" not in piped and piped.count("\n") == 1 and "300,000 rows" in piped, piped
    assert run_push(hub, False, True) == ""
    assert run_push(hub, False, False) == ""


def test_progress_callable_gets_the_library_events(tmp_path):
    events = []

    def record(what, done, total):
        events.append((what, done, total, threading.get_ident()))

    t = pa.table({"x": pa.array(range(200_000), pa.int64())})
    ci = hfds.push_to_hub(t, "me/cb", endpoint=str(tmp_path / "hub"), max_shard_size="100KB", progress=record,
                          threads=2)
    shards = [e for e in events if e[0] == "shard"]
    assert len(shards) == ci.splits["train"]["num_files"] > 2
    assert [e[1] for e in shards] == list(range(1, len(shards) + 1))
    commits = [e for e in events if e[0] == "commit"]
    assert commits and commits[-1][1] == commits[-1][2] >= len(shards)
    assert [e for e in events if e[0] == "rows"][-1][1] == 200_000
    # a failing callable is reported (sys.unraisablehook) but does not break the push
    ci = hfds.push_to_hub(t, "me/cb2", endpoint=str(tmp_path / "hub"), progress=lambda *a: 1 / 0)
    assert ci.splits["train"]["num_examples"] == 200_000


CHESS = textwrap.dedent("""
    import os, signal, sys, hfds
    pgns, hub = sys.argv[1:3], sys.argv[3]
    batches = []
    def progress(what, done, total):
        if what == "batch":
            batches.append(done)
            if done == 2:
                os.kill(os.getpid(), signal.SIGINT)
    try:
        hfds.chess.push(pgns, "me/chess", endpoint=hub, batches=1000, batch_size=5000, window=1,
                        sampler="all", progress=progress)
        print("finished")
    except KeyboardInterrupt:
        print("interrupted")
    print(max(batches))
""")


def test_chess_push_ctrl_c_then_resume(tmp_path, shared_dir):
    # 131573 positions: 26 batches of 5000, so only Ctrl-C ends the first push early
    lichess = shared_dir / "testdata" / "pgn" / "lichess"
    pgns = [str(lichess / "lichess_db_1000k.pgn"), str(lichess / "twic1599_1000k.pgn")]
    hub = str(tmp_path / "hub")
    r = subprocess.run([sys.executable, "-c", CHESS, *pgns, hub], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    outcome, published = r.stdout.split()
    assert outcome == "interrupted", r.stdout + r.stderr
    published = int(published)
    # polled every 4096 positions: the batch being written when Ctrl-C came is dropped or completes
    assert 2 <= published <= 4, published
    commits = hfds.list_repo_commits("me/chess", endpoint=hub)
    assert len(commits) == 1 + published and f"batch {published} " in commits[0]["title"], commits[0]
    files = hfds.list_repo_files("me/chess", endpoint=hub)
    assert sorted(f for f in files if f.startswith("train/")) == \
        [f"train/batch_{i:06d}.parquet" for i in range(1, published + 1)]
    assert not [d for d in os.listdir(os.path.join(hub, "tmp")) if d.startswith("push-")]

    total = published + 2
    res = hfds.chess.push(pgns, "me/chess", endpoint=hub, batches=2, batch_size=5000, window=1, sampler="all",
                          resume=True, progress=False)
    assert res["existing"] == published and res["batches"] == 2
    ref = hfds.chess.push(pgns, "me/ref", endpoint=hub, batches=total, batch_size=5000, window=1, sampler="all",
                          progress=False)
    assert ref["rows_train"] + ref["rows_test"] == total * 5000
    for split in ("train", "test"):
        got = pa.table(hfds.load("me/chess", split=split, endpoint=hub))
        want = pa.table(hfds.load("me/ref", split=split, endpoint=hub))
        assert got.num_rows == want.num_rows > 0 and got.equals(want), split


ITERATE = textwrap.dedent("""
    import os, signal, sys, threading, time, hfds, pyarrow as pa
    hub, folder = sys.argv[1], sys.argv[2]
    n = 400_000
    t = pa.table({"id": pa.array(range(n), pa.int64())})
    hfds.push_to_hub(t, "me/it", endpoint=hub, max_shard_size="64KB", progress=False)
    hfds.write_dataset(t, folder, max_shard_size="64KB")
    for kind in ("load", "read_parquet"):
        if kind == "load":
            s = hfds.load("me/it", endpoint=hub)
        else:
            data = os.path.join(folder, "data")
            files = sorted(os.path.join(data, f) for f in os.listdir(data))
            s = hfds.read_parquet(files)
        seen = []
        threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            for b in s:
                seen.extend(b.column("id").to_pylist())
                time.sleep(0.02)
            print(kind, "finished")
        except KeyboardInterrupt:
            st = s.state()
            rest = (hfds.load("me/it", endpoint=hub, state=st) if kind == "load"
                    else hfds.read_parquet(files, state=st))
            ids = seen + pa.table(rest).column("id").to_pylist()
            print(kind, "interrupted", 0 < len(seen) < n, ids == list(range(n)))
""")


def test_ctrl_c_while_iterating_then_resume(tmp_path):
    r = subprocess.run([sys.executable, "-c", ITERATE, str(tmp_path / "hub"), str(tmp_path / "files")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["load interrupted True True", "read_parquet interrupted True True"], \
        r.stdout + r.stderr
