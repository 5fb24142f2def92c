"""Published datasets load (issue 9 item 4): repositories made by `hfds push` (one config, two
configs, append batches, after delete-config) and by `hfds chess push` are cloned from the
embedded hub with git + git-lfs and loaded with `datasets.load_dataset(clone[, config])`, not
streaming and streaming: config names, split names, rows per split equal to the card's
num_examples, features equal to what was pushed, rows equal to `hfds cat` of the split's files."""
import json

import pytest
from datasets import (Array2D, Features, List, Value, get_dataset_config_names,
                      get_dataset_split_names, load_dataset)
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard

from dshelp import FEATURES, Hub, datasets_merges, front_matter, rows, write_features, write_jsonl

CHESS = Features({"window": Array2D(shape=(10, 69), dtype="int8"), "scalars": List(Value("int8"), length=3)})


def hfds_rows(hfds, files):
    out = []
    for f in sorted(files):
        out += [json.loads(line) for line in hfds("cat", f).stdout.splitlines()]
    return out


def split_files(clone, config, split):
    """The files datasets resolves for the split, from the card's data_files patterns."""
    card = DatasetCard((clone / "README.md").read_text())
    patterns = MetadataConfigs.from_dataset_card_data(card.data)[config]["data_files"]
    files = []
    for entry in patterns:
        if entry["split"] == split:
            paths = entry["path"] if isinstance(entry["path"], list) else [entry["path"]]
            for p in paths:
                files += [f for f in clone.glob(p) if f.is_file()]
    return files


def judge(hfds, clone, features_by_config):
    """Loads every config both ways and compares with the card and with `hfds cat`."""
    meta, _ = front_matter((clone / "README.md").read_text())
    datasets_merges((clone / "README.md").read_text())
    infos = DatasetInfosDict.from_dataset_card_data(DatasetCard((clone / "README.md").read_text()).data)
    assert sorted(get_dataset_config_names(str(clone))) == sorted(features_by_config)
    assert sorted(infos) == sorted(features_by_config)
    for config, features in features_by_config.items():
        expected_splits = list(infos[config].splits)
        assert get_dataset_split_names(str(clone), config) == expected_splits
        dd = load_dataset(str(clone), config)
        streamed = load_dataset(str(clone), config, streaming=True)
        assert list(dd) == expected_splits and list(streamed) == expected_splits
        for split in expected_splits:
            want = hfds_rows(hfds, split_files(clone, config, split))
            ds = dd[split]
            assert ds.num_rows == infos[config].splits[split].num_examples == len(want)
            assert ds.features == features
            assert ds.to_list() == want
            # num_bytes is the size datasets gives the loaded split (issue 16 item 23)
            assert ds.data.nbytes == infos[config].splits[split].num_bytes
            assert streamed[split].features == features
            assert list(streamed[split]) == want
    return meta


@pytest.fixture
def hub(hfds, tmp_path):
    h = Hub(hfds, tmp_path / "hub")
    h.features = write_features(tmp_path / "features.json", FEATURES)
    h.tmp = tmp_path
    return h


def push(hub, repo, config, splits, *extra):
    args = [] if config == "default" else ["--config", config]
    for name, data in splits.items():
        hub.n = getattr(hub, "n", 0) + 1
        args += ["--split", f"{name}={write_jsonl(hub.tmp / f'{hub.n}.jsonl', data)}"]
    hub.push(repo, *args, "--features", hub.features, *extra)


def test_one_config(hfds, hub, tmp_path):
    push(hub, "acme/one", "default", {"train": rows(50, 1), "validation": rows(7, 2), "test": rows(9, 3)})
    judge(hfds, hub.clone("acme/one", tmp_path / "clone"), {"default": FEATURES})


def test_several_shards_per_split(hfds, hub, tmp_path):
    push(hub, "acme/shards", "default", {"train": rows(3000, 1)}, "--max-shard-size", "20KB")
    clone = hub.clone("acme/shards", tmp_path / "clone")
    assert len(list((clone / "data").glob("train-*.parquet"))) > 1
    judge(hfds, clone, {"default": FEATURES})


def test_two_configs(hfds, hub, tmp_path):
    push(hub, "acme/two", "default", {"train": rows(20, 1), "test": rows(5, 2)})
    push(hub, "acme/two", "fr", {"train": rows(8, 3)})
    push(hub, "acme/two", "fr", {"test": rows(4, 4)})
    clone = hub.clone("acme/two", tmp_path / "clone")
    meta = judge(hfds, clone, {"default": FEATURES, "fr": FEATURES})
    assert [e["config_name"] for e in meta["dataset_info"]] == ["default", "fr"]
    assert load_dataset(str(clone), split="test").num_rows == 5  # no name: the config "default"


def test_append_batches(hfds, hub, tmp_path):
    push(hub, "acme/app", "default", {"train": rows(10, 1), "test": rows(3, 2)}, "--append")
    push(hub, "acme/app", "default", {"train": rows(6, 3)}, "--append")
    push(hub, "acme/app", "default", {"train": rows(4, 4), "test": rows(2, 5)}, "--append")
    clone = hub.clone("acme/app", tmp_path / "clone")
    assert len(list(clone.glob("train/*.parquet"))) == 3
    meta = judge(hfds, clone, {"default": FEATURES})
    assert {s["name"]: s["num_examples"] for s in meta["dataset_info"]["splits"]} == {"train": 20, "test": 5}


def test_after_delete_config(hfds, hub, tmp_path):
    push(hub, "acme/del", "default", {"train": rows(10, 1)})
    push(hub, "acme/del", "fr", {"train": rows(5, 2), "test": rows(5, 3)})
    push(hub, "acme/del", "de", {"train": rows(3, 4)})
    hub.run("delete-config", "acme/del", "fr")
    clone = hub.clone("acme/del", tmp_path / "clone")
    assert not (clone / "fr").exists()
    judge(hfds, clone, {"default": FEATURES, "de": FEATURES})
    hub.run("delete-config", "acme/del", "de")
    judge(hfds, hub.clone("acme/del", tmp_path / "clone2"), {"default": FEATURES})


def test_chess_push(hfds, hub, shared_dir, tmp_path):
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_100k.pgn"
    hub.run("chess", "push", "--repo", "acme/chess", "--data-path", pgn, "--sampler", "all", "--batches", "2",
            "--batch-size", "300", "--train-ratio", "0.9")
    clone = hub.clone("acme/chess", tmp_path / "clone")
    meta = judge(hfds, clone, {"default": CHESS})
    assert {s["name"]: s["num_examples"] for s in meta["dataset_info"]["splits"]} == {"train": 540, "test": 60}


def test_set_default_config_loads_without_a_name(hfds, hub, tmp_path):
    push(hub, "acme/sd", "fr", {"train": rows(6, 1)})
    push(hub, "acme/sd", "en", {"train": rows(9, 2)}, "--set-default")
    clone = hub.clone("acme/sd", tmp_path / "clone")
    judge(hfds, clone, {"en": FEATURES, "fr": FEATURES})
    assert load_dataset(str(clone), split="train").num_rows == 9
    assert load_dataset(str(clone), split="train", streaming=True).features == FEATURES
