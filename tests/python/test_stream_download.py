"""hfds download (issue 12) from a real `hfds serve` into the Hugging Face cache layout:
datasets.load_dataset of the snapshot with HF_HUB_OFFLINE=1 reads it (in a fresh interpreter,
as the offline flag is read at import); hf_hub_download finds the same blobs offline by repo id; an interrupted
blob continues with a ranged read (only the missing bytes are fetched); a partial blob with
wrong bytes is refused and removed; --include limits the files."""
import json
import os
import re
import subprocess
import sys

import pytest

from serve_util import endpoint_for_module, server_fixture

PORT = endpoint_for_module()

server = server_fixture(PORT)


@pytest.fixture(scope="module")
def repo(server, hfds_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("src")
    a, b = tmp / "a.jsonl", tmp / "b.jsonl"
    a.write_text("".join(json.dumps({"id": i, "text": f"row {i} " * (i % 9)}) + "\n" for i in range(5000)))
    b.write_text("".join(json.dumps({"id": -i, "text": "t"}) + "\n" for i in range(30)))
    for cfg in ("one", "two"):
        subprocess.run([hfds_bin, "push", "alice/dl", "--config", cfg, "--split", f"train={a}", "--split",
                        f"test={b}", "--max-shard-size", "30KB", "--endpoint", str(server.root)],
                       check=True, capture_output=True)
    return "alice/dl"


def offline_rows(home, path, config, split):
    """datasets 5.2 resolves a repo id offline only from its own prepared cache, not from the hub
    cache; what snapshot_download users do offline is load the snapshot folder (its card's
    configs and data_files), which is what this reads."""
    code = ("import json, sys; from datasets import load_dataset; "
            f"ds = load_dataset({path!r}, {config!r}, split={split!r}); print(json.dumps([dict(r) for r in ds]))")
    env = dict(os.environ, HF_HOME=str(home), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               HF_DATASETS_CACHE=str(home / "datasets"), HF_ENDPOINT="http://127.0.0.1:9")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout)


def test_download_prepare_then_load_by_repo_id_offline(server, repo, hfds, tmp_path):
    """datasets 5.2 offline never reads the hub cache for a repo id (dataset_module_factory
    raises offline before hf_hub_download, then CachedDatasetModuleFactory looks only in
    HF_DATASETS_CACHE): --prepare writes that cache; load_dataset("alice/dl", config) then works
    with HF_HUB_OFFLINE=1 and HF_ENDPOINT set, for every config and split, streaming or not."""
    home = tmp_path / "hf"
    env = {"HF_HOME": str(home), "HF_DATASETS_CACHE": str(home / "datasets")}
    # without --prepare datasets refuses (what the issue saw)
    hfds("download", repo, "--endpoint", server.url, env=env)
    code = ("import json, sys; from datasets import load_dataset; "
            "ds = load_dataset(sys.argv[1], sys.argv[2], split=sys.argv[3], streaming=sys.argv[4] == '1'); "
            "print(json.dumps([dict(r) for r in ds]))")
    off = dict(os.environ, HF_HOME=str(home), HF_HUB_OFFLINE="1", HF_DATASETS_CACHE=str(home / "datasets"),
               HF_ENDPOINT=server.url)

    def load(config, split, streaming):
        return subprocess.run([sys.executable, "-c", code, repo, config, split, "1" if streaming else "0"],
                              capture_output=True, text=True, env=off, timeout=600)
    r = load("two", "train", False)
    assert r.returncode != 0 and "alice/dl" in r.stderr, r.stderr[-2000:]
    hfds("download", repo, "--prepare", "--endpoint", server.url, env=env)
    for config in ("one", "two"):
        for split in ("train", "test"):
            want = [json.loads(x) for x in hfds("stream", repo, "--config", config, "--split", split, "--endpoint",
                                                server.url).stdout.splitlines()]
            for streaming in (False, True):
                r = load(config, split, streaming)
                assert r.returncode == 0, r.stderr[-3000:]
                assert json.loads(r.stdout) == want and len(want) in (5000, 30)
    # a second --prepare keeps what is there
    hfds("download", repo, "--prepare", "--endpoint", server.url, env=env)
    assert load("one", "test", False).returncode == 0


def report(stderr):
    m = re.search(r"(\d+) files, (\d+) fetched \((\d+) bytes\)", stderr)
    assert m, stderr
    return tuple(int(x) for x in m.groups())


def test_download_then_offline_load(server, repo, hfds, tmp_path):
    home = tmp_path / "hf"
    r = hfds("download", repo, "--endpoint", server.url, env={"HF_HOME": str(home)})
    snap = r.stdout.strip()
    assert re.search(r"/hub/datasets--alice--dl/snapshots/[0-9a-f]{40}$", snap), snap
    files, fetched, nbytes = report(r.stderr)
    assert files > 6 and 0 < fetched <= files and nbytes > 0   # equal contents share one blob
    ref = (home / "hub" / "datasets--alice--dl" / "refs" / "main").read_text()
    assert snap.endswith(ref)
    want = [json.loads(x) for x in hfds("stream", repo, "--config", "two", "--split", "train", "--endpoint",
                                        server.url).stdout.splitlines()]
    assert offline_rows(home, snap, "two", "train") == want and len(want) == 5000
    # a second run finds everything in place
    files2, fetched2, _ = report(hfds("download", repo, "--endpoint", server.url, env={"HF_HOME": str(home)}).stderr)
    assert (files2, fetched2) == (files, 0), (files2, fetched2)


def blobs(home):
    return home / "hub" / "datasets--alice--dl" / "blobs"


def test_resume_partial_blob(server, repo, hfds, tmp_path):
    first = tmp_path / "first"
    hfds("download", repo, "--endpoint", server.url, "--include", "one/train-00000-*", env={"HF_HOME": str(first)})
    [blob] = [p for p in blobs(first).iterdir() if len(p.name) == 64]
    data = blob.read_bytes()
    home = tmp_path / "second"
    blobs(home).mkdir(parents=True)
    half = len(data) // 2
    (blobs(home) / (blob.name + ".incomplete")).write_bytes(data[:half])
    r = hfds("download", repo, "--endpoint", server.url, "--include", "one/train-00000-*", env={"HF_HOME": str(home)})
    assert report(r.stderr) == (1, 1, len(data) - half)
    assert (blobs(home) / blob.name).read_bytes() == data
    assert not (blobs(home) / (blob.name + ".incomplete")).exists()
    # a partial blob with wrong bytes: refused, removed, and the next run is right
    home = tmp_path / "third"
    blobs(home).mkdir(parents=True)
    (blobs(home) / (blob.name + ".incomplete")).write_bytes(b"\0" * half)
    r = hfds("download", repo, "--endpoint", server.url, "--include", "one/train-00000-*", env={"HF_HOME": str(home)},
             check=False)
    assert r.returncode != 0 and f"expected {blob.name}" in r.stderr, r.stderr
    assert not (blobs(home) / (blob.name + ".incomplete")).exists() and not (blobs(home) / blob.name).exists()
    hfds("download", repo, "--endpoint", server.url, "--include", "one/train-00000-*", env={"HF_HOME": str(home)})
    assert (blobs(home) / blob.name).read_bytes() == data


def test_include_and_hf_hub_download_offline(server, repo, hfds, tmp_path):
    home = tmp_path / "hf"
    r = hfds("download", repo, "--endpoint", server.url, "--include", "two/test-*", "--include", "README.md",
             env={"HF_HOME": str(home)})
    snap = r.stdout.strip()
    got = sorted(os.path.relpath(os.path.join(d, f), snap) for d, _, fs in os.walk(snap) for f in fs)
    assert got[0] == "README.md" and all(g.startswith("two/test-") for g in got[1:]) and len(got) >= 2
    code = ("from huggingface_hub import hf_hub_download; "
            f"print(hf_hub_download('alice/dl', {got[1]!r}, repo_type='dataset'))")
    env = dict(os.environ, HF_HOME=str(home), HF_HUB_OFFLINE="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert os.path.realpath(out.stdout.strip()) == os.path.realpath(os.path.join(snap, got[1]))
