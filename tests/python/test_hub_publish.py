"""Publishing through the hub interface to an embedded hub: staging folders of pushes in
progress survive other pushes' sweeps, killed pushes' folders do not linger (issue 16 item 4);
`chess push --resume` after a deleted batch continues the stream and republishes nothing
(issue 16 item 5). Parquet files are read back with pyarrow, never with hfds's reader."""
import json
import os
import pathlib
import signal
import subprocess
import time

import pyarrow.parquet as pq

FEATURES = {"a": {"dtype": "int64", "_type": "Value"}}


def staging_dirs(hub):
    tmp = pathlib.Path(hub) / "tmp"
    return sorted(p for p in tmp.glob("push-*")) if tmp.exists() else []


def start_stdin_push(hfds_bin, hub, repo, features):
    p = subprocess.Popen([hfds_bin, "push", repo, "--split", "train=-", "--features", str(features),
                          "--endpoint", str(hub), "-q"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    p.stdin.write('{"a": 1}\n')
    p.stdin.flush()
    deadline = time.time() + 60
    while not staging_dirs(hub) and time.time() < deadline:
        time.sleep(0.05)
    dirs = staging_dirs(hub)
    assert len(dirs) == 1, f"the push made no staging folder: {dirs}"
    return p, dirs[0]


def backdate(folder, seconds):
    t = time.time() - seconds
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.utime(os.path.join(root, name), (t, t), follow_symlinks=False)
    os.utime(folder, (t, t))


def test_sweep_spares_a_slow_push_and_removes_a_killed_one(hfds, hfds_bin, tmp_path):
    hub = tmp_path / "hub"
    features = tmp_path / "f.json"
    features.write_text(json.dumps(FEATURES))
    rows = tmp_path / "b.jsonl"
    rows.write_text("".join(f'{{"a": {i}}}\n' for i in range(10)))

    # a push that reads stdin slowly: its folder untouched for two hours, as a slow push's is
    slow, folder = start_stdin_push(hfds_bin, hub, "me/slow", features)
    try:
        backdate(folder, 7200)
        hfds("push", "me/other", "--split", f"train={rows}", "--endpoint", hub, "-q")
        assert folder.exists(), "another push swept the staging folder of a push in progress"
        slow.stdin.write('{"a": 2}\n')
        out, err = slow.communicate(timeout=120)
        assert slow.returncode == 0, err
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait()
    t = hfds("cat", "--help", check=False)  # the CLI still answers
    assert t.returncode == 0
    ls = hfds("ls", "me/slow", "-r", "--endpoint", hub).stdout
    assert "data/train-00000-of-00001.parquet" in ls

    # a killed push (SIGKILL: no handler runs): its folder goes at the next push, not an hour later
    killed, folder = start_stdin_push(hfds_bin, hub, "me/killed", features)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert folder.exists()
    hfds("push", "me/other", "--split", f"train={rows}", "--endpoint", hub, "-q")
    assert not folder.exists(), "the folder of a killed push was left behind"
    assert staging_dirs(hub) == []


def lfs_object(hfds, hub, repo, path):
    line = hfds("ls", f"{repo}", path, "-l", "--endpoint", hub).stdout
    sha = line.split("sha256=")[1].split()[0]
    return pathlib.Path(hub) / "lfs" / "objects" / sha[:2] / sha[2:4] / sha


def delete_batch(git_dir, number):
    """Deletes train/test batch_<number> from main with git plumbing (no work tree, no LFS)."""
    env = dict(os.environ, GIT_INDEX_FILE=str(pathlib.Path(git_dir).parent / "tmp.index"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    g = ["git", f"--git-dir={git_dir}", f"--work-tree={pathlib.Path(git_dir).parent}"]
    old = subprocess.run(g + ["rev-parse", "main"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(g + ["read-tree", "main"], env=env, check=True)
    for split in ("train", "test"):
        subprocess.run(g + ["update-index", "--force-remove", f"{split}/batch_{number:06d}.parquet"], env=env, check=True)
    tree = subprocess.run(g + ["write-tree"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    new = subprocess.run(g + ["commit-tree", tree, "-p", old, "-m", f"delete batch {number}"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    subprocess.run(g + ["update-ref", "refs/heads/main", new, old], env=env, check=True)
    os.unlink(env["GIT_INDEX_FILE"])


def test_chess_resume_after_a_deleted_batch(hfds, shared_dir, tmp_path):
    hub = tmp_path / "hub"
    pgn = shared_dir / "testdata" / "pgn" / "lichess" / "lichess_db_100k.pgn"
    common = ["--data-path", pgn, "--sampler", "all", "--batch-size", "300", "--train-ratio", "0.9"]
    hfds("chess", "push", "--repo", "me/c", "--endpoint", hub, "--batches", "3", *common)
    delete_batch(hub / "datasets" / "me" / "c.git", 2)
    r = hfds("chess", "push", "--repo", "me/c", "--endpoint", hub, "--batches", "1", "--resume", *common)
    assert "resuming with batch 4" in r.stderr, r.stderr
    ls = hfds("ls", "me/c", "-r", "--endpoint", hub).stdout
    assert "train/batch_000004.parquet" in ls and "batch_000002" not in ls, ls

    # the reference: the same stream written in one dry run of four batches
    ref = tmp_path / "ref"
    hfds("chess", "push", "--repo", "me/c", "--dry-run", "--out", ref, "--batches", "4", *common)
    for split in ("train", "test"):
        got = pq.read_table(lfs_object(hfds, hub, "me/c", f"{split}/batch_000004.parquet")).to_pylist()
        want = pq.read_table(ref / split / "batch_000004.parquet").to_pylist()
        third = pq.read_table(ref / split / "batch_000003.parquet").to_pylist()
        assert got != third, f"{split}: batch 4 republished the positions of batch 3"
        assert got == want, f"{split}: batch 4 is not the stream's fourth batch"


def test_sigterm_leaves_no_staging_behind(hfds_bin, tmp_path):
    hub = tmp_path / "hub"
    features = tmp_path / "f.json"
    features.write_text(json.dumps(FEATURES))
    for sig in (signal.SIGTERM, signal.SIGINT):
        p, folder = start_stdin_push(hfds_bin, hub, "me/term", features)
        p.send_signal(sig)
        p.communicate(timeout=60)
        assert p.returncode == -sig
        assert not folder.exists(), f"{signal.Signals(sig).name} left {folder} behind"
