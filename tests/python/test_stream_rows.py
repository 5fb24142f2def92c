"""hfds stream (issue 12) against a real `hfds serve`: the rows equal
datasets.load_dataset(..., streaming=True) in the same order for every config and split of a
chess repository (append layout, one file per batch), a multi-config repository with several
shards per split and an append-layout repository; a one-column projection fetches little more
than that column's chunks and the footers (counted from the server's access log); kill -9 in
the middle and a rerun with --state prints exactly the rest, also after a new commit."""
import json
import os
import re
import signal
import subprocess

import pyarrow.parquet as pq
import pytest

from serve_util import content_bytes, endpoint_for_module, server_fixture

PORT = endpoint_for_module()

from datasets import load_dataset  # noqa: E402
from huggingface_hub import HfApi, hf_hub_download  # noqa: E402

server = server_fixture(PORT)

SPLITS = [("alice/chess", None, "train"), ("alice/chess", None, "test"),
          ("alice/multi", "first", "train"), ("alice/multi", "first", "test"), ("alice/multi", "second", "train"),
          ("alice/app", None, "train")]


def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def repos(server, hfds_bin, shared_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("src")
    root = str(server.root)

    def run(*args):
        subprocess.run([hfds_bin, *map(str, args)], check=True, capture_output=True)

    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_100k.pgn"
    run("chess", "push", "--repo", "alice/chess", "--data-path", pgn, "--sampler", "all", "--batch-size", "300",
        "--train-ratio", "0.9", "--batches", "3", "--endpoint", root)
    a = jsonl(tmp / "a.jsonl", [{"id": i, "text": f"first {i} " * (i % 7), "v": [i, i * 2]} for i in range(3000)])
    b = jsonl(tmp / "b.jsonl", [{"id": -i, "text": f"test {i}", "v": [i] * (i % 3)} for i in range(50)])
    c = jsonl(tmp / "c.jsonl", [{"k": f"s{i}", "f": i / 7} for i in range(700)])
    run("push", "alice/multi", "--config", "first", "--split", f"train={a}", "--split", f"test={b}",
        "--max-shard-size", "20KB", "--endpoint", root)
    run("push", "alice/multi", "--config", "second", "--split", f"train={c}", "--endpoint", root)
    for batch in range(3):
        d = jsonl(tmp / f"d{batch}.jsonl", [{"n": batch * 1000 + i} for i in range(200 + batch)])
        run("push", "alice/app", "--split", f"train={d}", "--append", "--endpoint", root)
    # a repository with many row groups per file and one large column beside a small one
    big = tmp / "big.parquet"
    import pyarrow as pa
    n = 20000
    pq.write_table(pa.table({"id": pa.array(range(n), pa.int64()),
                             "blob": pa.array([os.urandom(200).hex() for _ in range(n)])}),
                   big, row_group_size=2000, compression="none")
    run("push", "alice/big", "--split", f"train={big}", "--endpoint", root)
    return root


def rows_of(text):
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("repo,config,split", SPLITS)
def test_rows_equal_datasets_streaming(server, repos, hfds, repo, config, split):
    args = [repo, "--split", split] + (["--config", config] if config else [])
    got = rows_of(hfds("stream", *args, "--endpoint", server.url).stdout)
    want = list(load_dataset(repo, config, split=split, streaming=True))
    assert len(got) == len(want) and len(got) > 0
    assert got == want


def test_projection_economy(server, repos, hfds, tmp_path):
    path = hf_hub_download("alice/big", "data/train-00000-of-00001.parquet", repo_type="dataset",
                           cache_dir=str(tmp_path / "c"))
    meta = pq.ParquetFile(path).metadata
    size = os.path.getsize(path)
    id_chunks = sum(meta.row_group(i).column(0).total_compressed_size for i in range(meta.num_row_groups))
    footer = meta.serialized_size + 8
    since = len(server.log_text())
    out = hfds("stream", "alice/big", "--columns", "id", "--endpoint", server.url).stdout
    assert [r["id"] for r in rows_of(out)] == list(range(20000))
    fetched = content_bytes(server.log_text()[since:])
    # the 64 KiB tail read (footer in one request) is the only allowance beyond the promise
    assert fetched <= id_chunks + footer + 65536, (fetched, id_chunks, footer, size)
    assert fetched < size / 3, (fetched, size)


def test_kill9_then_resume(server, repos, hfds, hfds_bin, tmp_path):
    state = tmp_path / "run.state"
    want = [r["id"] for r in rows_of(hfds("stream", "alice/big", "--columns", "id", "--endpoint", server.url).stdout)]
    p = subprocess.Popen([hfds_bin, "stream", "alice/big", "--columns", "id", "--state", str(state),
                          "--endpoint", server.url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = []
    while len(first) < 5000:
        first.append(json.loads(p.stdout.readline())["id"])
    p.send_signal(signal.SIGKILL)
    p.wait()
    # what was written before the kill; a line cut by the kill is not a row
    first += [json.loads(line)["id"] for line in p.stdout.read().decode().split("\n")[:-1]]
    p.stdout.close()
    saved = state.read_text().split()
    assert len(saved) == 4 and re.fullmatch(r"[0-9a-f]{40}", saved[0]) and saved[1] == "0"
    # one file, one row group: the saved position is exactly the rows the reader got
    # (test_stream_resume.py kills at many points)
    done = int(saved[2]) * 20000 + int(saved[3])
    assert 5000 <= done == len(first) < len(want) and first == want[:done]
    # a new commit replaces the split: the resumed stream stays at the saved commit
    new = tmp_path / "new.jsonl"
    jsonl(new, [{"id": -1, "blob": "x"}])
    hfds("push", "alice/big", "--split", f"train={new}", "--endpoint", str(server.root))
    rest = [r["id"] for r in rows_of(hfds("stream", "alice/big", "--columns", "id", "--state", state,
                                          "--endpoint", server.url).stdout)]
    assert want[:done] + rest == want
    # finished: a rerun prints nothing
    assert hfds("stream", "alice/big", "--state", state, "--endpoint", server.url).stdout == ""


def test_limit_and_state_continue(server, repos, hfds, tmp_path):
    state = tmp_path / "s"
    want = list(load_dataset("alice/multi", "first", split="train", streaming=True))
    got = []
    for _ in range(4):
        got += rows_of(hfds("stream", "alice/multi", "--config", "first", "--limit", "777", "--state", state,
                            "--endpoint", server.url).stdout)
    assert got == want[:4 * 777]


def test_errors(server, repos, hfds, tmp_path):
    r = hfds("stream", "alice/multi", "--config", "nope", "--endpoint", server.url, check=False)
    assert r.returncode != 0 and "nope" in r.stderr
    r = hfds("stream", "alice/multi", "--config", "first", "--columns", "absent", "--endpoint", server.url, check=False)
    assert r.returncode != 0 and "absent" in r.stderr
    bad = tmp_path / "bad.state"
    bad.write_text("garbage\n")
    r = hfds("stream", "alice/multi", "--state", bad, "--endpoint", server.url, check=False)
    assert r.returncode == 2 and "not a stream state" in r.stderr


@pytest.mark.parametrize("repo,config,split", SPLITS)
def test_format_arrow_read_by_pyarrow(server, repos, hfds_bin, repo, config, split):
    import pyarrow.ipc as ipc
    args = [hfds_bin, "stream", repo, "--split", split, "--format", "arrow", "--endpoint", server.url]
    r = subprocess.run(args + (["--config", config] if config else []), capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    table = ipc.open_stream(pa_buffer(r.stdout)).read_all()
    table.validate(full=True)
    assert table.to_pylist() == list(load_dataset(repo, config, split=split, streaming=True))


def pa_buffer(data):
    import pyarrow as pa
    return pa.BufferReader(data)


def test_format_arrow_state_and_duckdb(server, repos, hfds_bin, tmp_path):
    import duckdb
    import pyarrow.ipc as ipc
    state = tmp_path / "a.state"
    args = [hfds_bin, "stream", "alice/multi", "--config", "first", "--format", "arrow", "--state", str(state),
            "--endpoint", server.url]
    out = subprocess.run(args, capture_output=True, timeout=600)
    assert out.returncode == 0, out.stderr.decode()
    tbl = ipc.open_stream(pa_buffer(out.stdout)).read_all()
    assert duckdb.sql("SELECT count(*), sum(id) FROM tbl").fetchall() == [(3000, sum(range(3000)))]
    # finished: the state points past the end, a rerun writes no batch, only the end marker
    again = subprocess.run(args, capture_output=True, timeout=600)
    assert again.returncode == 0 and again.stdout == b"\xff\xff\xff\xff\x00\x00\x00\x00"
    r = subprocess.run(args[:-2] + ["--limit", "3", "--endpoint", server.url], capture_output=True)
    assert r.returncode == 2 and b"--limit" in r.stderr
