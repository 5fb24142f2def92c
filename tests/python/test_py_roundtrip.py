"""hfds.write_dataset round trips judged by independent readers (issue 13): data from pyarrow,
polars, pandas, DuckDB, datasets and plain dict rows is written by the C writer through the
Arrow PyCapsule interface, then read back by pyarrow.parquet, polars, pandas, DuckDB and
datasets.load_dataset, which must see the same values, types and datasets features."""
import glob
import io
import json
import os

import datasets
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import soundfile

import hfds


def shards(folder, split="train"):
    files = sorted(glob.glob(os.path.join(folder, "data", f"{split}-*.parquet")))
    assert files, f"no {split} shards in {folder}: {os.listdir(folder)}"
    return files


def sample_table(n=5000):
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "score": pa.array([i / 7 for i in range(n)], pa.float64()),
        "name": pa.array([None if i % 11 == 0 else f"row {i}" for i in range(n)], pa.string()),
        "tags": pa.array([[f"t{j}" for j in range(i % 4)] for i in range(n)], pa.list_(pa.string())),
        "flag": pa.array([i % 3 == 0 for i in range(n)], pa.bool_()),
    })


def test_pyarrow_table_round_trip(tmp_path):
    t = sample_table()
    info = hfds.write_dataset(t, tmp_path / "out", max_shard_size="50KB")
    assert info["splits"]["train"]["num_examples"] == t.num_rows
    files = shards(tmp_path / "out")
    assert len(files) == info["splits"]["train"]["num_files"] > 1
    back = pa.concat_tables(pq.read_table(f) for f in files)
    assert back.schema.remove_metadata().equals(t.schema)
    assert back.to_pylist() == t.to_pylist()
    meta = json.loads(pq.read_schema(files[0]).metadata[b"huggingface"])
    assert meta["info"]["features"]["tags"] == {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}


def test_record_batch_reader_and_datasets_load(tmp_path):
    t = sample_table(3000)
    reader = pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=256))
    hfds.write_dataset(reader, tmp_path / "out")
    ds = datasets.load_dataset(str(tmp_path / "out"), split="train")
    assert ds.num_rows == t.num_rows
    assert ds.features == datasets.Features({
        "id": datasets.Value("int64"), "score": datasets.Value("float64"), "name": datasets.Value("string"),
        "tags": datasets.List(datasets.Value("string")), "flag": datasets.Value("bool")})
    assert ds.to_dict() == t.to_pydict()


def test_polars_round_trip(tmp_path):
    df = pl.from_arrow(sample_table(2000))
    assert df.schema["name"] == pl.String  # exported as string_view: cast on the way in
    hfds.write_dataset(df, tmp_path / "out")
    back = pl.concat([pl.read_parquet(f) for f in shards(tmp_path / "out")])
    assert back.schema == df.schema
    assert back.equals(df)
    # polars takes any __arrow_c_stream__ object as a DataFrame (from_arrow makes a struct Series)
    streamed = pl.DataFrame(hfds.read_parquet(shards(tmp_path / "out")))
    assert streamed.equals(df)


def test_pandas_round_trip(tmp_path):
    df = sample_table(2000).to_pandas()
    df = df.drop(columns=["tags"])
    hfds.write_dataset(df, tmp_path / "out")
    back = pd.concat([pd.read_parquet(f) for f in shards(tmp_path / "out")], ignore_index=True)
    pd.testing.assert_frame_equal(back, df)


def test_duckdb_round_trip(tmp_path):
    rel = duckdb.sql("select i::BIGINT as id, 'v' || i::VARCHAR as v, [i, i + 1]::BIGINT[] as pair, "
                     "i / 2 as half from range(4000) t(i)")
    hfds.write_dataset(rel, tmp_path / "out")
    files = shards(tmp_path / "out")
    got = duckdb.sql(f"select * from read_parquet({files!r}) order by id")
    assert got.types == rel.types
    assert got.fetchall() == rel.order("id").fetchall()


def wav_bytes(freq, n=800, rate=16000):
    buf = io.BytesIO()
    soundfile.write(buf, np.sin(np.arange(n) * freq / rate).astype("float32"), rate, format="WAV")
    return buf.getvalue()


def test_datasets_features_preserved(tmp_path):
    feats = datasets.Features({
        "label": datasets.ClassLabel(names=["cat", "dog", "bird"]),
        "grid": datasets.Array2D(shape=(2, 3), dtype="int8"),
        "audio": datasets.Audio(sampling_rate=16000),
        "fixed": datasets.List(datasets.Value("int8"), length=3),
        "text": datasets.Value("string"),
    })
    rows = {
        "label": [0, 2, 1, 1],
        "grid": [[[i, i + 1, i + 2], [-i, -i - 1, -i - 2]] for i in range(4)],
        "fixed": [[i, i, i] for i in range(4)],
        "text": ["a", "b", None, "d"],
    }
    no_audio = datasets.Features({k: v for k, v in feats.items() if k != "audio"})
    t = datasets.Dataset.from_dict(rows, features=no_audio).data.table
    # Audio stored as datasets stores it (encoding would need torchcodec): struct<bytes, path>
    audio = pa.array([{"bytes": wav_bytes(100 * (i + 1)), "path": f"a{i}.wav"} for i in range(4)],
                     pa.struct([("bytes", pa.binary()), ("path", pa.string())]))
    t = t.add_column(2, "audio", audio).select(list(feats))
    ds = datasets.Dataset(t, info=datasets.DatasetInfo(features=feats))
    hfds.write_dataset(ds, tmp_path / "out")
    back = datasets.load_dataset(str(tmp_path / "out"), split="train")
    assert back.features == feats
    assert back.data.table.to_pylist() == ds.data.table.to_pylist()
    # every shard carries the features in its `huggingface` key, as datasets writes them
    meta = pq.read_schema(shards(tmp_path / "out")[0]).metadata[b"huggingface"]
    assert datasets.Features.from_dict(json.loads(meta)["info"]["features"]) == feats
    assert hfds.Features(feats) == hfds.Features(json.loads(meta)["info"]["features"])


def test_datasetdict_and_shuffled_dataset(tmp_path):
    ds = datasets.Dataset.from_dict({"x": list(range(100))}).shuffle(seed=1)
    dd = datasets.DatasetDict({"train": ds, "test": ds.select(range(10))})
    info = hfds.write_dataset(dd, tmp_path / "out")
    assert {k: v["num_examples"] for k, v in info["splits"].items()} == {"train": 100, "test": 10}
    back = datasets.load_dataset(str(tmp_path / "out"))
    assert back["train"]["x"] == ds["x"]
    assert back["test"]["x"] == ds["x"][:10]


def test_dict_rows(tmp_path):
    rows = [{"n": i, "b": bytes([i % 256]) * 3, "s": {"k": str(i), "v": [i, i]}, "f": i / 2} for i in range(70000)]
    hfds.write_dataset(iter(rows), tmp_path / "out")
    back = pa.concat_tables(pq.read_table(f) for f in shards(tmp_path / "out"))
    assert back.to_pylist() == rows
    assert back.schema.field("b").type == pa.binary()


def test_explicit_features_cast_and_mismatch(tmp_path):
    t = pa.table({"label": pa.array([0, 1, 1], pa.int32())})
    hfds.write_dataset(t, tmp_path / "out", features={"label": {"names": ["no", "yes"], "_type": "ClassLabel"}})
    back = datasets.load_dataset(str(tmp_path / "out"), split="train")
    assert back.features["label"] == datasets.ClassLabel(names=["no", "yes"])
    assert back["label"] == [0, 1, 1]
    with pytest.raises(hfds.errors.ParseError, match="_type"):
        hfds.Features({"label": {"_type": "NoSuchFeature"}})


def test_features_json_is_datasets_json():
    feats = datasets.Features({"a": datasets.List(datasets.Value("int8"), length=2),
                               "b": datasets.ClassLabel(names=["x", "y"]),
                               "c": datasets.Array2D(shape=(None, 4), dtype="float32")})
    f = hfds.Features(feats)
    assert f.to_json() == json.dumps(feats.to_dict())
    assert f.to_datasets() == feats
    assert pa.schema(f.arrow_schema()).remove_metadata() == feats.arrow_schema.remove_metadata()
