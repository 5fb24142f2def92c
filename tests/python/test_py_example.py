"""examples/chesspos.py (issue 13) runs the generate_hf_dataset flow on the embedded hub:
versioned commits per batch, a tag, resume, and datasets.load_dataset on a git clone sees the
train/test rows the CLI's sampler emits, in order."""
import os
import pathlib
import subprocess
import sys

import datasets

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(*args):
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "chesspos.py"), *map(str, args)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_chesspos_example(tmp_path, shared_dir, hfds_bin):
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_1000k.pgn"
    hub = tmp_path / "hub"
    common = ["--repo", "me/chesspos", "--data-path", pgn, "--endpoint", hub, "--batch-size", 500,
              "--train-ratio", 0.9, "--window-size", 2, "--sampler", "all"]
    out = run(*common, "--batches", 2, "--tag", "v1")
    assert "train split: 900 rows" in out
    out = run(*common, "--batches", 1, "--resume")
    assert "batch 3:" in out
    subprocess.run(["git", "clone", "-q", f"file://{hub}/datasets/me/chesspos.git", tmp_path / "c"], check=True)
    ds = datasets.load_dataset(str(tmp_path / "c"))
    assert (ds["train"].num_rows, ds["test"].num_rows) == (1350, 150)
    cli = subprocess.run([hfds_bin, "chess", "sample", pgn, "--sampler", "all", "--format", "tokens"],
                         capture_output=True, text=True, check=True).stdout.split("\n")[:1500]
    tokens = [[int(x) for x in line.split("\t")[2].split(",")] for line in cli]
    want_train = [tok for b in range(3) for tok in tokens[b * 500:b * 500 + 450]]
    assert [w[0] for w in ds["train"]["window"]] == want_train
    assert [w[1] for w in ds["test"]["window"]] == [tok for b in range(3) for tok in tokens[b * 500 + 450:(b + 1) * 500]]
    log = subprocess.run(["git", "-C", tmp_path / "c", "log", "--format=%s"], capture_output=True, text=True).stdout
    assert log.count("Add batch") == 3
    tagged = subprocess.run(["git", "-C", tmp_path / "c", "ls-tree", "-r", "--name-only", "v1"], capture_output=True,
                            text=True).stdout.split()
    assert "train/batch_000002.parquet" in tagged and "train/batch_000003.parquet" not in tagged
