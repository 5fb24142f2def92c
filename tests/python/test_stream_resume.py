"""hfds stream (issue 12): the background prefetch and exact resume, against a real `hfds serve`.

- Prefetch: with a reader that has not consumed the first batch yet (hfds blocked writing it
  to a full pipe), the server's access log shows the next row group's column chunks fetched,
  and not the one after (at most two row groups alive).
- Memory: peak RSS streaming a file of 3x as many row groups (same size each) stays within
  25% of the smaller one's: memory follows the row group, not the file.
- Errors: a damaged row group met by the prefetch thread is the command's error, after the
  rows before it.
- Exact resume: 40 seeded kills (SIGKILL injected by strace right after a piece was handed
  over, kill -9 at random moments, Ctrl-C to the process group), every run continued with
  --state; the concatenated output equals the full stream exactly (no duplicate, no gap),
  across row groups and files; the same with stdout appended to a regular file; a reader
  closing the pipe ends hfds cleanly; a rerun waits for the writer of a killed run; an error
  keeps the rows written before it.
"""
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from serve_util import content_bytes, endpoint_for_module, server_fixture

PORT = endpoint_for_module()
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

from huggingface_hub import HfApi, hf_hub_download  # noqa: E402

server = server_fixture(PORT)


def upload(server, repo, table, folder, row_group_size, files=1):
    """pyarrow writes the shards (its row groups, not ours); no card: the default data files."""
    folder.mkdir()
    n = table.num_rows
    for i in range(files):
        part = table.slice(i * n // files, (i + 1) * n // files - i * n // files)
        pq.write_table(part, folder / f"train-{i:05d}-of-{files:05d}.parquet", row_group_size=row_group_size,
                       compression="none")
    api = HfApi(endpoint=server.url, token=server.alice)
    api.create_repo(repo, repo_type="dataset")
    api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=str(folder), path_in_repo="data")


def blob_table(n, width, seed):
    rng = random.Random(seed)
    return pa.table({"id": pa.array(range(n), pa.int64()),
                     "blob": pa.array([rng.randbytes(width // 2).hex() for _ in range(n)])})


@pytest.fixture(scope="module")
def repos(server, hfds_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("src")
    # 8 row groups of 500 rows x 2 KB: one batch is ~1 MB of JSON, far more than a pipe holds
    upload(server, "alice/wide", blob_table(4000, 2000, 1), tmp / "wide", 500)
    # same row group size, 10 vs 30 row groups (2 MB each)
    upload(server, "alice/rg10", blob_table(10 * 1000, 2000, 2), tmp / "rg10", 1000)
    upload(server, "alice/rg30", blob_table(30 * 1000, 2000, 3), tmp / "rg30", 1000)
    # many small rows in three files of 3000-row groups for the kill points
    rng = random.Random(7)
    rows = pa.table({"id": pa.array(range(60000), pa.int64()),
                     "word": pa.array(["x" * rng.randrange(0, 40) for _ in range(60000)])})
    upload(server, "alice/small", rows, tmp / "small", 3000, files=3)
    # the same kind, 4x as many: enough output for 40 kills that each let some rows through
    rows = pa.table({"id": pa.array(range(240000), pa.int64()),
                     "word": pa.array(["x" * rng.randrange(0, 40) for _ in range(240000)])})
    upload(server, "alice/many", rows, tmp / "many", 6000, files=4)


def proc_syscall(pid):
    try:
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return None


@contextlib.contextmanager
def reaped(p):
    """Yields p; kills it on the way out if it still runs (a failed assertion)."""
    try:
        yield p
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def wait_until(cond, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_next_row_group_prefetched_before_first_batch_consumed(server, repos, hfds_bin, tmp_path):
    path = hf_hub_download("alice/wide", "data/train-00000-of-00001.parquet", repo_type="dataset",
                           cache_dir=str(tmp_path / "c"))
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 8
    rg = [meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)]
    chunks = [sum(meta.row_group(i).column(c).total_compressed_size for c in range(2)) for i in range(8)]
    tail = min(65536, os.path.getsize(path))
    since = len(server.log_text())
    p = subprocess.Popen([hfds_bin, "stream", "alice/wide", "--endpoint", server.url], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    with reaped(p):
        # nobody reads stdout: hfds blocks writing batch 0, the prefetch thread fetches batch 1
        wait_until(lambda: content_bytes(server.log_text()[since:]) >= tail + chunks[0] + chunks[1],
                   "the second row group's chunks in the server log")
        time.sleep(1.0)
        fetched = content_bytes(server.log_text()[since:])
        # no further: two row groups at most (the third is not fetched while batch 0 is unread)
        assert fetched < tail + chunks[0] + chunks[1] + chunks[2], (fetched, chunks, rg)
        assert p.poll() is None
        out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err.decode()[-2000:]
    assert [json.loads(line)["id"] for line in out.decode().splitlines()] == list(range(4000))


def peak_rss_mb(hfds_bin, url, repo):
    env = dict(os.environ)
    # ASan keeps freed memory in quarantine (256 MB by default); keep it small so RSS measures us
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8:malloc_context_size=2"
    r = subprocess.run(["/usr/bin/time", "-f", "maxrss=%M", hfds_bin, "stream", repo, "--endpoint", url],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return int(r.stderr.rsplit("maxrss=", 1)[1].split()[0]) / 1024


def test_peak_memory_follows_the_row_group_not_the_file(server, repos, hfds_bin):
    small = peak_rss_mb(hfds_bin, server.url, "alice/rg10")
    large = peak_rss_mb(hfds_bin, server.url, "alice/rg30")
    print(f"peak RSS {small:.0f} MB for 10 row groups of 2 MB, {large:.0f} MB for 30")
    assert large <= small * 1.25 + 8, (small, large)


def ids_of(data):
    return [json.loads(line)["id"] for line in data.decode().splitlines()]


def assert_exact(got, want, note):
    ids = ids_of(got)
    dup = len(ids) - len(set(ids))
    missing = sorted(set(range(len(want))) - set(ids))
    assert (dup, missing[:10], len(missing)) == (0, [], 0), (dup, missing[:10], len(missing), note)
    assert got.endswith(b"\n") and got.splitlines(keepends=True) == want, note


def read_budget(p, rng, budget):
    """Reads about `budget` bytes of p's stdout in random slices (less at the end)."""
    got = b""
    while budget > 0:
        chunk = p.stdout.read1(min(budget, rng.randrange(1, 20000)))
        if not chunk:
            break
        got += chunk
        budget -= len(chunk)
    return got


STRACE = shutil.which("strace")


def kill_plan(rng, n):
    """n seeded kill points of three kinds, shuffled:
    - "handover": SIGKILL delivered by strace on entry to hfds's Nth write/writev/pwrite64
      system call of the run (main thread), i.e. right after a piece was handed over (and,
      in a design that saves the position before writing, right between the two calls);
    - "kill9": SIGKILL to the pid at a random moment, after the reader took a random amount;
    - "ctrl_c": SIGINT to the process group (what a terminal sends) at a random moment;
    - "sigterm": SIGTERM to the process group (what a supervisor sends)."""
    kinds = (["handover"] * (n // 2) + ["kill9"] * (n // 4) + ["sigterm"] * (n // 10)
             + ["ctrl_c"] * (n - n // 2 - n // 4 - n // 10))
    rng.shuffle(kinds)
    return kinds


def stream_with_kills(args, rng, kinds, out_file=None):
    """Runs `args` (an `hfds stream --state` command) once per kill point, then until it exits
    0; returns (bytes the reader got, kills that hit a running hfds, number of runs)."""
    got = b""
    kills = runs = 0
    plan = list(kinds)
    while True:
        runs += 1
        assert runs <= len(kinds) + 5, "the stream did not end"
        kind = plan.pop(0) if plan else None
        cmd = list(args)
        env = dict(os.environ)
        if kind == "handover":
            n = rng.randrange(1, 5)
            cmd = [STRACE, "-o", "/dev/null", "-e", "trace=write,writev,pwrite64",
                   "-e", f"inject=write,writev,pwrite64:signal=KILL:when={n}"] + cmd
            # LeakSanitizer cannot ptrace a traced process at exit
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        stdout = out_file.open("ab") if out_file else subprocess.PIPE
        p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env, start_new_session=True)
        if out_file:
            stdout.close()
        if kind in ("kill9", "ctrl_c", "sigterm"):
            if not out_file:
                got += read_budget(p, rng, rng.randrange(0, 120000))
            time.sleep(rng.random() * 0.2)
            if p.poll() is None:
                if kind == "kill9":
                    p.send_signal(signal.SIGKILL)
                else:
                    os.killpg(p.pid, signal.SIGINT if kind == "ctrl_c" else signal.SIGTERM)
        if not out_file:
            got += p.stdout.read()   # EOF: the writer has finished what it was handed
            p.stdout.close()
        err = p.stderr.read().decode()
        p.stderr.close()
        rc = p.wait()
        if rc in (-signal.SIGKILL, -signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGKILL):
            kills += 1
            continue
        assert rc == 0, (kind, rc, err[-2000:])
        assert "AddressSanitizer" not in err, err[-2000:]
        if not plan:
            return (out_file.read_bytes() if out_file else got), kills, runs


@pytest.mark.skipif(STRACE is None, reason="strace is installed by scripts/deps.sh")
def test_kill_at_seeded_points_resumes_exactly(server, repos, hfds, hfds_bin, tmp_path):
    """40 seeded kills of hfds stream --state (kill -9 right after a hand-over, kill -9 at
    random moments, Ctrl-C and SIGTERM to the process group), every run continued with --state: the
    concatenated output equals the full stream, no row lost, none repeated. Before the
    writer process, the "handover" kills that landed between saving a piece's position and
    writing it lost that piece."""
    full = hfds("stream", "alice/many", "--endpoint", server.url).stdout
    want = full.encode().splitlines(keepends=True)
    assert len(want) == 240000 and ids_of(full.encode()) == list(range(240000))
    args = [hfds_bin, "stream", "alice/many", "--state", str(tmp_path / "run.state"), "--endpoint", server.url]
    rng = random.Random(2026)
    t0 = time.time()
    got, kills, runs = stream_with_kills(args, rng, kill_plan(rng, 40))
    print(f"{runs} runs, {kills} kills in {time.time() - t0:.1f} s")
    assert kills >= 36, kills
    assert_exact(got, want, kills)


@pytest.mark.skipif(STRACE is None, reason="strace is installed by scripts/deps.sh")
def test_kills_with_stdout_a_regular_file(server, repos, hfds, hfds_bin, tmp_path):
    """stdout appended to a file (`>> out.jsonl`): 12 kills, the file ends with every row once."""
    want = hfds("stream", "alice/many", "--endpoint", server.url).stdout.encode().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    args = [hfds_bin, "stream", "alice/many", "--state", str(tmp_path / "f.state"), "--endpoint", server.url]
    rng = random.Random(12)
    kinds = ["handover"] * 10 + ["kill9"] * 2
    rng.shuffle(kinds)
    got, kills, runs = stream_with_kills(args, rng, kinds, out_file=out)
    assert kills >= 10, kills
    assert_exact(got, want, kills)


def test_reader_closing_the_pipe_ends_cleanly_and_resumes_after_what_was_written(server, repos, hfds, hfds_bin,
                                                                                tmp_path):
    """The reader takes some rows and closes its end (`| head`): hfds exits 0 without a
    message; the state holds what the pipe took, so the rerun goes on after the rows read
    (those left in the closed pipe are gone with it) and repeats none."""
    state = tmp_path / "pipe.state"
    args = [hfds_bin, "stream", "alice/small", "--state", str(state), "--endpoint", server.url]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = b""
    while head.count(b"\n") < 20000:
        chunk = p.stdout.read1(65536)
        assert chunk, p.stderr.read()
        head += chunk
    head = head[:head.rindex(b"\n") + 1]
    p.stdout.close()
    err = p.stderr.read().decode()
    # nothing but the usual note naming the target
    assert p.wait(timeout=60) == 0 and all(l.startswith("hfds: target:") for l in err.splitlines()), err
    rest = hfds("stream", "alice/small", "--state", state, "--endpoint", server.url).stdout.encode()
    first, ids = ids_of(head), ids_of(rest)
    assert first == list(range(len(first)))
    assert ids and ids[0] >= len(first) and ids == list(range(ids[0], 60000)), (len(first), ids[:3])
    # no more than a pipe's worth (plus one hand-over) was in flight when it closed
    assert ids[0] - len(first) < 2 * 65536 // 20


def test_rerun_waits_for_the_writer_of_a_killed_run(server, repos, hfds_bin, tmp_path):
    """hfds killed while its reader is not reading: its writer still holds rows and the state
    file; a rerun says it waits and prints nothing until that writer has finished."""
    state = tmp_path / "wait.state"
    args = [hfds_bin, "stream", "alice/wide", "--state", str(state), "--endpoint", server.url]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = p.stdout.read1(1000)
    time.sleep(1.0)                     # hfds fills the pipes, the writer blocks on stdout
    p.send_signal(signal.SIGKILL)
    assert p.wait() == -signal.SIGKILL
    q = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with reaped(q):
        wait_until(lambda: proc_syscall(q.pid) == "73", "the rerun blocked on the state file's lock")  # flock
        assert q.poll() is None
        got = first + p.stdout.read()        # the old writer finishes and lets go
        out, err = q.communicate(timeout=300)
    assert q.returncode == 0, err.decode()[-2000:]
    assert b"waiting for" in err, err
    assert ids_of(got + out) == list(range(4000))


def test_error_in_the_prefetch_thread_ends_the_stream_cleanly(server, repos, hfds, tmp_path):
    """A shard whose second row group is damaged: the first batch is printed, then the error
    the prefetch thread met is the command's error, naming the file (ASan: no leak, no crash)."""
    folder = tmp_path / "bad"
    folder.mkdir()
    path = folder / "train-00000-of-00001.parquet"
    pq.write_table(blob_table(2000, 200, 5), path, row_group_size=1000, compression="none")
    meta = pq.ParquetFile(path).metadata
    col = meta.row_group(1).column(1)
    data = bytearray(path.read_bytes())
    start = col.data_page_offset
    data[start:start + 64] = b"\xff" * 64     # the page header of row group 1's blob chunk
    path.write_bytes(bytes(data))
    api = HfApi(endpoint=server.url, token=server.alice)
    api.create_repo("alice/bad", repo_type="dataset")
    api.upload_folder(repo_id="alice/bad", repo_type="dataset", folder_path=str(folder), path_in_repo="data")
    r = hfds("stream", "alice/bad", "--endpoint", server.url, check=False)
    assert r.returncode not in (0, -6, -11) and r.returncode > 0, r.stderr[-2000:]
    assert "train-00000-of-00001.parquet" in r.stderr and "AddressSanitizer" not in r.stderr, r.stderr[-2000:]
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == list(range(1000))


def test_error_with_state_keeps_the_rows_before_it(server, repos, hfds, tmp_path):
    """With --state, the rows before a damaged row group are written and recorded before the
    error is reported; a rerun prints none of them again and meets the same error."""
    api = HfApi(endpoint=server.url, token=server.alice)
    folder = tmp_path / "bad2"
    folder.mkdir()
    path = folder / "train-00000-of-00001.parquet"
    pq.write_table(blob_table(2000, 200, 5), path, row_group_size=1000, compression="none")
    col = pq.ParquetFile(path).metadata.row_group(1).column(1)
    data = bytearray(path.read_bytes())
    data[col.data_page_offset:col.data_page_offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    api.create_repo("alice/bad2", repo_type="dataset")
    api.upload_folder(repo_id="alice/bad2", repo_type="dataset", folder_path=str(folder), path_in_repo="data")
    state = tmp_path / "bad.state"
    r = hfds("stream", "alice/bad2", "--state", state, "--endpoint", server.url, check=False)
    assert r.returncode > 0 and "train-00000-of-00001.parquet" in r.stderr, r.stderr[-2000:]
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == list(range(1000))
    r2 = hfds("stream", "alice/bad2", "--state", state, "--endpoint", server.url, check=False)
    assert r2.returncode == r.returncode and r2.stdout == "", (r2.returncode, r2.stdout[:200])
