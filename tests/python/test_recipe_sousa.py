"""Recipes (issue 14): the SOUSA plan's 4-sample fixture built by examples/sousa/make_fixture.py
and published by `hfds build` to the embedded hub, judged by pyarrow and by datasets.load_dataset
of a git-lfs clone; purge, card prose, dry run, and bad recipes that name their line."""
import io
import os
import pathlib
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
import soundfile
from datasets import Audio, load_dataset

from dshelp import Hub, front_matter
from recipe_schema import write_recipe

SRC = pathlib.Path(os.environ.get("HFDS_SRC", pathlib.Path(__file__).resolve().parents[2]))
LABELS = ["sample_id", "profile_id", "rudiment_slug", "skill_tier", "tempo_bpm", "duration_sec", "num_cycles",
          "dominant_hand", "soundfont", "augmentation_preset", "timing_accuracy", "overall_score", "flam_quality"]


@pytest.fixture
def fx(tmp_path):
    out = tmp_path / "sousa"
    subprocess.run([sys.executable, str(SRC / "examples" / "sousa" / "make_fixture.py"), str(out)], check=True)
    return out


@pytest.fixture
def hub(hfds, tmp_path):
    return Hub(hfds, tmp_path / "hub")


def table(clone, config, split):
    files = sorted((clone / config).glob(f"{split}-*.parquet"))
    assert files, f"no {config}/{split} shards"
    return pq.read_table(files).to_pylist()


def test_sousa_configs(hub, fx, tmp_path):
    hub.run("build", fx / "recipe.yaml", "--push", "acme/sousa")
    clone = hub.clone("acme/sousa", tmp_path / "clone")
    samples = {r["sample_id"]: r for r in pq.read_table(fx / "labels" / "samples.parquet").to_pylist()}
    exercises = {r["sample_id"]: r for r in pq.read_table(fx / "labels" / "exercises.parquet").to_pylist()}
    for config in ("audio", "midi_only", "labels_only"):
        counts = {s: len(table(clone, config, s)) for s in ("train", "validation", "test")}
        assert counts == {"train": 2, "validation": 1, "test": 1}, config
        for split, profile in (("train", "p1"), ("validation", "p2"), ("test", "p3")):
            for row in table(clone, config, split):
                assert row["profile_id"] == profile
                assert "audio_path" not in row and "midi_path" not in row and "tier_confidence" not in row
                assert ("audio" in row) == (config == "audio")
                assert ("midi" in row) == (config != "labels_only")
                want = {**samples[row["sample_id"]], **exercises[row["sample_id"]]}
                for col in LABELS:
                    assert row[col] == want[col], (config, col)
                if "midi" in row:
                    path = samples[row["sample_id"]]["midi_path"]
                    assert row["midi"] == (None if path is None else (fx / path).read_bytes())
                if "audio" in row:
                    path = samples[row["sample_id"]]["audio_path"]
                    assert row["audio"]["bytes"] == (fx / path).read_bytes()
                    assert row["audio"]["path"] == pathlib.Path(path).name
    # nulls kept: the fixture's third sample has no MIDI, flam_quality is null off flam rudiments
    rows = [r for s in ("train", "validation", "test") for r in table(clone, "midi_only", s)]
    assert any(r["midi"] is None for r in rows) and any(r["flam_quality"] is None for r in rows)
    assert (clone / "auxiliary" / "strokes.parquet").read_bytes() == (fx / "labels" / "strokes.parquet").read_bytes()
    meta, body = front_matter((clone / "README.md").read_text())
    assert "Synthetic snare drum rudiments." in body
    assert meta["license"] == "cc-by-4.0" and meta["pretty_name"] == "SOUSA"
    assert meta["tags"] == ["audio", "music", "drums"] and meta["task_categories"] == ["audio-classification"]
    assert sorted(c["config_name"] for c in meta["configs"]) == ["audio", "labels_only", "midi_only"]
    assert [c["config_name"] for c in meta["configs"] if c.get("default")] == ["audio"]
    log = hub.git("acme/sousa", "log", "--format=%s", "main").splitlines()
    assert len(log) == 2, log  # the repo's first commit, then ONE commit with everything


def test_sousa_load_dataset(hub, fx, tmp_path):
    hub.run("build", fx / "recipe.yaml", "--push", "acme/sousa")
    clone = hub.clone("acme/sousa", tmp_path / "clone")
    samples = {r["sample_id"]: r for r in pq.read_table(fx / "labels" / "samples.parquet").to_pylist()}
    midi = load_dataset(str(clone), "midi_only")
    assert {s: midi[s].num_rows for s in midi} == {"train": 2, "validation": 1, "test": 1}
    for split in midi:
        for row in midi[split]:
            path = samples[row["sample_id"]]["midi_path"]
            assert row["midi"] == (None if path is None else (fx / path).read_bytes())
    audio = load_dataset(str(clone), "audio")
    assert audio["train"].features["audio"] == Audio(sampling_rate=44100)
    for split in audio:
        raw = audio[split].cast_column("audio", Audio(decode=False))
        for row in raw:
            src = fx / samples[row["sample_id"]]["audio_path"]
            assert row["audio"]["bytes"] == src.read_bytes()
            got, rate = soundfile.read(io.BytesIO(row["audio"]["bytes"]))
            want, want_rate = soundfile.read(src)
            assert rate == want_rate == 44100 and (got == want).all()


def test_purge_dry_run_and_card_prose(hub, fx, tmp_path):
    hub.run("upload", "acme/sousa", "--type", "dataset", f"{fx / 'splits.json'}:old/stale.json", check=False)
    hub.run("build", fx / "recipe.yaml", "--push", "acme/sousa", "--config", "labels_only")
    hub.run("upload", "acme/sousa", f"{fx / 'splits.json'}:old/stale.json")
    before = hub.head("acme/sousa")
    plan = hub.run("build", fx / "recipe.yaml", "--push", "acme/sousa", "--purge", "--dry-run").stdout
    assert "delete: old/stale.json" in plan and "labels_only/train: 2 rows" in plan
    assert "auxiliary: auxiliary/strokes.parquet" in plan and "delete: .gitattributes" not in plan
    assert hub.head("acme/sousa") == before  # the dry run changed nothing
    hub.run("build", fx / "recipe.yaml", "--push", "acme/sousa", "--purge", "--yes", "--config", "midi_only")
    files = hub.files("acme/sousa")
    assert ".gitattributes" in files and "old/stale.json" not in files
    assert not any(f.startswith("labels_only/") for f in files)
    assert any(f.startswith("midi_only/") for f in files)
    meta, body = front_matter(hub.card("acme/sousa"))
    assert "Synthetic snare drum rudiments." in body
    assert [c["config_name"] for c in meta["configs"]] == ["midi_only"]


BAD = {
    "unknown column": ("configs:\n  - {name: audio, default: true}\n  - {name: x, columns: [nope]}\n", 17,
                       "unknown column 'nope'"),
    "join key missing": (None, 6, "join key 'sample_uuid'"),
    "duplicate keys": (None, 6, "twice"),
    "bad split file": (None, 10, "split file splits.json:1:"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_recipes_name_the_line(hub, fx, case):
    text = (fx / "recipe.yaml").read_text()
    extra, line, words = BAD[case]
    recipe = text[text.index("tables:"):]
    if case == "unknown column":
        recipe = recipe[:recipe.index("configs:")] + extra + recipe[recipe.index("auxiliary:"):]
    elif case == "join key missing":
        recipe = recipe.replace("on: sample_id", "on: sample_uuid")
    elif case == "duplicate keys":
        import pyarrow as pa
        t = pq.read_table(fx / "labels" / "exercises.parquet")
        pq.write_table(pa.concat_tables([t, t.slice(0, 1)]), fx / "labels" / "exercises.parquet")
    else:
        (fx / "splits.json").write_text('{"train_profile_ids": ["p1",}')
    write_recipe(fx / "recipe.yaml", recipe)
    r = hub.run("build", fx / "recipe.yaml", "--push", "acme/bad", check=False)
    assert r.returncode != 0
    assert f"recipe.yaml:{line}:" in r.stderr and words in r.stderr, r.stderr
    assert not hub.gitdir("acme/bad").exists() or "README.md" not in hub.files("acme/bad")


def test_same_bytes_any_threads(hfds, tmp_path):
    """Media batches of one row group each, the configs written largest first, the codec chosen
    per chunk from the bytes: the folder is byte-identical on 1, 2 and 3 threads; FLAC chunks
    are stored uncompressed, MIDI ones compressed."""
    fx = tmp_path / "big"
    subprocess.run([sys.executable, str(SRC / "examples" / "sousa" / "make_fixture.py"), str(fx),
                    "--samples", "24", "--seconds", "40"], check=True, capture_output=True)
    trees = []
    for threads in ("1", "2", "3"):
        out = tmp_path / f"out{threads}"
        hfds("build", fx / "recipe.yaml", "--out", out, "--threads", threads)
        trees.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0].keys() == trees[1].keys() == trees[2].keys()
    for name in trees[0]:
        assert trees[0][name] == trees[1][name] == trees[2][name], name
    md = pq.ParquetFile(tmp_path / "out2" / "audio" / "train-00000-of-00001.parquet").metadata
    assert md.num_row_groups > 1
    names = [md.schema.column(j).path for j in range(md.num_columns)]
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        assert rg.column(names.index("audio.bytes")).compression == "UNCOMPRESSED"
        assert rg.column(names.index("midi")).compression == "SNAPPY"
        assert rg.column(names.index("sample_id")).compression == "SNAPPY"
