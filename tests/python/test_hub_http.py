"""The HTTP backend end to end against `hfds serve` over loopback: every command works against
a remote endpoint, and what it publishes is read back by huggingface_hub and datasets (the
official clients), never by hfds. Tokens: whoami before any work, clear errors naming where the
token came from, never the token itself."""
import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from hubserve import Serve


@pytest.fixture
def serve(hfds_bin, tmp_path):
    s = Serve(hfds_bin, tmp_path / "server" / "hub")
    yield s
    s.close()


@pytest.fixture
def remote(serve, hfds):
    """hfds bound to the server with the write token."""
    env = {"HF_ENDPOINT": serve.url, "HF_TOKEN": serve.write_token, "HFDS_HUB_RETRY_BASE_MS": "50"}

    def run(*args, check=True, env_extra=None):
        e = dict(env)
        e.update(env_extra or {})
        return hfds(*args, check=check, env=e)
    return run


def hub_api(serve, token=None):
    from huggingface_hub import HfApi
    return HfApi(endpoint=serve.url, token=token or serve.write_token)


def rows(n, start=0):
    return "".join(json.dumps({"id": i, "text": f"row {i}", "score": i / 4}) + "\n" for i in range(start, start + n))


def test_push_read_back_by_datasets(remote, serve, tmp_path):
    (tmp_path / "train.jsonl").write_text(rows(500))
    (tmp_path / "test.jsonl").write_text(rows(50, 1000))
    r = remote("push", "alice/reviews", "--split", f"train={tmp_path / 'train.jsonl'}",
               "--split", f"test={tmp_path / 'test.jsonl'}", "--max-shard-size", "4KB")
    sha = r.stdout.strip()
    assert len(sha) == 40
    api = hub_api(serve)
    files = api.list_repo_files("alice/reviews", repo_type="dataset")
    assert "README.md" in files and any(f.startswith("data/train-") for f in files), files
    assert api.dataset_info("alice/reviews").sha == sha
    commits = api.list_repo_commits("alice/reviews", repo_type="dataset")
    assert len(commits) == 2, "one commit per publish (plus the initial one)"

    # datasets reads HF_ENDPOINT when imported: it runs in its own process
    code = ("import datasets, json; ds = datasets.load_dataset('alice/reviews', cache_dir=%r); "
            "print(json.dumps({s: [ds[s].num_rows, sorted(ds[s]['id'])[:3], ds[s][0]['text']] for s in ds}))"
            % str(tmp_path / "cache"))
    env = dict(os.environ, HF_ENDPOINT=serve.url, HF_TOKEN=serve.write_token)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["train"][0] == 500 and got["test"][0] == 50
    assert got["train"][1] == [0, 1, 2] and got["test"][1] == [1000, 1001, 1002]
    assert got["test"][2].startswith("row ")

    # a second push of the same split: stale shards deleted, card merged, nothing re-sent that
    # the server has (the test split's shard is not uploaded again)
    before = [q for q in serve.requests() if q[0] == "PUT"]
    remote("push", "alice/reviews", "--split", f"test={tmp_path / 'test.jsonl'}", "--max-shard-size", "4KB")
    after = [q for q in serve.requests() if q[0] == "PUT"]
    assert after == before, "a shard the server already has was uploaded again"


def test_every_command_remote(remote, serve, tmp_path):
    (tmp_path / "a.jsonl").write_text(rows(20))
    remote("repo", "create", "alice/tools", "--private")
    info = remote("repo", "info", "alice/tools").stdout
    assert "private: true" in info and "gitDir" not in info
    assert remote("repo", "create", "alice/tools", check=False).returncode == 1
    remote("repo", "create", "alice/tools", "--exist-ok")
    remote("push", "alice/tools", "--config", "en", "--split", f"train={tmp_path / 'a.jsonl'}")
    remote("push", "alice/tools", "--config", "fr", "--split", f"train={tmp_path / 'a.jsonl'}")
    ls = remote("ls", "alice/tools", "-r", "-l").stdout
    assert "en/train-00000-of-00001.parquet" in ls and "sha256=" in ls, ls
    remote("tag", "alice/tools", "v1", "-m", "first")
    remote("branch", "alice/tools", "dev", "--from", "v1")
    assert "v1" in remote("tag", "alice/tools").stdout
    assert "dev" in remote("branch", "alice/tools").stdout
    log = remote("log", "alice/tools", "--oneline").stdout.splitlines()
    assert len(log) == 3 and log[-1].endswith("initial commit")
    remote("delete-config", "alice/tools", "fr")
    assert "fr/" not in remote("ls", "alice/tools", "-r").stdout
    assert "fr/train" in remote("ls", "alice/tools@v1", "-r").stdout
    remote("push", "alice/tools", "--revision", "dev", "--config", "de", "--split", f"train={tmp_path / 'a.jsonl'}")
    assert "de/" in remote("ls", "alice/tools@dev", "-r").stdout
    remote("purge", "alice/tools", "--yes")
    assert remote("ls", "alice/tools", "-r").stdout.split() == ["file", "2504", ".gitattributes"] or \
        remote("ls", "alice/tools", "-r").stdout.count("\n") == 1
    remote("tag", "alice/tools", "v1", "--delete")
    remote("branch", "alice/tools", "dev", "--delete")
    remote("repo", "delete", "alice/tools", "--yes")
    assert remote("repo", "info", "alice/tools", check=False).returncode == 1


def test_token_errors_before_any_work(remote, serve, tmp_path, shared_dir):
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_100k.pgn"
    chess = ["chess", "push", "--repo", "alice/c", "--data-path", pgn, "--batches", "1", "--batch-size", "100"]
    # read-only token
    r = remote(*chess, check=False, env_extra={"HF_TOKEN": serve.read_token})
    assert r.returncode != 0 and "read-only" in r.stderr and serve.read_token not in r.stderr + r.stdout
    assert "games" not in r.stderr, "rows were generated before the token was checked"
    # invalid token: names where it came from
    r = remote(*chess, check=False, env_extra={"HF_TOKEN": "hf_invalid_123"})
    assert r.returncode != 0 and "invalid" in r.stderr and "HF_TOKEN" in r.stderr
    assert "hf_invalid_123" not in r.stderr + r.stdout
    # a token file
    home = tmp_path / "hfhome"
    home.mkdir()
    (home / "token").write_text("hf_from_a_file\n")
    r = remote(*chess, check=False, env_extra={"HF_TOKEN": "", "HF_HOME": str(home)})
    assert r.returncode != 0 and str(home / "token") in r.stderr and "hf_from_a_file" not in r.stderr
    # no token at all
    r = remote(*chess, check=False, env_extra={"HF_TOKEN": "", "HF_HOME": str(tmp_path / "none")})
    assert r.returncode != 0 and "no HF token" in r.stderr
    assert not any(q[0] == "POST" and "create" in q[1] for q in serve.requests()), "a repo was created"


def test_chess_push_and_resume_remote(remote, serve, tmp_path, shared_dir, hfds):
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_100k.pgn"
    common = ["--data-path", pgn, "--sampler", "all", "--batch-size", "300", "--train-ratio", "0.9"]
    remote("chess", "push", "--repo", "alice/chess", "--batches", "2", "--tag", "v1", *common)
    r = remote("chess", "push", "--repo", "alice/chess", "--batches", "1", "--resume", *common)
    assert "resuming with batch 3" in r.stderr
    ref = tmp_path / "ref"
    hfds("chess", "push", "--repo", "alice/chess", "--dry-run", "--out", ref, "--batches", "3", *common)
    api = hub_api(serve)
    assert api.list_repo_refs("alice/chess", repo_type="dataset").tags[0].name == "v1"
    for b in (1, 2, 3):
        for split in ("train", "test"):
            path = api.hf_hub_download("alice/chess", f"{split}/batch_{b:06d}.parquet", repo_type="dataset",
                                       cache_dir=str(tmp_path / "dl"))
            assert pq.read_table(path).to_pylist() == pq.read_table(ref / split / f"batch_{b:06d}.parquet").to_pylist()
    assert len(api.list_repo_commits("alice/chess", repo_type="dataset")) == 4


def test_multipart_upload(hfds_bin, hfds, tmp_path):
    """Shards above the server's chunk size go up in parallel parts (multipart + completion)."""
    s = Serve(hfds_bin, tmp_path / "server" / "hub", chunk_size=5 * 1024 * 1024 + 1)
    try:
        env = {"HF_ENDPOINT": s.url, "HF_TOKEN": s.write_token}
        big = tmp_path / "big.jsonl"
        with open(big, "w") as f:
            for i in range(60000):
                f.write(json.dumps({"id": i, "blob": os.urandom(96).hex()}) + "\n")
        hfds("push", "alice/big", "--split", f"train={big}", "--codec", "none", env=env)
        parts = [q for q in s.requests() if q[0] == "PUT"]
        assert len(parts) >= 2, parts
        from huggingface_hub import HfApi
        api = HfApi(endpoint=s.url, token=s.write_token)
        path = api.hf_hub_download("alice/big", "data/train-00000-of-00001.parquet", repo_type="dataset",
                                   cache_dir=str(tmp_path / "dl"))
        t = pq.read_table(path)
        assert t.num_rows == 60000 and t.column("id").to_pylist() == list(range(60000))
    finally:
        s.close()


def test_upload_hashes_files_in_parallel(remote, serve, tmp_path):
    """`hfds upload` of several files hashes them on all cores (one file per worker): the server
    stores each under the right sha256 (huggingface_hub reads them back), and a file that cannot
    be read, wherever it is in the list, fails the command before anything is sent, naming it."""
    import hashlib
    files = []
    for i in range(5):
        p = tmp_path / f"blob{i}.bin"
        p.write_bytes(os.urandom(3_000_000 + i * 1001))
        files.append(p)
    remote("repo", "create", "alice/blobs")
    before = len([q for q in serve.requests() if q[0] == "PUT"])
    bad = tmp_path / "unreadable.bin"
    r = remote("upload", "alice/blobs", *[str(f) for f in files[:3]], str(bad), *[str(f) for f in files[3:]],
               check=False)
    assert r.returncode != 0 and "unreadable.bin" in r.stderr, r.stderr
    assert len([q for q in serve.requests() if q[0] == "PUT"]) == before, "bytes were sent before the error"
    remote("upload", "alice/blobs", *[str(f) for f in files])
    api = hub_api(serve)
    infos = {i.path: i for i in api.get_paths_info("alice/blobs", [f.name for f in files], repo_type="dataset")}
    for f in files:
        data = f.read_bytes()
        assert infos[f.name].lfs is not None and infos[f.name].lfs.sha256 == hashlib.sha256(data).hexdigest()
        got = api.hf_hub_download("alice/blobs", f.name, repo_type="dataset", cache_dir=str(tmp_path / "dl"))
        assert open(got, "rb").read() == data


def test_nothing_listening_is_said_at_once(hfds, tmp_path):
    """An endpoint where nothing listens (a wrong port, a server not started) is an error on the
    first request, with a hint, not six attempts over ~45 s of backoff; the token is not printed
    and nothing is written locally."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    (tmp_path / "a.jsonl").write_text(rows(10))
    r = hfds("push", "alice/x", "--split", f"train={tmp_path / 'a.jsonl'}", "--endpoint", f"http://127.0.0.1:{port}",
             check=False, env={"HF_TOKEN": "hf_secret_456", "HFDS_HUB_RETRY_BASE_MS": "1000"})
    assert r.returncode != 0 and "is the server running" in r.stderr, r.stderr
    assert "attempts" not in r.stderr, "a refused first connection was retried"
    assert "hf_secret_456" not in r.stderr + r.stdout
    assert not list(tmp_path.rglob("*.parquet")), "shards were written before the endpoint was checked"
