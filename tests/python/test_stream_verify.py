"""hfds verify (issue 12) on the embedded hub and through a real `hfds serve`: a clean repository
passes, and each kind of damage is found and named: a flipped byte in an LFS object (sha256), a
truncated shard (size, footer, rows), a card whose num_examples are wrong, a card whose features
differ from the shards'. Exit status 3 on any problem."""
import re

import pytest

from serve_util import endpoint_for_module, server_fixture

PORT = endpoint_for_module()

server = server_fixture(PORT)


def make_repo(hfds, server, tmp_path, name, n=400):
    """A two-split dataset pushed into the server's root; contents unique to `name` so the
    content-addressed LFS objects are not shared with another test's repository."""
    src = tmp_path / f"{name}.jsonl"
    src.write_text("".join(f'{{"id": {i}, "text": "{name} {i}"}}\n' for i in range(n)))
    hfds("push", f"alice/{name}", "--split", f"train={src}", "--split", f"test={src}", "--endpoint", str(server.root))
    return f"alice/{name}"


def lfs_object(server, repo, path):
    from huggingface_hub import HfApi
    sha = HfApi(endpoint=server.url).get_paths_info(repo, [path], repo_type="dataset")[0].lfs.sha256
    obj = server.root / "lfs" / "objects" / sha[:2] / sha[2:4] / sha
    assert obj.is_file(), obj
    return obj


def endpoints(server):
    return [str(server.root), server.url]


def run_verify(hfds, repo, endpoint):
    # a truncated object breaks the HTTP transfer; one attempt, not the retry policy's six
    return hfds("verify", repo, "--endpoint", endpoint, check=False, env={"HFDS_HUB_RETRIES": "1"})


def test_clean_repo_passes(server, hfds, tmp_path):
    repo = make_repo(hfds, server, tmp_path, "clean")
    for ep in endpoints(server):
        r = run_verify(hfds, repo, ep)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "default/train: 400 rows in 1 files, as the card says" in r.stdout
        assert re.search(r"2 LFS objects \(\d+ bytes\) hashed, 2 shards, 2 splits: 0 problems", r.stdout), r.stdout


def test_flipped_byte(server, hfds, tmp_path):
    repo = make_repo(hfds, server, tmp_path, "flipped")
    obj = lfs_object(server, repo, "data/train-00000-of-00001.parquet")
    data = bytearray(obj.read_bytes())
    data[len(data) // 2] ^= 0x01
    obj.chmod(0o644)
    obj.write_bytes(bytes(data))
    for ep in endpoints(server):
        r = run_verify(hfds, repo, ep)
        assert r.returncode == 3, r.stdout + r.stderr
        assert re.search(r"PROBLEM data/train-00000-of-00001.parquet: content sha256 [0-9a-f]{64} but the pointer says "
                         + obj.name, r.stdout), r.stdout


def test_truncated_shard(server, hfds, tmp_path):
    repo = make_repo(hfds, server, tmp_path, "truncated")
    obj = lfs_object(server, repo, "data/train-00000-of-00001.parquet")
    obj.chmod(0o644)
    with open(obj, "r+b") as f:
        f.truncate(obj.stat().st_size // 2)
    for ep in endpoints(server):
        r = run_verify(hfds, repo, ep)
        assert r.returncode == 3, r.stdout + r.stderr
        assert "PROBLEM data/train-00000-of-00001.parquet: content ends at byte" in r.stdout, r.stdout
        assert "PROBLEM data/train-00000-of-00001.parquet: not a readable Parquet file" in r.stdout, r.stdout
        assert "PROBLEM default/train: 0 rows in 1 files but the card's num_examples is 400" in r.stdout, r.stdout


def edit_card(hfds, server, tmp_path, repo, old, new):
    from huggingface_hub import HfApi
    card = HfApi(endpoint=server.url).hf_hub_download(repo, "README.md", repo_type="dataset",
                                                      cache_dir=str(tmp_path / "c"))
    text = open(card).read()
    assert old in text, text
    edited = tmp_path / "README.md"
    edited.write_text(text.replace(old, new, 1))
    hfds("upload", repo, f"{edited}:README.md", "--endpoint", str(server.root))


def test_wrong_counts(server, hfds, tmp_path):
    repo = make_repo(hfds, server, tmp_path, "counts")
    edit_card(hfds, server, tmp_path, repo, "num_examples: 400", "num_examples: 401")
    for ep in endpoints(server):
        r = run_verify(hfds, repo, ep)
        assert r.returncode == 3, r.stdout + r.stderr
        assert len(re.findall(r"PROBLEM default/\w+: 400 rows in 1 files but the card's num_examples is 401",
                              r.stdout)) == 1, r.stdout


def test_wrong_features(server, hfds, tmp_path):
    repo = make_repo(hfds, server, tmp_path, "features")
    edit_card(hfds, server, tmp_path, repo, "dtype: string", "dtype: large_string")
    r = run_verify(hfds, repo, server.url)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "PROBLEM data/train-00000-of-00001.parquet: features in its 'huggingface' metadata differ from the card's" \
        in r.stdout, r.stdout


def test_unknown_repo_is_an_error(server, hfds):
    r = run_verify(hfds, "alice/absent", server.url)
    assert r.returncode not in (0, 3), r.stdout + r.stderr
    assert "alice/absent" in r.stderr or "not found" in r.stderr.lower(), r.stderr
