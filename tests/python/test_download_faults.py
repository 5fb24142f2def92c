"""hfds download (issue 12) when an answer breaks off midway: blobs go from the socket straight
into the .incomplete file while they are hashed, so a request retried after a cut must drop
the bytes and the digest state it got since the request began. A seeded proxy between hfds and
`hfds serve` cuts the first three file answers halfway through their bodies; the download
must still succeed, with every blob hashing to its name and equal to the source files
(hashed here by Python, not by hfds)."""
import hashlib
import json
import urllib.request

from test_hub_faults import faulty  # noqa: F401 (the proxy in front of `hfds serve`)


def test_cut_answers_are_retried_from_their_start(faulty, hfds, tmp_path):
    s, proxy = faulty
    proxy.enabled = False   # no random faults: only the cuts asked for below
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"id": i, "t": f"row {i} " * (i % 31)}) + "\n" for i in range(20000)))
    env = {"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token}
    hfds("push", "alice/cut", "--split", f"train={data}", "--max-shard-size", "200KB", "-q", env=env)
    proxy.cut_once.extend(["/resolve/"] * 3)
    home = tmp_path / "hf"
    hfds("download", "alice/cut", env=dict(env, HF_HOME=str(home), HFDS_HUB_RETRY_BASE_MS="5"))
    assert proxy.faults["answer_cut"] == 3, proxy.faults
    repo = home / "hub" / "datasets--alice--cut"
    blobs = [b for b in (repo / "blobs").iterdir()]
    assert not [b for b in blobs if b.name.endswith(".incomplete")]
    parquet = 0
    for b in blobs:
        content = b.read_bytes()
        if len(b.name) == 64:
            assert hashlib.sha256(content).hexdigest() == b.name, b
            parquet += content[:4] == b"PAR1" and content[-4:] == b"PAR1"
        else:
            assert hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest() == b.name, b
    assert parquet >= 3
    # the snapshot is what the hub serves (fetched again by Python)
    snap = next((repo / "snapshots").iterdir())
    for f in snap.rglob("*"):
        if f.is_file():
            rel = f.relative_to(snap).as_posix()
            with urllib.request.urlopen(f"{s.url}/datasets/alice/cut/resolve/main/{rel}") as r:
                assert r.read() == f.read_bytes(), rel
