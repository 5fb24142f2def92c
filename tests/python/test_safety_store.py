"""Issue 16, data loss and hostile folders: after any failure of any command, every file the
user had is intact, and a store object's bytes always match its name.

Judged by pyarrow (the Parquet files), hashlib (the LFS objects) and git itself (what was
committed), never by hfds reading its own output. Each test failed on the code before the
fix (see the issue note)."""
import hashlib
import json
import os
import pathlib
import resource
import signal
import subprocess
import time

import pyarrow.parquet as pq
import pytest


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def snapshot(folder):
    """Every file below `folder` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_limited(hfds_bin, args, fsize, cwd=None):
    """hfds with RLIMIT_FSIZE: writes past `fsize` bytes fail with EFBIG (SIGXFSZ ignored),
    the way a full disk makes them fail half-way."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([hfds_bin, *map(str, args)], capture_output=True, text=True, preexec_fn=limit, cwd=cwd,
                          timeout=600)


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, check=True).stdout


def files_at(repo, rev="main"):
    return sorted(git(repo, "ls-tree", "-r", "--name-only", rev).decode().split())


# ---- item 2: a failed write keeps the file it was replacing -------------------------------

def test_failed_convert_keeps_old_output(hfds, tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [{"a": i} for i in range(100)])
    out = tmp_path / "out.parquet"
    hfds("convert", good, out)
    before = out.read_bytes()
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"a": i} for i in range(5000)])
    with open(bad, "a") as f:
        f.write('{"a": "not a number"}\n')
    feats = tmp_path / "f.json"
    feats.write_text('{"a": {"dtype": "int64", "_type": "Value"}}')
    r = hfds("convert", bad, out, "--features", feats, check=False)
    assert r.returncode != 0
    assert "bad.jsonl:5001" in r.stderr
    assert out.read_bytes() == before
    assert pq.read_table(out).column("a").to_pylist() == list(range(100))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "f.json", "good.jsonl", "hf_home", "out.parquet"]


def test_convert_in_place(hfds, hfds_bin, tmp_path):
    src = write_jsonl(tmp_path / "t.jsonl", [{"s": hashlib.sha256(str(i).encode()).hexdigest()} for i in range(5000)])
    f = tmp_path / "same.parquet"
    hfds("convert", src, f)
    want = pq.read_table(f).column("s").to_pylist()
    # IN = OUT succeeds and rewrites the same rows...
    hfds("convert", f, f, "--codec", "zstd")
    assert pq.read_table(f).column("s").to_pylist() == want
    # ...and when it fails half-way (disk full), the only copy is still there
    before = f.read_bytes()
    r = run_limited(hfds_bin, ["convert", f, f, "--codec", "none"], 100_000)
    assert r.returncode != 0, r.stderr
    assert f.read_bytes() == before
    assert pq.read_table(f).column("s").to_pylist() == want


def test_disk_full_convert_keeps_old_output(hfds, hfds_bin, tmp_path):
    small = write_jsonl(tmp_path / "small.jsonl", [{"s": "x"}])
    big = write_jsonl(tmp_path / "big.jsonl", [{"s": hashlib.sha256(str(i).encode()).hexdigest()} for i in range(20000)])
    out = tmp_path / "out.parquet"
    hfds("convert", small, out)
    before = out.read_bytes()
    r = run_limited(hfds_bin, ["convert", big, out], 200_000)
    assert r.returncode != 0, r.stderr
    assert str(out) in r.stderr
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.parquet")]


def test_disk_full_npz_leaves_no_truncated_file(hfds_bin, shared_dir, tmp_path):
    import numpy
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_1000k.pgn"
    out = tmp_path / "npz"
    r = run_limited(hfds_bin, ["chess", "npz", "--data-path", pgn, "--out", out, "--chunk-size", "20000",
                               "--sampler", "all"], 40_000)
    assert r.returncode != 0 and "position_tensor_000.npz" in r.stderr, r.stderr
    left = [f for f in out.rglob("*") if f.is_file()]
    for f in left:
        # whatever is left under a final name is a complete archive numpy can read
        assert f.name.startswith("position_tensor_"), f
        with numpy.load(f) as z:
            assert z["data"].shape[1] == 69
    # a resumed run never counts a half-written pair: train and test come in pairs
    assert sorted(f.name for f in left if f.parent.name == "train") == sorted(f.name for f in left if f.parent.name == "test")


# ---- item 3: the dataset folder's card is written before anything is swapped ---------------

def test_failed_out_push_keeps_folder(hfds, hfds_bin, tmp_path):
    rows = write_jsonl(tmp_path / "t.jsonl", [{"a": i, "s": "v%d" % i} for i in range(3000)])
    out = tmp_path / "folder"
    hfds("push", "--out", out, "--split", "train=%s" % rows, "--max-shard-size", "8KB", "-q")
    card = out / "README.md"
    card.write_text(card.read_text() + "\n" + "Long prose. " * 20000 + "\n")  # ~240 KB card
    before = snapshot(out)
    assert len([k for k in before if k.endswith(".parquet")]) > 1
    fewer = write_jsonl(tmp_path / "few.jsonl", [{"a": 1, "s": "one"}])
    r = run_limited(hfds_bin, ["push", "--out", out, "--split", "train=%s" % fewer, "-q"], 100_000)
    assert r.returncode != 0, r.stderr
    assert snapshot(out) == before


# ---- item 1: user files are copied into the object store, objects are read-only -----------

def test_object_survives_edit_of_user_file(hfds, tmp_path):
    rows = write_jsonl(tmp_path / "t.jsonl", [{"a": i} for i in range(1000)])
    folder = tmp_path / "folder"
    hfds("push", "--out", folder, "--split", "train=%s" % rows, "-q")
    hfds("push", "me/obj", "--from", folder, "--endpoint", tmp_path / "hub", "-q")
    objects = [p for p in (tmp_path / "hub" / "lfs" / "objects").rglob("*") if p.is_file()]
    assert objects
    shard = next(folder.rglob("*.parquet"))
    with open(shard, "ab") as f:
        f.write(b"appended by the user after the push")
    for obj in objects:
        assert hashlib.sha256(obj.read_bytes()).hexdigest() == obj.name
        assert obj.stat().st_mode & 0o777 == 0o444
        assert os.stat(obj).st_ino != os.stat(shard).st_ino


# ---- items 15, 21 and 22: push --from checks everything before committing ------------------

@pytest.fixture
def built(hfds, tmp_path):
    rows = write_jsonl(tmp_path / "t.jsonl", [{"a": i, "b": "x%d" % i} for i in range(10)])
    folder = tmp_path / "folder"
    hfds("push", "--out", folder, "--split", "train=%s" % rows, "-q")
    return folder


def refused(hfds, tmp_path, folder, *needles):
    hub = tmp_path / "hub"
    r = hfds("push", "me/x", "--from", folder, "--endpoint", hub, check=False)
    assert r.returncode != 0
    for n in needles:
        assert n in r.stderr, r.stderr
    # nothing committed, and a failed first push leaves no empty repo
    assert not (hub / "datasets" / "me" / "x.git").exists()
    assert not list((hub / "tmp").glob("push-*")) if (hub / "tmp").exists() else True
    return r


def test_from_refuses_symlink_outside(hfds, tmp_path, built):
    (built / "data" / "passwd.txt").symlink_to("/etc/passwd")
    refused(hfds, tmp_path, built, "passwd.txt", "outside")
    (built / "data" / "passwd.txt").unlink()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (built / "more").symlink_to(outside)
    refused(hfds, tmp_path, built, "more", "outside")


def test_from_refuses_newline_names_and_skips_fifos(hfds, tmp_path, built):
    (built / "data" / "evil\nname.txt").write_text("x")
    refused(hfds, tmp_path, built, "newline")
    (built / "data" / "evil\nname.txt").unlink()
    os.mkfifo(built / "data" / "pipe")
    (built / "data" / "dangling").symlink_to(tmp_path / "nowhere")
    (built / "data" / "inside.txt").symlink_to(built / "README.md")
    r = hfds("push", "me/x", "--from", built, "--endpoint", tmp_path / "hub", timeout=60)
    assert "pipe" in r.stderr and "FIFO" in r.stderr
    assert "dangling" in r.stderr
    files = files_at(tmp_path / "hub" / "datasets" / "me" / "x.git")
    assert "data/inside.txt" in files
    assert not [f for f in files if "pipe" in f or "dangling" in f]


def test_from_refuses_shards_it_cannot_read(hfds, tmp_path, built):
    bad = built / "data" / "train-zero.parquet"
    bad.write_bytes(b"")
    refused(hfds, tmp_path, built, "train-zero.parquet", "Parquet")
    bad.write_text("just some text, not parquet at all\n")
    refused(hfds, tmp_path, built, "train-zero.parquet", "Parquet")


def test_from_refuses_card_that_contradicts_files(hfds, tmp_path, built):
    card = built / "README.md"
    text = card.read_text()
    card.write_text(text.replace("num_examples: 10", "num_examples: 11"))
    refused(hfds, tmp_path, built, "num_examples 11", "10 rows")
    card.write_text(text.replace("dtype: string", "dtype: int32"))
    refused(hfds, tmp_path, built, "train-00000-of-00001.parquet", "features")


def test_from_keeps_card_keys_and_prose(hfds, tmp_path, built):
    card = built / "README.md"
    text = card.read_text()
    card.write_text(text.replace("---\n", "---\nlicense: mit\npretty_name: My Set\ntags:\n- chess\n", 1)
                    + "\n# My set\n\nWhat it holds.\n")
    hfds("push", "me/k", "--from", built, "--endpoint", tmp_path / "hub", "-q")
    got = git(tmp_path / "hub" / "datasets" / "me" / "k.git", "show", "main:README.md").decode()
    assert "license: mit" in got and "pretty_name: My Set" in got and "- chess" in got
    assert got.endswith("# My set\n\nWhat it holds.\n")
    assert "dataset_info:" in got and "num_examples: 10" in got


# ---- item 22: the smaller ones --------------------------------------------------------------

def test_killed_push_leaves_no_staging(hfds_bin, tmp_path):
    feats = tmp_path / "f.json"
    feats.write_text('{"a": {"dtype": "int64", "_type": "Value"}}')
    hub = tmp_path / "hub"
    p = subprocess.Popen([hfds_bin, "push", "me/k", "--split", "train=-", "--features", feats, "--endpoint", hub, "-q"],
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b'{"a": 1}\n' * 1000)
    p.stdin.flush()
    for _ in range(200):
        if list((hub / "tmp").glob("push-*")) if (hub / "tmp").exists() else False:
            break
        time.sleep(0.05)
    assert list((hub / "tmp").glob("push-*"))
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=60) == -signal.SIGTERM
    p.stdin.close()
    p.stderr.close()
    assert not list((hub / "tmp").glob("push-*"))


def test_failed_first_push_leaves_no_repo(hfds, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\n{"a": "text"}\n')
    feats = tmp_path / "f.json"
    feats.write_text('{"a": {"dtype": "int64", "_type": "Value"}}')
    hub = tmp_path / "hub"
    r = hfds("push", "me/empty", "--split", "train=%s" % bad, "--features", feats, "--endpoint", hub, check=False)
    assert r.returncode != 0
    assert not (hub / "datasets" / "me" / "empty.git").exists()


def test_branch_starting_with_dash_refused(hfds, tmp_path):
    rows = write_jsonl(tmp_path / "t.jsonl", [{"a": 1}])
    hub = tmp_path / "hub"
    hfds("push", "me/b", "--split", "train=%s" % rows, "--endpoint", hub, "-q")
    r = hfds("push", "me/b", "--split", "train=%s" % rows, "--endpoint", hub, "--revision", "-x", "-q", check=False)
    assert r.returncode != 0
    assert "-x" in r.stderr
    refs = git(hub / "datasets" / "me" / "b.git", "for-each-ref", "--format=%(refname)").decode().split()
    assert refs == ["refs/heads/main"]


def test_control_characters_escaped(hfds, tmp_path):
    name = tmp_path / "bad\x1b[31mname\r.jsonl"
    name.write_text("not json\n")
    r = hfds("convert", name, tmp_path / "o.parquet", check=False)
    assert r.returncode != 0
    assert "\x1b" not in r.stderr and "\r" not in r.stderr
    assert "\\x1b[31mname\\x0d.jsonl" in r.stderr


def test_control_characters_escaped_in_listings(hfds, tmp_path):
    rows = write_jsonl(tmp_path / "t.jsonl", [{"a": 1}])
    hub = tmp_path / "hub"
    hfds("push", "me/l", "--split", "train=%s" % rows, "--endpoint", hub, "-q",
         "--message", "title \x1b]0;owned\x07", "--description", "line \x1b[2J")
    out = hfds("log", "me/l", "--endpoint", hub).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "title \\x1b]0;owned\\x07" in out and "line \\x1b[2J" in out
