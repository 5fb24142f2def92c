"""`hfds build --push REPO --endpoint http://...` against a real `hfds serve` (issue 14): the
SOUSA fixture's three configs, its auxiliary file and the card go in ONE commit whose NDJSON
(seen by a recording proxy in front of the server) lists README.md last; a dry run with
--purge lists the stale file and changes nothing; --purge deletes it in the same commit as the
build and keeps .gitattributes; datasets.load_dataset through HF_ENDPOINT gives the MIDI and
FLAC bytes. Judged by huggingface_hub and datasets, never by hfds."""
import json
import os
import pathlib
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from faultproxy import FaultProxy
from serve_util import endpoint_for_module, server_fixture

PORT = endpoint_for_module()

from datasets import Audio, load_dataset  # noqa: E402
from huggingface_hub import HfApi  # noqa: E402

SRC = pathlib.Path(os.environ.get("HFDS_SRC", pathlib.Path(__file__).resolve().parents[2]))
# the proxy is the endpoint hfds pushes to; the server announces it as its public URL, so the
# LFS upload URLs it hands out go through the proxy too (same origin: the token is sent)
PROXY = FaultProxy(PORT, p_status=0, p_reset=0, p_lost=0)
server = server_fixture(PORT, "--public-url", PROXY.url)


@pytest.fixture
def proxy():
    PROXY.record = ("/commit/",)
    yield PROXY
    PROXY.close()


def commit_lines(proxy):
    """The NDJSON lines of every commit the proxy saw, one list per commit."""
    return [[json.loads(l) for l in body.decode().splitlines() if l.strip()] for _, _, body in proxy.recorded]


def paths(lines, key):
    return [l["value"]["path"] for l in lines if l["key"] == key]


def test_remote_build_purge_and_load(server, hfds, proxy, tmp_path):
    fx = tmp_path / "sousa"
    subprocess.run([sys.executable, str(SRC / "examples" / "sousa" / "make_fixture.py"), str(fx)], check=True)
    env = {"HF_TOKEN": server.alice}
    build = ["build", fx / "recipe.yaml", "--push", "acme/sousa", "--endpoint", proxy.url]
    api = HfApi(endpoint=server.url, token=server.alice)

    hfds(*build, env=env)
    [lines] = commit_lines(proxy)
    adds = [p for l in lines if l["key"] in ("file", "lfsFile") for p in [l["value"]["path"]]]
    assert adds[-1] == "README.md", adds
    assert "auxiliary/strokes.parquet" in adds
    for config in ("audio", "midi_only", "labels_only"):
        for split in ("train", "validation", "test"):
            assert any(a.startswith(f"{config}/{split}-") for a in adds), (config, split, adds)
    assert len(api.list_repo_commits("acme/sousa", repo_type="dataset")) == 2  # creation, then ONE commit

    api.upload_file(path_or_fileobj=b"{}", path_in_repo="old/stale.json", repo_id="acme/sousa", repo_type="dataset")
    before = api.dataset_info("acme/sousa").sha
    plan = hfds(*build, "--purge", "--dry-run", env=env).stdout
    assert "delete: old/stale.json" in plan and "delete: .gitattributes" not in plan, plan
    assert "auxiliary: auxiliary/strokes.parquet" in plan and "audio/train: 2 rows" in plan, plan
    assert api.dataset_info("acme/sousa").sha == before and len(proxy.recorded) == 1  # nothing sent

    hfds(*build, "--purge", "--yes", env=env)
    lines = commit_lines(proxy)[-1]
    assert paths(lines, "deletedFile") == ["old/stale.json"], lines
    files = api.list_repo_files("acme/sousa", repo_type="dataset")
    assert ".gitattributes" in files and "old/stale.json" not in files and "README.md" in files
    assert len(api.list_repo_commits("acme/sousa", repo_type="dataset")) == 4

    samples = {r["sample_id"]: r for r in pq.read_table(fx / "labels" / "samples.parquet").to_pylist()}
    cache = str(tmp_path / "cache")
    midi = load_dataset("acme/sousa", "midi_only", cache_dir=cache, token=server.alice)
    assert {s: midi[s].num_rows for s in midi} == {"train": 2, "validation": 1, "test": 1}
    assert "audio" not in midi["train"].column_names
    for split in midi:
        for row in midi[split]:
            path = samples[row["sample_id"]]["midi_path"]
            assert row["midi"] == (None if path is None else (fx / path).read_bytes())
    audio = load_dataset("acme/sousa", "audio", cache_dir=cache, token=server.alice)
    for split in audio:
        for row in audio[split].cast_column("audio", Audio(decode=False)):
            assert row["audio"]["bytes"] == (fx / samples[row["sample_id"]]["audio_path"]).read_bytes()
