"""The push pipeline against `hfds serve` over loopback, read back with huggingface_hub and
datasets: shards uploaded while the next is written (--json events), a bounded spool
(--spool-max), several commits within a tiny per-commit cap with README.md last and the
same tree as one commit, manifests from two workers merged by `hfds commit`, and -q."""
import json
import os
import subprocess
import sys

from test_hub_http import remote, serve  # noqa: F401 (fixtures: hfds serve and the CLI bound to it)


def api(serve):
    from huggingface_hub import HfApi
    return HfApi(endpoint=serve.url, token=serve.write_token)


def rows(n, start=0):
    return "".join(json.dumps({"id": i, "text": f"row {i} " + "x" * (i % 50), "score": i / 4}) + "\n"
                   for i in range(start, start + n))


def events(stderr):
    out = []
    for line in stderr.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def load(serve, repo, tmp_path):
    code = ("import datasets, json; ds = datasets.load_dataset(%r, cache_dir=%r); "
            "print(json.dumps({s: [ds[s].num_rows, sorted(ds[s]['id'])] for s in ds}))"
            % (repo, str(tmp_path / "cache")))
    env = dict(os.environ, HF_ENDPOINT=serve.url, HF_TOKEN=serve.write_token)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def card_splits(serve, repo):
    import yaml
    from huggingface_hub import hf_hub_download
    p = hf_hub_download(repo, "README.md", repo_type="dataset", endpoint=serve.url, token=serve.write_token)
    text = open(p).read()
    meta = yaml.safe_load(text.split("---")[1])
    return {s["name"]: s["num_examples"] for s in meta["dataset_info"]["splits"]}


def test_overlap_json_events_and_quiet(remote, serve, tmp_path):
    (tmp_path / "train.jsonl").write_text(rows(6000))
    r = remote("push", "alice/overlap", "--split", f"train={tmp_path / 'train.jsonl'}", "--max-shard-size", "20KB",
               "--json")
    ev = events(r.stderr)
    kinds = [e["event"] for e in ev]
    assert kinds[-1] == "done" and ev[-1]["sha"] == r.stdout.strip()
    shards = kinds.count("shard")
    assert shards >= 5, kinds
    # overlap: shards were stored on the server before the last shard was even written
    last_shard = max(i for i, k in enumerate(kinds) if k == "shard")
    first_stored = kinds.index("stored")
    assert first_stored < last_shard, kinds
    # every shard was uploaded before the commit, which only references them
    first_commit = kinds.index("commit")
    assert kinds[:first_commit].count("stored") == shards
    up = [e for e in ev if e["event"] == "stored"][-1]
    assert up["files_done"] == up["files_total"] == shards and up["bytes_done"] == up["bytes_total"] > 0
    assert len(api(serve).list_repo_commits("alice/overlap", repo_type="dataset")) == 2
    got = load(serve, "alice/overlap", tmp_path)
    assert got["train"] == [6000, list(range(6000))]

    q = remote("push", "alice/overlap", "--split", f"train={tmp_path / 'train.jsonl'}", "--max-shard-size", "20KB",
               "-q")
    assert q.stderr == "" and len(q.stdout.strip()) == 40


def spool_size(root):
    total = 0
    for dirpath, _, names in os.walk(root):
        for n in names:
            try:
                total += os.path.getsize(os.path.join(dirpath, n))
            except OSError:
                pass   # left meanwhile
    return total


def test_spool_bounded(hfds_bin, serve, tmp_path):
    """The push is larger than --spool-max: the counter in the events and the spool folder,
    sampled while the push runs, never exceed it by more than the shard being written."""
    import threading
    import time
    (tmp_path / "train.jsonl").write_text(rows(20000))
    shard = 20_000
    spool_max = 50_000
    env = dict(os.environ, HF_ENDPOINT=serve.url, HF_TOKEN=serve.write_token)
    spool = os.path.join(os.environ["HFDS_HOME"], "spool")
    samples, done = [], threading.Event()

    def sample():
        while not done.is_set():
            samples.append(spool_size(spool))
            time.sleep(0.002)
    t = threading.Thread(target=sample)
    t.start()
    try:
        r = subprocess.run([hfds_bin, "push", "alice/spool", "--split", f"train={tmp_path / 'train.jsonl'}",
                            "--max-shard-size", str(shard), "--spool-max", str(spool_max), "--upload-workers", "1",
                            "--threads", "1", "--json"], env=env, capture_output=True, text=True, timeout=600)
    finally:
        done.set()
        t.join()
    assert r.returncode == 0, r.stderr[-3000:]
    ev = [e for e in events(r.stderr) if "spool_bytes" in e]
    stored = [e for e in ev if e["event"] == "stored"]
    total = stored[-1]["bytes_total"]
    assert total > 4 * spool_max, "the push must be larger than the spool"
    biggest = max(max(e["bytes_total"] - p["bytes_total"] for p, e in zip(ev, ev[1:])), shard)
    peak = max(e["spool_bytes"] for e in ev)
    assert peak <= spool_max + biggest, (peak, spool_max)
    assert stored[-1]["spool_bytes"] == 0, "uploaded shards leave the spool"
    # the folder: closed shards waiting (<= spool_max + the newest) plus the one being written
    assert len(samples) > 10 and max(samples) <= spool_max + 3 * biggest, (max(samples), spool_max, biggest)
    assert max(samples) > 0
    assert load(serve, "alice/spool", tmp_path)["train"][0] == 20000


def test_small_commit_cap_makes_several_commits_readme_last(remote, serve, tmp_path):
    (tmp_path / "train.jsonl").write_text(rows(3000))
    (tmp_path / "test.jsonl").write_text(rows(1000, 5000))
    args = ["--split", f"train={tmp_path / 'train.jsonl'}", "--split", f"test={tmp_path / 'test.jsonl'}",
            "--max-shard-size", "10KB"]
    one = remote("push", "alice/one", *args).stdout.strip()
    many = remote("push", "alice/many", *args, "--commit-max-files", "3").stdout.strip()
    a = api(serve)
    commits = a.list_repo_commits("alice/many", repo_type="dataset")
    pushed = [c for c in commits if c.title.startswith("Upload dataset")]
    files = [f for f in a.list_repo_files("alice/many", repo_type="dataset") if f.endswith(".parquet")]
    # a cap of 3 files: each part commit holds at most 2 shards, the last 2 shards + README.md
    assert len(pushed) >= (len(files) + 1) // 2 and len(pushed) > 2, [c.title for c in commits]
    # README.md only in the last commit: the commit before the head has no card
    before_last = pushed[1].commit_id
    assert "README.md" not in a.list_repo_files("alice/many", repo_type="dataset", revision=before_last)
    assert commits[0].commit_id == many
    # same tree as the one-commit push
    def tree(repo, rev):
        return sorted((f.path, getattr(f, "lfs", None) and f.lfs.sha256, f.size)
                      for f in a.list_repo_tree(repo, repo_type="dataset", revision=rev, recursive=True)
                      if f.path != ".gitattributes" and hasattr(f, "size"))
    assert tree("alice/many", many) == tree("alice/one", one)
    got = load(serve, "alice/many", tmp_path)
    assert got["train"][0] == 3000 and got["test"][0] == 1000


def test_manifests_two_workers_one_commit(remote, serve, tmp_path):
    (tmp_path / "a.jsonl").write_text(rows(700))
    (tmp_path / "b.jsonl").write_text(rows(500, 700))
    for name in "ab":
        r = remote("push", "alice/dist", "--split", f"train={tmp_path / (name + '.jsonl')}", "--max-shard-size", "8KB",
                   "--no-commit", "--manifest", str(tmp_path / f"{name}.json"))
        assert r.stdout.strip() == str(tmp_path / f"{name}.json")
    a = api(serve)
    assert len(a.list_repo_commits("alice/dist", repo_type="dataset")) == 1, "--no-commit commits nothing"
    m = json.loads((tmp_path / "a.json").read_text())
    assert m["files"] and all(len(f["sha256"]) == 64 and f["size"] > 0 for f in m["files"])
    assert sum(f["num_rows"] for f in m["files"]) == 700
    puts = len([q for q in serve.requests() if q[0] == "PUT"])
    sha = remote("commit", "alice/dist", "--manifest", str(tmp_path / "a.json"), str(tmp_path / "b.json")).stdout.strip()
    assert len([q for q in serve.requests() if q[0] == "PUT"]) == puts, "commit uploads nothing again"
    commits = a.list_repo_commits("alice/dist", repo_type="dataset")
    assert len(commits) == 2 and commits[0].commit_id == sha
    got = load(serve, "alice/dist", tmp_path)
    assert got["train"] == [1200, list(range(1200))]
    assert card_splits(serve, "alice/dist") == {"train": 1200}


def test_bad_manifest_is_a_data_error(remote, tmp_path):
    (tmp_path / "bad.json").write_text('{"hfds_manifest": 1, "configs": ')
    r = remote("commit", "alice/x", "--manifest", str(tmp_path / "bad.json"), check=False)
    assert r.returncode == 3 and "bad.json:1:" in r.stderr


def test_option_conflicts_are_usage_errors(remote, tmp_path):
    (tmp_path / "a.jsonl").write_text(rows(5))
    src = f"train={tmp_path / 'a.jsonl'}"
    for extra, words in ((["--keep", "--spool-max", "1MB"], "--keep"), (["--no-commit"], "--manifest"),
                         (["--spool-max", "12parsecs"], "--spool-max"), (["--commit-max-files", "1"], "max-files")):
        r = remote("push", "alice/u", "--split", src, *extra, check=False)
        assert r.returncode == 2 and words in r.stderr, (extra, r.stderr)


def test_manifests_with_other_features_are_refused(remote, serve, tmp_path):
    (tmp_path / "a.jsonl").write_text(rows(10))
    (tmp_path / "b.jsonl").write_text("".join(json.dumps({"id": i, "other": True}) + "\n" for i in range(10)))
    for name in "ab":
        remote("push", "alice/mixed", "--split", f"train={tmp_path / (name + '.jsonl')}", "--no-commit", "--manifest",
               str(tmp_path / f"{name}.json"), "-q")
    r = remote("commit", "alice/mixed", "--manifest", str(tmp_path / "a.json"), str(tmp_path / "b.json"), check=False)
    assert r.returncode == 1 and "differ" in r.stderr and "b.json" in r.stderr, r.stderr
    assert len(api(serve).list_repo_commits("alice/mixed", repo_type="dataset")) == 1


def test_keep_leaves_the_shards_after_the_push(remote, serve, hfds, tmp_path):
    import hashlib
    import pyarrow.parquet as pq
    (tmp_path / "train.jsonl").write_text(rows(3000))
    args = ["--split", f"train={tmp_path / 'train.jsonl'}", "--max-shard-size", "20KB"]
    r = remote("push", "alice/keep", *args, "--keep", "--json")
    ev = events(r.stderr)
    sha = r.stdout.strip()
    kept = [e["path"] for e in ev if e["event"] == "kept"]
    spool = tmp_path / "hfds_home" / "spool"
    assert kept == [str(spool / f"kept-alice--keep-{sha[:12]}")], (kept, r.stderr[-2000:])
    # the shards under their repository paths, the bytes that were published
    a = api(serve)
    lfs = {f.path: f.lfs.sha256 for f in a.list_repo_tree("alice/keep", repo_type="dataset", recursive=True)
           if f.path.endswith(".parquet")}
    local = {str(p.relative_to(kept[0])): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted((tmp_path / kept[0]).rglob("*.parquet"))}
    assert len(lfs) >= 3 and local == lfs
    assert sum(pq.ParquetFile(tmp_path / kept[0] / p).metadata.num_rows for p in local) == 3000
    # a later push (its sweep of killed pushes' folders) leaves the kept folder alone
    remote("push", "alice/keep2", *args, "-q")
    assert sorted(os.listdir(spool)) == [os.path.basename(kept[0])]
    # without --keep nothing stays
    remote("push", "alice/keep3", *args, "-q")
    assert sorted(os.listdir(spool)) == [os.path.basename(kept[0])]

    # embedded hub: the kept files are copies, editing them never changes a stored object
    emb = tmp_path / "emb"
    r = hfds("push", "alice/keep", *args, "--keep", "--endpoint", emb)
    line = [x for x in r.stderr.splitlines() if "kept the shards in" in x]
    path = line[0].split("kept the shards in ")[1]
    assert path == str(emb / "tmp" / f"kept-alice--keep-{r.stdout.strip()[:12]}")
    first = sorted((tmp_path / path).rglob("*.parquet"))[0]
    before = hashlib.sha256(first.read_bytes()).hexdigest()
    assert os.stat(first).st_nlink == 1
    with open(first, "r+b") as f:
        f.write(b"XXXX")
    obj = emb / "lfs" / "objects" / before[:2] / before[2:4] / before
    assert hashlib.sha256(obj.read_bytes()).hexdigest() == before


def test_commit_cap_shrinks_after_slow_commits_and_grows_back(hfds_bin, hfds, tmp_path):
    # upload_large_folder's rule with a small cap: the first two commits are held 2.5 s by a
    # proxy (slower than HFDS_COMMIT_SLOW_MS), so the cap halves twice; the fast ones after
    # them double it back to the given cap
    from faultproxy import FaultProxy
    from hubserve import Serve
    proxy = FaultProxy(seed=3, p_status=0, p_reset=0, p_lost=0)
    s = Serve(hfds_bin, tmp_path / "server" / "hub", public_url=proxy.url)
    proxy.upstream_port = s.port
    try:
        proxy.delay_once = [("/commit/", 2.5), ("/commit/", 2.5)]
        (tmp_path / "train.jsonl").write_text(rows(4000))
        env = {"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token, "HFDS_COMMIT_SLOW_MS": "1500"}
        sha = hfds("push", "alice/adapt", "--split", f"train={tmp_path / 'train.jsonl'}", "--max-shard-size", "10KB",
                   "--commit-max-files", "8", "-q", env=env).stdout.strip()
        from huggingface_hub import HfApi
        a = HfApi(endpoint=s.url, token=s.write_token)
        commits = [c for c in a.list_repo_commits("alice/adapt", repo_type="dataset")
                   if c.title.startswith("Upload dataset")][::-1]
        assert commits[-1].commit_id == sha
        counts, before = [], 0
        for c in commits:
            now = len([f for f in a.list_repo_files("alice/adapt", repo_type="dataset", revision=c.commit_id)
                       if f.endswith(".parquet")])
            counts.append(now - before)
            before = now
        # parts of cap - 1 shards: 8 (slow) -> 4 (slow) -> 2 (the floor) -> 4 -> 8 -> 8 ...
        assert counts[:5] == [7, 3, 1, 3, 7], counts
        assert all(c == 7 for c in counts[5:-1]) and 1 <= counts[-1] <= 7, counts
        n = len(commits)
        # parts numbered in order; each title counts the parts as planned when it was made
        assert [c.title[:26] for c in commits] == [f"Upload dataset (part {i:05d}" for i in range(n)]
        assert commits[-1].title == f"Upload dataset (part {n - 1:05d}-of-{n:05d})"
    finally:
        proxy.close()
        s.close()


def test_small_max_shard_size_fills_its_shards(hfds, tmp_path):
    """A limit below the footer margin (64 KiB) used to make every 64-row slice a shard: 47
    shards of 1.7 KB for a 20 KB limit. Shards stay under the limit and are not tiny."""
    (tmp_path / "train.jsonl").write_text(rows(3000))
    hfds("push", "--out", tmp_path / "out", "--split", f"train={tmp_path / 'train.jsonl'}",
         "--max-shard-size", "20KB", "-q")
    sizes = sorted(p.stat().st_size for p in (tmp_path / "out" / "data").glob("*.parquet"))
    assert sizes and max(sizes) <= 20000, sizes
    # every shard but the last holds at least a fifth of the limit
    assert all(s >= 4000 for s in sizes[1:]), sizes
    assert len(sizes) <= 2 * (sum(sizes) // 4000 + 1), sizes
