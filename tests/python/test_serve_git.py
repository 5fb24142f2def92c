"""git + git-lfs against a real `hfds serve` (issue 10): clone over HTTP checks out the real
Parquet shards (git-lfs fetches them through the batch API), pull sees a new commit, and
pushing over git is refused (the server is read-only over git)."""
import os
import subprocess

import pyarrow.parquet as pq

from serve_util import endpoint_for_module, server_fixture

PORT = endpoint_for_module()

from huggingface_hub import HfApi  # noqa: E402


server = server_fixture(PORT)


def git(*args, cwd=None):
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1", HOME=os.environ.get("HF_HOME", "/tmp"))
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_clone_lfs_and_pull(server, hfds, tmp_path):
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(f'{{"id": {i}}}\n' for i in range(100)))
    hfds("push", "alice/g", "--split", f"train={src}", "--endpoint", str(server.root))
    assert git("lfs", "install", "--skip-repo").returncode == 0
    r = git("clone", f"{server.url}/datasets/alice/g", str(tmp_path / "c"))
    assert r.returncode == 0, r.stderr
    shard = tmp_path / "c" / "data" / "train-00000-of-00001.parquet"
    assert shard.read_bytes()[:4] == b"PAR1"        # the content, not the LFS pointer
    assert pq.read_table(shard).column("id").to_pylist() == list(range(100))
    api = HfApi(endpoint=server.url, token=server.alice)
    api.upload_file(path_or_fileobj=b"new\n", path_in_repo="new.txt", repo_id="alice/g", repo_type="dataset")
    r = git("pull", "-q", cwd=tmp_path / "c")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c" / "new.txt").read_text() == "new\n"
    # pushing over git is refused
    (tmp_path / "c" / "x.txt").write_text("x")
    git("add", "x.txt", cwd=tmp_path / "c")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x", cwd=tmp_path / "c")
    r = git("push", "-q", "origin", "main", cwd=tmp_path / "c")
    assert r.returncode != 0
    assert "x.txt" not in api.list_repo_files("alice/g", repo_type="dataset")


def test_private_clone_needs_token(server, tmp_path):
    api = HfApi(endpoint=server.url, token=server.alice)
    api.create_repo("alice/secret", repo_type="dataset", private=True)
    r = git("clone", f"{server.url}/datasets/alice/secret", str(tmp_path / "s"))
    assert r.returncode != 0
    host = server.url.replace("http://", "")
    r = git("clone", f"http://alice:{server.alice}@{host}/datasets/alice/secret", str(tmp_path / "s2"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "s2" / ".gitattributes").exists()
    bob = server.token("bob")
    r = git("clone", f"http://bob:{bob}@{host}/datasets/alice/secret", str(tmp_path / "s3"))
    assert r.returncode != 0
