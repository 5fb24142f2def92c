"""The SOUSA plan's Python path (spec peers.md §1), the reference for bench/recipe: labels
joined with pandas, splits by profile from splits.json, Dataset.from_dict, cast_column("audio",
Audio()), then per config x split the shards push_to_hub would upload (datasets' own
embed_table_storage, Parquet via pyarrow) written to a folder — the same work as the push
without the network.   usage: python_path.py FIXTURE OUT"""
import json
import pathlib
import sys

import pandas as pd
import pyarrow.parquet as pq
from datasets import Audio, Dataset, Value
from datasets.table import embed_table_storage

fx, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
samples = pd.read_parquet(fx / "labels" / "samples.parquet")
exercises = pd.read_parquet(fx / "labels" / "exercises.parquet").drop(columns=["tier_confidence"])
df = samples.merge(exercises, on="sample_id", how="left")
splits = json.loads((fx / "splits.json").read_text())
names = {"train_profile_ids": "train", "val_profile_ids": "validation", "test_profile_ids": "test"}
for key, split in names.items():
    part = df[df.profile_id.isin(splits[key])].copy()
    part["audio"] = [str(fx / p) for p in part.audio_path]
    part["midi"] = [None if not isinstance(p, str) else (fx / p).read_bytes() for p in part.midi_path]
    part = part.drop(columns=["audio_path", "midi_path"])
    ds = Dataset.from_pandas(part, preserve_index=False).cast_column("audio", Value("string"))
    ds = ds.cast_column("audio", Audio(sampling_rate=44100))
    ds = ds.cast_column("midi", Value("binary"))
    for config, drop in (("audio", []), ("midi_only", ["audio"]), ("labels_only", ["audio", "midi"])):
        d = ds.remove_columns(drop) if drop else ds
        (out / config).mkdir(parents=True, exist_ok=True)
        table = embed_table_storage(d.with_format("arrow")[:])
        pq.write_table(table, out / config / f"{split}-00000-of-00001.parquet", row_group_size=100)
