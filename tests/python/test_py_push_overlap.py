"""hfds.push_to_hub uploads each closed shard while the next is written (issue 13 follow-up),
against `hfds serve` over loopback: the server's access log already holds an LFS upload when
the last shard is closed, every shard is stored before the commit (which only references
them), and datasets.load_dataset through the server reads back exactly the input."""
import json
import os
import subprocess
import sys
import time

import pyarrow as pa
import pytest

import hfds
from hubserve import Serve


@pytest.fixture
def serve(hfds_bin, tmp_path):
    s = Serve(hfds_bin, tmp_path / "server" / "hub")
    yield s
    s.close()


def table(n):
    return pa.table({"id": pa.array(range(n), pa.int64()),
                     "text": [f"row {i} " + "x" * (i % 40) for i in range(n)]})


def puts(serve):
    return len([q for q in serve.requests() if q[0] == "PUT"])


def load(serve, repo, tmp_path):
    code = ("import datasets, json; ds = datasets.load_dataset(%r, split='train', cache_dir=%r); "
            "print(json.dumps(ds.data.table.select(['id', 'text']).to_pydict()))" % (repo, str(tmp_path / "cache")))
    env = dict(os.environ, HF_ENDPOINT=serve.url, HF_TOKEN=serve.write_token)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_shards_are_uploaded_while_the_next_is_written(serve, tmp_path):
    """The source waits (bounded) after the first shard closed until a "stored" event came, so
    the check does not depend on how fast this busy machine writes: without the overlap no
    shard is stored before the writing ends, and the wait runs out."""
    t = table(30_000)
    events = []   # (what, done, total, PUTs in the server's log at that moment)

    def progress(what, done, total):
        events.append((what, done, total, puts(serve) if what == "shard" else None))

    def batches():
        deadline = None
        for b in t.to_batches(max_chunksize=1000):
            if deadline is None and any(e[0] == "shard" for e in events):
                deadline = time.monotonic() + 30
                while not any(e[0] == "stored" for e in events) and time.monotonic() < deadline:
                    time.sleep(0.01)
            yield b

    source = pa.RecordBatchReader.from_batches(t.schema, batches())
    ci = hfds.push_to_hub(source, "alice/overlap", endpoint=serve.url, token=serve.write_token,
                          max_shard_size="100KB", upload_workers=2, threads=1, progress=progress)
    kinds = [e[0] for e in events]
    shards = kinds.count("shard")
    assert shards >= 5 and shards == ci.splits["train"]["num_files"], kinds
    last_shard = max(i for i, k in enumerate(kinds) if k == "shard")
    # overlap: shards were stored on the server before the last one was even closed
    assert kinds.index("stored") < last_shard, kinds
    assert events[last_shard][3] >= 1, "the server saw no upload before the last shard was written"
    # every shard was uploaded before the commit, which only references them
    first_commit = kinds.index("commit")
    stored = [e for e in events[:first_commit] if e[0] == "stored"]
    assert len(stored) == shards and stored[-1][1] == stored[-1][2] == shards
    assert puts(serve) <= shards, "the commit uploads nothing again"
    assert load(serve, "alice/overlap", tmp_path) == t.to_pydict()


def test_progress_line_counts_uploaded_shards(serve, capsys):
    hfds.push_to_hub(table(5_000), "alice/line", endpoint=serve.url, token=serve.write_token,
                     max_shard_size="40KB", progress=True)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "shards uploaded" in line, line


def test_a_failed_write_commits_nothing(serve):
    hfds.push_to_hub(table(100), "alice/keep", endpoint=serve.url, token=serve.write_token, progress=False)
    before = hfds.list_repo_commits("alice/keep", endpoint=serve.url, token=serve.write_token)

    def rows():
        for i in range(30_000):
            if i == 25_000:
                raise RuntimeError("source broke")
            yield {"id": i, "text": "y" * 30}
    with pytest.raises(Exception, match="source broke"):
        hfds.push_to_hub(rows(), "alice/keep", endpoint=serve.url, token=serve.write_token, max_shard_size="40KB",
                         progress=False)
    assert hfds.list_repo_commits("alice/keep", endpoint=serve.url, token=serve.write_token) == before
