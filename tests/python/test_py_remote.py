"""hfds.push_to_hub and hfds.load against `hfds serve` over loopback (issue 13): the library's
HTTP backend publishes, and the official clients read back (datasets.load_dataset in its own
process, huggingface_hub); hfds.load streams the split through HTTP range reads and resumes."""
import json
import os
import subprocess
import sys

import pyarrow as pa
import pytest

import hfds
from hubserve import Serve


@pytest.fixture
def serve(hfds_bin, tmp_path):
    s = Serve(hfds_bin, tmp_path / "server" / "hub")
    yield s
    s.close()


def table(n, start=0):
    return pa.table({"id": pa.array(range(start, start + n), pa.int64()),
                     "text": [f"row {i}" for i in range(start, start + n)]})


def test_push_to_serve_then_official_clients(serve, tmp_path):
    data = {"train": table(6000), "test": table(300, 6000)}
    ci = hfds.push_to_hub(data, "alice/remote", endpoint=serve.url, token=serve.write_token,
                          max_shard_size="60KB", commit_message="from python")
    assert ci.url == f"{serve.url}/datasets/alice/remote/commit/{ci.sha}"
    from huggingface_hub import HfApi
    api = HfApi(endpoint=serve.url, token=serve.write_token)
    assert api.dataset_info("alice/remote").sha == ci.sha
    assert sorted(api.list_repo_files("alice/remote", repo_type="dataset")) == sorted(ci.files)
    assert api.list_repo_commits("alice/remote", repo_type="dataset")[0].title == "from python"
    code = ("import datasets, json; ds = datasets.load_dataset('alice/remote', cache_dir=%r); "
            "print(json.dumps({s: list(ds[s]['id']) for s in ds}))" % str(tmp_path / "cache"))
    env = dict(os.environ, HF_ENDPOINT=serve.url, HF_TOKEN=serve.write_token)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"train": list(range(6000)), "test": list(range(6000, 6300))}

    s = hfds.load("alice/remote", split="train", endpoint=serve.url, token=serve.write_token)
    first = [next(iter(s)) for _ in range(2)]
    rest = pa.table(hfds.load("alice/remote", endpoint=serve.url, token=serve.write_token, state=s.state()))
    assert pa.Table.from_batches(first).to_pylist() + rest.to_pylist() == data["train"].to_pylist()


def test_remote_errors_name_the_token_source_not_the_token(serve):
    with pytest.raises(hfds.errors.AuthError) as e:
        hfds.push_to_hub(table(3), "alice/ro", endpoint=serve.url, token=serve.read_token)
    assert serve.read_token not in str(e.value)
