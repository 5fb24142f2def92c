"""hfds.push_to_hub / load / delete_config / purge / chess on the embedded hub (issue 13).
The judges are real git (+ git-lfs smudge through the store's lfs/ link) and datasets'
load_dataset on the clone; KeyboardInterrupt is a real SIGINT to a child process."""
import os
import subprocess
import sys
import textwrap

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfds


@pytest.fixture
def hub(tmp_path):
    return str(tmp_path / "hub")


def clone(ci, dest):
    subprocess.run(["git", "clone", "-q", ci.repo_url, str(dest)], check=True, capture_output=True)
    return str(dest)


def table(n, start=0):
    return pa.table({"id": pa.array(range(start, start + n), pa.int64()),
                     "text": [f"row {i}" for i in range(start, start + n)],
                     "label": pa.array([i % 3 for i in range(start, start + n)], pa.int64())})


FEATURES = {"id": {"dtype": "int64", "_type": "Value"}, "text": {"dtype": "string", "_type": "Value"},
            "label": {"names": ["a", "b", "c"], "_type": "ClassLabel"}}


def test_push_then_load_dataset_from_a_git_clone(tmp_path, hub):
    t = table(20000)
    ci = hfds.push_to_hub(t, "me/data", endpoint=hub, features=FEATURES, max_shard_size="100KB",
                          commit_message="first push")
    assert len(ci.sha) == 40 and ci.splits["train"]["num_examples"] == 20000
    shards = [f for f in ci.files if f.startswith("data/train-")]
    assert len(shards) == ci.splits["train"]["num_files"] > 1
    assert hfds.list_repo_commits("me/data", endpoint=hub)[0]["title"] == "first push"
    ds = datasets.load_dataset(clone(ci, tmp_path / "c"), split="train")
    assert ds.features == datasets.Features.from_dict(FEATURES)
    assert ds.data.table.select(["id", "text", "label"]).to_pylist() == t.to_pylist()


def test_datasetdict_push_and_hfds_load(hub):
    data = {"train": table(5000), "test": table(700, 5000)}
    ci = hfds.push_to_hub(data, "me/dd", endpoint=hub)
    assert {k: v["num_examples"] for k, v in ci.splits.items()} == {"train": 5000, "test": 700}
    for split, t in data.items():
        got = pa.table(hfds.load("me/dd", split=split, endpoint=hub))
        assert got.to_pylist() == t.to_pylist()
    got = pa.table(hfds.load("me/dd", split="test", columns=["text"], endpoint=hub))
    assert got.column_names == ["text"]
    with pytest.raises(hfds.errors.NotFound, match="validation"):
        hfds.load("me/dd", split="validation", endpoint=hub)


def test_configs_append_tags_delete_and_purge(tmp_path, hub):
    hfds.push_to_hub(table(100), "me/cfg", endpoint=hub)
    hfds.push_to_hub(table(10), "me/cfg", config_name="small", endpoint=hub)
    hfds.create_tag("me/cfg", "v1", endpoint=hub)
    hfds.push_to_hub(table(50, 100), "me/cfg", config_name="log", append=True, endpoint=hub)
    ci = hfds.push_to_hub(table(50, 150), "me/cfg", config_name="log", append=True, endpoint=hub)
    assert [f for f in ci.files if f.startswith("log/")] == ["log/train/batch_000001.parquet",
                                                             "log/train/batch_000002.parquet"]
    c = clone(ci, tmp_path / "c")
    assert datasets.load_dataset(c, "log", split="train")["id"] == list(range(100, 200))
    assert datasets.load_dataset(c, "small", split="train")["id"] == list(range(10))
    assert pa.table(hfds.load("me/cfg", "log", endpoint=hub)).column("id").to_pylist() == list(range(100, 200))
    ci = hfds.delete_config("me/cfg", "small", endpoint=hub)
    assert not any(f.startswith("small/") for f in ci.files)
    # the tag still sees the deleted config
    assert pa.table(hfds.load("me/cfg", "small", revision="v1", endpoint=hub)).num_rows == 10
    with pytest.raises(hfds.errors.NotFound):
        hfds.delete_config("me/cfg", "small", endpoint=hub)
    ci = hfds.purge("me/cfg", endpoint=hub)
    assert ci.files == [".gitattributes"] and ci.deleted > 3


def test_load_resumes_at_its_commit(hub):
    hfds.push_to_hub(table(30000), "me/r", endpoint=hub, max_shard_size="200KB")
    s = hfds.load("me/r", endpoint=hub)
    first = [r for _, r in zip(range(12345), s.iter_rows())]
    state = s.state()
    hfds.push_to_hub(table(10, 999999), "me/r", endpoint=hub)  # main moves on; the state does not
    rest = [r for b in hfds.load("me/r", endpoint=hub, state=state) for r in b.to_pylist()]
    assert first + rest == table(30000).to_pylist()


CHILD = textwrap.dedent("""
    import os, signal, sys, threading, time
    import pyarrow as pa
    import hfds
    hub, repo = sys.argv[1], "me/int"
    before = hfds.push_to_hub(pa.table({"x": [1, 2, 3]}), repo, endpoint=hub).sha
    # 160 GB of constant 8 MB batches (one buffer in memory, tiny dictionary-encoded shards):
    # the push can only end by the interrupt, checked between batches while C writes
    batch = pa.record_batch({"x": pa.array([7] * (1 << 20), pa.int64())})
    big = pa.Table.from_batches([batch] * 20000)
    threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    try:
        hfds.push_to_hub(big, repo, endpoint=hub, max_shard_size="64MB")
        print("finished")
    except KeyboardInterrupt:
        print("interrupted")
    # a Python producer (generator) interrupted: still KeyboardInterrupt, not an I/O error
    def gen():
        for i in range(1 << 30):
            if i == 3:
                os.kill(os.getpid(), signal.SIGINT)
            yield batch
    try:
        hfds.push_to_hub(pa.RecordBatchReader.from_batches(batch.schema, gen()), repo, endpoint=hub)
        print("finished")
    except KeyboardInterrupt:
        print("interrupted")
    head = hfds.list_repo_commits(repo, endpoint=hub)[0]["id"]
    print("same" if head == before else "moved")
    staged = [d for d in os.listdir(os.path.join(hub, "tmp")) if d.startswith("push-")]
    print("staging", len(staged))
    after = hfds.push_to_hub(pa.table({"x": [4, 5]}), repo, endpoint=hub)
    print("rows", pa.table(hfds.load(repo, endpoint=hub)).column("x").to_pylist())
""")


def test_keyboard_interrupt_leaves_the_previous_commit(tmp_path, hub):
    r = subprocess.run([sys.executable, "-c", CHILD, hub], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:5] == ["interrupted", "interrupted", "same", "staging 0", "rows [4, 5]"], \
        r.stdout + r.stderr


def test_chess_sample_and_push(tmp_path, hub, shared_dir, hfds_bin):
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_10k.pgn"
    s = hfds.chess.sample(pgn, sampler="all", window=2, batch_rows=100)
    t = pa.table(s)
    assert s.stats["positions"] == t.num_rows > 100
    wt = t.schema.field("window").type  # datasets (imported) registered its Array2D extension
    assert wt.extension_name == "datasets.features.features.Array2DExtensionType"
    assert wt.storage_type == pa.list_(pa.list_(pa.int8()))
    cli = subprocess.run([hfds_bin, "chess", "sample", str(pgn), "--sampler", "all", "--format", "tokens"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    tokens = [[int(x) for x in line.split("\t")[2].split(",")] for line in cli if line]
    assert [w[0] for w in t.column("window").to_pylist()] == tokens
    res = hfds.chess.push([pgn], "me/chess", endpoint=hub, batches=2, batch_size=100, train_ratio=0.9,
                          window=1, sampler="all", tag="v0")
    assert (res["batches"], res["rows_train"], res["rows_test"]) == (2, 180, 20)
    commits = hfds.list_repo_commits("me/chess", endpoint=hub)
    assert commits[0]["id"] == res["sha"] and len(commits) == 3
    ds = datasets.load_dataset(clone(type("C", (), {"repo_url": f"file://{hub}/datasets/me/chess.git"}),
                                     tmp_path / "c"), split="train")
    assert ds.num_rows == 180
    assert ds.features["window"] == datasets.Array2D(shape=(1, 69), dtype="int8")
    assert [w[0] for w in ds["window"]] == tokens[:90] + tokens[100:190]
    more = hfds.chess.push([pgn], "me/chess", endpoint=hub, batches=1, batch_size=100, train_ratio=0.9,
                           window=1, sampler="all", resume=True)
    assert (more["existing"], more["batches"]) == (2, 1)


def test_dict_push_replaces_the_config_dataset_push_one_split(hub):
    """datasets' rules: Dataset.push_to_hub(split=...) replaces that split only;
    DatasetDict.push_to_hub replaces the config's splits with its own."""
    hfds.push_to_hub({"train": table(10), "test": table(5), "extra": table(3)}, "me/rules", endpoint=hub)
    ci = hfds.push_to_hub(table(7), "me/rules", split="train", endpoint=hub)
    assert [f for f in ci.files if f.startswith("data/")] == [
        "data/extra-00000-of-00001.parquet", "data/test-00000-of-00001.parquet", "data/train-00000-of-00001.parquet"]
    ci = hfds.push_to_hub({"train": table(4)}, "me/rules", endpoint=hub)
    assert [f for f in ci.files if f.startswith("data/")] == ["data/train-00000-of-00001.parquet"]
    assert pa.table(hfds.load("me/rules", endpoint=hub)).num_rows == 4
    with pytest.raises(hfds.errors.NotFound):
        hfds.load("me/rules", split="test", endpoint=hub)
