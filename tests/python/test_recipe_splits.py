"""Recipe features beyond the SOUSA example (issue 14): splits by a column's values with names
remapped (val -> validation) and unmatched rows counted, seeded hash splits with ratios
(deterministic, roughly proportional), inner joins, ClassLabel casts from strings as datasets
loads them, on_missing: null with a count, Image media, and --out with the dry run's report."""
import json

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import ClassLabel, load_dataset

from dshelp import front_matter
from recipe_schema import write_recipe

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e5273ade0000000049454e44ae426082")


def fixture(root, n=200):
    root.mkdir(parents=True, exist_ok=True)
    (root / "img").mkdir(exist_ok=True)
    for i in range(0, n, 2):
        (root / "img" / f"{i}.png").write_bytes(PNG)
    pq.write_table(pa.table({
        "id": [f"s{i}" for i in range(n)],
        "part": [["train", "val", "test", "other"][i % 4] for i in range(n)],
        "tier": [["low", "high", None][i % 3] for i in range(n)],
        "img": [f"img/{i}.png" for i in range(n)],
    }), root / "a.parquet")
    pq.write_table(pa.table({"id": [f"s{i}" for i in range(0, n, 5)], "score": [float(i) for i in range(0, n, 5)]}),
                   root / "b.parquet")


def shard_rows(out, config, split):
    return pq.read_table(sorted((out / config).glob(f"{split}-*.parquet"))).to_pylist()


def test_values_split_inner_join_class_label_image(hfds, tmp_path):
    root = tmp_path / "fx"
    fixture(root)
    write_recipe(root / "recipe.yaml", """tables:
  - {path: a.parquet}
  - {path: b.parquet, join: {on: id, how: inner}}
cast:
  tier: {class_label: [low, high]}
splits:
  by: part
  values: {train: train, val: validation, test: test}
media:
  - {name: image, from: img, type: image, on_missing: "null"}
configs:
  - {name: main, drop: [part]}
auxiliary:
  - {path: b.parquet, to: extra/tables/b.parquet}
""")
    plan = hfds("build", root / "recipe.yaml", "--dry-run").stdout
    # ids 0,5,10,...: part cycles with i % 4 -> 10 rows each; "other" is unmatched
    assert "main/train: 10 rows" in plan and "main/validation: 10 rows" in plan and "main/test: 10 rows" in plan
    assert "unmatched rows: 10" in plan and "missing media: 10" in plan
    assert not (tmp_path / "out").exists()
    hfds("build", root / "recipe.yaml", "--out", tmp_path / "out")
    out = tmp_path / "out"
    assert (out / "extra" / "tables" / "b.parquet").read_bytes() == (root / "b.parquet").read_bytes()
    rows = shard_rows(out, "main", "validation")
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(0, 200, 5) if i % 4 == 1]
    for r in rows:
        i = int(r["id"][1:])
        assert r["score"] == float(i) and "part" not in r
        assert r["tier"] == [0, 1, None][i % 3]
        assert r["image"] == (None if i % 2 else {"bytes": PNG, "path": f"{i}.png"})
    ds = load_dataset(str(out), "main", split="train")
    assert ds.features["tier"] == ClassLabel(names=["low", "high"])
    assert ds.num_rows == 10
    meta, _ = front_matter((out / "README.md").read_text())
    assert [c["config_name"] for c in meta["configs"]] == ["main"]


def test_hash_split_is_seeded_and_proportional(hfds, tmp_path):
    root = tmp_path / "fx"
    fixture(root, n=2000)
    recipe = "tables:\n  - {path: a.parquet}\nsplits: {by: id, ratios: {train: 0.8, test: 0.2}, seed: %d}\n"
    counts = {}
    for run, seed in (("a", 7), ("b", 7), ("c", 8)):
        write_recipe(root / "recipe.yaml", recipe % seed)
        hfds("build", root / "recipe.yaml", "--out", tmp_path / run)
        counts[run] = {s: [r["id"] for r in shard_rows(tmp_path / run, "data", s)] for s in ("train", "test")}
    assert counts["a"] == counts["b"]                       # same seed, same assignment
    assert counts["a"] != counts["c"]                       # another seed, another one
    assert 1500 < len(counts["a"]["train"]) < 1700 and len(counts["a"]["train"]) + len(counts["a"]["test"]) == 2000


def test_missing_media_is_an_error_by_default(hfds, tmp_path):
    root = tmp_path / "fx"
    fixture(root, n=8)
    write_recipe(root / "recipe.yaml", "tables:\n  - {path: a.parquet}\nmedia:\n  - {name: image, from: img, type: image}\n")
    r = hfds("build", root / "recipe.yaml", "--out", tmp_path / "out", check=False)
    assert r.returncode != 0 and "recipe.yaml:4:5: media 'image': row 2: no file" in r.stderr, r.stderr
    assert not list((tmp_path / "out").glob("**/*.parquet"))
    json.dumps(r.stderr)


def test_csv_and_jsonl_tables(hfds, tmp_path):
    """Tables from JSON Lines and CSV (the ingest readers), joined left: a key without a match
    keeps its row with nulls."""
    (tmp_path / "a.jsonl").write_text("".join(json.dumps({"id": i, "name": f"n{i}", "w": i / 2}) + "\n"
                                              for i in range(6)))
    (tmp_path / "b.csv").write_text("id,label\n0,x\n2,y\n4,z\n")
    write_recipe(tmp_path / "recipe.yaml",
        "tables:\n  - {path: a.jsonl}\n  - {path: b.csv, join: {on: id, how: left}}\n"
        "splits: {by: id, values: {'0': train, '1': train, '2': train, '3': test, '4': test, '5': test}}\n")
    hfds("build", tmp_path / "recipe.yaml", "--out", tmp_path / "out")
    got = shard_rows(tmp_path / "out", "data", "train") + shard_rows(tmp_path / "out", "data", "test")
    assert got == [{"id": i, "name": f"n{i}", "w": i / 2, "label": {0: "x", 2: "y", 4: "z"}.get(i)} for i in range(6)]
