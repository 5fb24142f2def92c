"""hfds info / hfds cat on remote files (issue 12) through a real `hfds serve`:
hf://datasets/NS/NAME[@REV]/PATH and resolve URLs give the same answers as pyarrow on the
downloaded file, while fetching only the footer (info) or the footer and the projected
column's chunks (cat), counted from the server's access log; truncated and bit-flipped
copies of a shard served remotely end in an error or valid rows, never a crash."""
import json
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from serve_util import content_bytes, endpoint_for_module, server_fixture

PORT = endpoint_for_module()

from huggingface_hub import hf_hub_download  # noqa: E402

server = server_fixture(PORT)
PATH = "data/train-00000-of-00001.parquet"


@pytest.fixture(scope="module")
def shard(server, hfds_bin, tmp_path_factory):
    import subprocess
    tmp = tmp_path_factory.mktemp("src")
    n = 20000
    src = tmp / "big.parquet"
    pq.write_table(pa.table({"id": pa.array(range(n), pa.int64()),
                             "blob": pa.array([os.urandom(100).hex() for _ in range(n)]),
                             "tags": pa.array([[f"t{i % 5}"] * (i % 3) for i in range(n)])}),
                   src, row_group_size=4000, compression="snappy")
    subprocess.run([hfds_bin, "push", "alice/remote", "--split", f"train={src}", "--endpoint", str(server.root)],
                   check=True, capture_output=True)
    local = hf_hub_download("alice/remote", PATH, repo_type="dataset", cache_dir=str(tmp / "c"))
    return local


def urls(server):
    return [f"hf://datasets/alice/remote/{PATH}", f"hf://datasets/alice/remote@main/{PATH}",
            f"{server.url}/datasets/alice/remote/resolve/main/{PATH}"]


def test_info_fetches_only_the_footer(server, shard, hfds):
    meta = pq.ParquetFile(shard).metadata
    for url in urls(server):
        since = len(server.log_text())
        info = json.loads(hfds("info", url, "--json", env={"HF_ENDPOINT": server.url}).stdout)
        assert info["num_rows"] == meta.num_rows == 20000, info.keys()
        assert content_bytes(server.log_text()[since:]) <= 65536


def test_cat_projection(server, shard, hfds):
    table = pq.read_table(shard)
    meta = pq.ParquetFile(shard).metadata
    id_chunks = sum(meta.row_group(i).column(0).total_compressed_size for i in range(meta.num_row_groups))
    for url in urls(server):
        since = len(server.log_text())
        out = hfds("cat", url, "--columns", "id", env={"HF_ENDPOINT": server.url}).stdout
        assert [json.loads(line)["id"] for line in out.splitlines()] == table.column("id").to_pylist()
        fetched = content_bytes(server.log_text()[since:])
        assert fetched <= id_chunks + meta.serialized_size + 8 + 65536, (fetched, id_chunks)
        assert fetched < os.path.getsize(shard) / 3
    out = hfds("cat", urls(server)[2], "--limit", "5").stdout
    assert [json.loads(line) for line in out.splitlines()] == table.slice(0, 5).to_pylist()


def test_bad_urls(server, shard, hfds):
    env = {"HF_ENDPOINT": server.url}
    r = hfds("cat", "hf://datasets/alice", env=env, check=False)
    assert r.returncode != 0 and "expected hf://datasets/NS/NAME[@REV]/PATH" in r.stderr
    r = hfds("cat", "hf://datasets/alice/remote/data/absent.parquet", env=env, check=False)
    assert r.returncode != 0 and "data/absent.parquet" in r.stderr
    r = hfds("info", "hf://datasets/alice/remote@nobranch/" + PATH, env=env, check=False)
    assert r.returncode != 0 and "nobranch" in r.stderr


def test_hostile_remote_files(server, shard, hfds, tmp_path):
    """Damaged copies uploaded next to the shard: every read ends in an error or in rows, never in
    a crash, a sanitizer report or a hang (each run has a timeout)."""
    data = open(shard, "rb").read()
    rnd = random.Random(12)
    cases = {f"cut{k}.parquet": data[:k] for k in (0, 3, 8, 100, len(data) // 2, len(data) - 9, len(data) - 1)}
    for i in range(12):
        b = bytearray(data)
        pos = rnd.randrange(len(b)) if i % 2 else len(b) - 8 - rnd.randrange(min(4000, len(b) - 8))
        b[pos] ^= 1 << rnd.randrange(8)
        cases[f"flip{i}.parquet"] = bytes(b)
    args = []
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        args.append(f"{tmp_path / name}:bad/{name}")
    hfds("upload", "alice/remote", *args, "--endpoint", str(server.root))
    errors = 0
    for name in cases:
        for cmd in (["info"], ["cat"]):
            r = hfds(*cmd, f"hf://datasets/alice/remote/bad/{name}", env={"HF_ENDPOINT": server.url,
                                                                            "HFDS_HUB_RETRIES": "1"},
                     check=False, timeout=120)
            assert r.returncode in (0, 1, 3), (name, cmd, r.returncode, r.stderr[-2000:])
            assert "Sanitizer" not in r.stderr and "runtime error" not in r.stderr, (name, r.stderr[-2000:])
            if name.startswith("cut"):
                assert r.returncode != 0 and f"bad/{name}" in r.stderr, (name, r.stderr)
            errors += r.returncode != 0
    assert errors >= 14
