"""The SOUSA plan's Python path (spec peers.md §1), the reference for bench/recipe: labels joined
with pandas, splits by profile from splits.json, Dataset.from_dict, cast_column("audio",
Audio()), then push_to_hub per config with max_shard_size="1GB" and the strokes table uploaded
as auxiliary/, to the hub at HF_ENDPOINT (HF_TOKEN, HF_HUB_DISABLE_XET=1 in the environment).
usage: python_path.py FIXTURE REPO"""
import json
import pathlib
import sys

import pandas as pd
from datasets import Audio, Dataset, DatasetDict, Value
from huggingface_hub import HfApi

fx, repo = pathlib.Path(sys.argv[1]), sys.argv[2]
samples = pd.read_parquet(fx / "labels" / "samples.parquet")
exercises = pd.read_parquet(fx / "labels" / "exercises.parquet").drop(columns=["tier_confidence"])
df = samples.merge(exercises, on="sample_id", how="left")
splits = json.loads((fx / "splits.json").read_text())
names = {"train_profile_ids": "train", "val_profile_ids": "validation", "test_profile_ids": "test"}
parts = {}
for key, split in names.items():
    part = df[df.profile_id.isin(splits[key])]
    part = part.astype(object).where(part.notna(), None)   # nulls stay nulls, not NaN
    data = {c: part[c].tolist() for c in part.columns if c not in ("audio_path", "midi_path")}
    data["audio"] = [str(fx / p) for p in part.audio_path]
    data["midi"] = [None if p is None else (fx / p).read_bytes() for p in part.midi_path]
    ds = Dataset.from_dict(data).cast_column("audio", Audio(sampling_rate=44100))
    parts[split] = ds.cast_column("midi", Value("binary"))
for config, drop in (("audio", []), ("midi_only", ["audio"]), ("labels_only", ["audio", "midi"])):
    DatasetDict({s: d.remove_columns(drop) if drop else d for s, d in parts.items()}).push_to_hub(
        repo, config_name=config, max_shard_size="1GB", set_default=config == "audio")
HfApi().upload_file(path_or_fileobj=str(fx / "labels" / "strokes.parquet"), path_in_repo="auxiliary/strokes.parquet",
                    repo_id=repo, repo_type="dataset")
