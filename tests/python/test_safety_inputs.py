"""Issue 16, hostile PGN inputs (items 19 and 22): a compressed input that ends early is an
error naming the file and the offset, never fewer games with exit status 0; a .gz that is not
gzip and NUL bytes are refused; `chess push --dry-run` publishes no partial batch. The
compressed files are made by the reference tools (zstd, gzip, bzip2 from Python's stdlib)."""
import bz2
import gzip
import re
import shutil
import subprocess

import pyarrow.parquet as pq
import pytest


@pytest.fixture
def pgn(shared_dir):
    return shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_1000k.pgn"


def compress(kind, src, dst):
    data = src.read_bytes()
    if kind == "gz":
        dst.write_bytes(gzip.compress(data, mtime=0))
    elif kind == "bz2":
        dst.write_bytes(bz2.compress(data))
    else:
        subprocess.run(["zstd", "-q", "-f", str(src), "-o", str(dst)], check=True)
    return dst


@pytest.mark.parametrize("kind", ["zst", "gz", "bz2"])
def test_truncated_compressed_input_is_an_error(hfds, pgn, tmp_path, kind):
    if kind == "zst" and not shutil.which("zstd"):
        pytest.skip("zstd CLI missing")
    full = compress(kind, pgn, tmp_path / ("full.pgn." + kind))
    whole = hfds("chess", "replay", full, "--format", "none")
    assert whole.returncode == 0
    half = tmp_path / ("half.pgn." + kind)
    half.write_bytes(full.read_bytes()[: full.stat().st_size * 3 // 4])
    r = hfds("chess", "replay", half, "--format", "none", check=False)
    assert r.returncode != 0
    m = re.search(re.escape(str(half)) + r": offset (\d+): the \w+ stream ends early", r.stderr)
    assert m, r.stderr
    assert int(m.group(1)) == half.stat().st_size


def test_dry_run_publishes_no_partial_batch(hfds, pgn, tmp_path):
    if not shutil.which("zstd"):
        pytest.skip("zstd CLI missing")
    full = compress("zst", pgn, tmp_path / "full.pgn.zst")
    half = tmp_path / "half.pgn.zst"
    half.write_bytes(full.read_bytes()[: full.stat().st_size * 3 // 4])
    out = tmp_path / "dry"
    r = hfds("chess", "push", "--repo", "me/c", "--data-path", half, "--batch-size", "1000", "--dry-run",
             "--out", out, check=False)
    assert r.returncode != 0
    assert "ends early" in r.stderr
    # every batch left in the folder is a whole one
    train = sum(pq.read_metadata(f).num_rows for f in out.rglob("train/*.parquet"))
    test = sum(pq.read_metadata(f).num_rows for f in out.rglob("test/*.parquet"))
    assert (train + test) % 1000 == 0, (train, test)


def test_gz_name_that_is_not_gzip(hfds, pgn, tmp_path):
    fake = tmp_path / "games.pgn.gz"
    fake.write_bytes(pgn.read_bytes())
    r = hfds("chess", "replay", fake, "--format", "none", check=False)
    assert r.returncode != 0
    assert str(fake) in r.stderr and "offset 0" in r.stderr and "not gzip" in r.stderr


def test_nul_bytes_are_not_pgn(hfds, tmp_path):
    zeros = tmp_path / "zeros.pgn"
    zeros.write_bytes(b"\0" * (5 << 20))
    r = hfds("chess", "sample", zeros, "--sampler", "all", "--format", "fen", check=False)
    assert r.returncode != 0
    assert r.stdout == ""
    assert str(zeros) in r.stderr and "offset 0" in r.stderr and "NUL" in r.stderr
    # a NUL after some games names its offset too
    mixed = tmp_path / "mixed.pgn"
    mixed.write_bytes(b'[Event "x"]\n\n1. e4 e5 *\n\n' + b"\0")
    r = hfds("chess", "replay", mixed, "--format", "none", check=False)
    assert r.returncode != 0 and "offset 25" in r.stderr, r.stderr


def test_failed_first_chess_push_leaves_no_repo(hfds, pgn, tmp_path):
    if not shutil.which("zstd"):
        pytest.skip("zstd CLI missing")
    full = compress("zst", pgn, tmp_path / "full.pgn.zst")
    half = tmp_path / "half.pgn.zst"
    half.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    hub = tmp_path / "hub"
    r = hfds("chess", "push", "--repo", "me/c", "--data-path", half, "--batch-size", "100000", "--endpoint", hub,
             check=False)
    assert r.returncode != 0 and "ends early" in r.stderr
    assert not (hub / "datasets" / "me" / "c.git").exists()
    assert not list((hub / "tmp").glob("push-*")) if (hub / "tmp").exists() else True
