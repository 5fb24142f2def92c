"""datasets against a real `hfds serve` (issue 10): push_to_hub with configs and a shard size
small enough for the multi-commit path (>50 files), a second config, delete_from_hub, then
load_dataset (non-streaming and streaming) equal to the data; and load_dataset of repositories
that `hfds push` and `hfds chess push` published into the same root."""
import pytest

from serve_util import endpoint_for_module, server_fixture

PORT = endpoint_for_module()

from datasets.hub import delete_from_hub  # noqa: E402  (after HF_ENDPOINT)
from datasets import Dataset, DatasetDict, load_dataset  # noqa: E402
from huggingface_hub import HfApi  # noqa: E402


server = server_fixture(PORT)


def rows(ds):
    return [dict(r) for r in ds]


def test_push_configs_and_load(server, tmp_path):
    api = HfApi(endpoint=server.url, token=server.alice)
    n = 3000
    train = Dataset.from_dict({"a": list(range(n)), "s": [f"row {i} " * 3 for i in range(n)]})
    test = Dataset.from_dict({"a": [-1, -2], "s": ["x", "y"]})
    # ~600 bytes per shard: more than 50 shards, so datasets commits in parts
    train.push_to_hub("alice/many", max_shard_size=2000, token=server.alice)
    files = api.list_repo_files("alice/many", repo_type="dataset")
    shards = [f for f in files if f.startswith("data/train-")]
    assert len(shards) > 50, len(shards)
    titles = [c.title for c in api.list_repo_commits("alice/many", repo_type="dataset")]
    assert any("(part 00000-of-" in t for t in titles), titles
    DatasetDict({"train": test, "test": test}).push_to_hub("alice/many", config_name="second", token=server.alice)

    cache = tmp_path / "cache"
    got = load_dataset("alice/many", split="train", cache_dir=str(cache), token=server.alice)
    assert rows(got) == rows(train)
    got = load_dataset("alice/many", "second", split="test", cache_dir=str(cache), token=server.alice)
    assert rows(got) == rows(test)
    stream = load_dataset("alice/many", split="train", streaming=True, token=server.alice)
    assert list(stream) == rows(train)
    stream = load_dataset("alice/many", "second", split="train", streaming=True, token=server.alice)
    assert list(stream) == rows(test)

    info = delete_from_hub("alice/many", "second", token=server.alice)   # opens a pull request
    assert info.pr_revision == "refs/pr/1"
    pr_files = api.list_repo_files("alice/many", repo_type="dataset", revision="refs/pr/1")
    assert not any(f.startswith("second/") for f in pr_files) and shards[0] in pr_files
    assert any(f.startswith("second/") for f in api.list_repo_files("alice/many", repo_type="dataset"))
    refs = api.list_repo_refs("alice/many", repo_type="dataset", include_pull_requests=True)
    assert [p.ref for p in refs.pull_requests] == ["refs/pr/1"]
    with pytest.raises(ValueError):   # the PR's card no longer names the config
        load_dataset("alice/many", "second", split="train", revision="refs/pr/1", cache_dir=str(tmp_path / "c2"),
                     token=server.alice)

def test_load_hfds_push(server, hfds, tmp_path):
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(f'{{"id": {i}, "text": "t{i}"}}\n' for i in range(500)))
    hfds("push", "alice/cli", "--split", f"train={src}", "--endpoint", str(server.root))
    got = load_dataset("alice/cli", split="train", cache_dir=str(tmp_path / "c"))
    assert rows(got) == [{"id": i, "text": f"t{i}"} for i in range(500)]
    stream = load_dataset("alice/cli", split="train", streaming=True)
    assert next(iter(stream)) == {"id": 0, "text": "t0"}


def test_load_chess_push(server, hfds, shared_dir, tmp_path):
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_100k.pgn"
    hfds("chess", "push", "--repo", "alice/chess", "--data-path", pgn, "--sampler", "all", "--batch-size", "500",
         "--train-ratio", "0.9", "--batches", "2", "--endpoint", str(server.root))
    got = load_dataset("alice/chess", cache_dir=str(tmp_path / "c"))
    assert got["train"].num_rows == 900 and got["test"].num_rows == 100
    row = got["train"][0]
    assert len(row["window"]) == 10 and len(row["window"][0]) == 69 and len(row["scalars"]) == 3
    stream = load_dataset("alice/chess", split="test", streaming=True)
    assert sum(1 for _ in stream) == 100
