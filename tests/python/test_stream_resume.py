"""hfds stream (issue 12): the background prefetch and exact resume, against a real `hfds serve`.

- Prefetch: with a reader that has not consumed the first batch yet (hfds blocked writing it
  to a full pipe), the server's access log shows the next row group's column chunks fetched,
  and not the one after (at most two row groups alive).
- Memory: peak RSS streaming a file of 3x as many row groups (same size each) stays within
  25% of the smaller one's: memory follows the row group, not the file.
- Errors: a damaged row group met by the prefetch thread is the command's error, after the
  rows before it.
- Exact resume: kill -9 at seeded random points, every run continued with --state; the
  concatenated output equals the full stream exactly (no duplicate, no gap), across row
  groups and files.
"""
import json
import os
import random
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


def proc_syscall(pid):
    try:
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return None


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
    try:
        # nobody reads stdout: hfds blocks writing batch 0, the prefetch thread fetches batch 1
        wait_until(lambda: content_bytes(server.log_text()[since:]) >= tail + chunks[0] + chunks[1],
                   "the second row group's chunks in the server log")
        time.sleep(1.0)
        fetched = content_bytes(server.log_text()[since:])
        # no further: two row groups at most (the third is not fetched while batch 0 is unread)
        assert fetched < tail + chunks[0] + chunks[1] + chunks[2], (fetched, chunks, rg)
        assert p.poll() is None
        out, err = p.communicate(timeout=600)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
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


def test_kill9_at_random_points_resumes_exactly(server, repos, hfds, hfds_bin, tmp_path):
    full = hfds("stream", "alice/small", "--endpoint", server.url).stdout
    want = full.splitlines(keepends=True)
    assert len(want) == 60000 and [json.loads(line)["id"] for line in want] == list(range(60000))
    state = tmp_path / "run.state"
    args = [hfds_bin, "stream", "alice/small", "--state", str(state), "--endpoint", server.url]
    rng = random.Random(2026)
    got = b""
    kills = 0
    for run in range(200):
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # read a random amount, in random slices, then kill while hfds's writing thread waits:
        # for the reader (poll, the pipe full) or for the prefetch thread (futex: fetching or
        # decoding the next row group). Those are the moments the guarantee covers; a kill
        # inside the two system calls that save a piece's position and write it (about as long
        # as the write itself, so only when hfds outpaces its reader) loses that piece.
        budget = rng.randrange(0, 200000)
        while budget > 0:
            chunk = p.stdout.read1(min(budget, rng.randrange(1, 20000)))
            if not chunk:
                break
            got += chunk
            budget -= len(chunk)
        time.sleep(rng.random() * 0.05)
        wait_until(lambda: p.poll() is not None or proc_syscall(p.pid) in ("7", "271", "202"),
                   "hfds waiting for the pipe or the prefetch thread")
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        got += p.stdout.read()
        p.stdout.close()
        err = p.stderr.read().decode()
        p.stderr.close()
        rc = p.wait()
        if rc == 0:
            break
        assert rc == -signal.SIGKILL, err[-2000:]
    print(f"{run + 1} runs, {kills} kills")
    assert kills >= 10, kills
    lines = got.decode().splitlines(keepends=True)
    assert got.endswith(b"\n")
    ids = [json.loads(line)["id"] for line in lines]
    dup = len(ids) - len(set(ids))
    missing = sorted(set(range(60000)) - set(ids))[:10]
    assert (dup, missing) == (0, []), (dup, missing, kills)
    assert lines == want


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
