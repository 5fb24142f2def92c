"""No empty commit on a rerun, decided by the client (hub-protocol.md §3.3 "No-op handling"):
huggingface.co makes empty commits, so hfds drops additions whose path already holds their
content (preupload's `oid`, paths-info for shards uploaded ahead of the commit) and, when
nothing is left, sends no commit and answers with the branch head. Judged against `hfds serve`
through a recording proxy (what the server received) and by huggingface_hub (the head, the
commits); the embedded hub gives the same user-visible result."""
import json
import re

import pytest

from faultproxy import FaultProxy
from hubserve import Serve


@pytest.fixture
def served(hfds_bin, tmp_path):
    """hfds serve behind a proxy that injects no faults and keeps the bodies of commits."""
    proxy = FaultProxy(seed=3, p_status=0, p_reset=0, p_lost=0)
    s = Serve(hfds_bin, tmp_path / "server" / "hub", public_url=proxy.url)
    proxy.upstream_port = s.port
    proxy.record = ("/commit/",)
    yield s, proxy
    proxy.close()
    s.close()


def rows(n, upper_last=False):
    out = []
    for i in range(n):
        text = f"row {i:05d} of the no-op test"
        if upper_last and i == n - 1:
            text = text.upper()   # same length: the shard boundaries stay where they were
        out.append(json.dumps({"id": i, "text": text}) + "\n")
    return "".join(out)


def commits_sent(proxy):
    return [(p, b) for m, p, b in proxy.recorded if m == "POST" and "/commit/" in p]


def ndjson_ops(body):
    lines = [json.loads(x) for x in body.decode().splitlines() if x.strip()]
    assert lines[0]["key"] == "header"
    return [(l["key"], l["value"]["path"]) for l in lines[1:]]


def test_rerun_sends_no_commit_and_changed_shard_alone(served, hfds, tmp_path):
    from huggingface_hub import HfApi
    s, proxy = served
    env = {"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token, "HFDS_HUB_RETRY_BASE_MS": "50"}
    src = tmp_path / "train.jsonl"
    src.write_text(rows(3000))
    push = ["push", "alice/noop", "--split", f"train={src}", "--max-shard-size", "20KB"]
    first = hfds(*push, env=env)
    head = first.stdout.strip()
    assert len(head) == 40 and "no changes" not in first.stderr
    api = HfApi(endpoint=s.url, token=s.write_token)
    shards = [f for f in api.list_repo_files("alice/noop", repo_type="dataset") if f.startswith("data/")]
    assert len(shards) >= 3, shards
    ncommits = len(api.list_repo_commits("alice/noop", repo_type="dataset"))
    sent = len(commits_sent(proxy))
    assert sent == 1

    again = hfds(*push, env=env)
    assert again.stdout.strip() == head
    assert f"hfds push: no changes: alice/noop is already at {head[:12]}" in again.stderr, again.stderr
    assert len(commits_sent(proxy)) == sent, "the rerun sent a commit"
    assert not [q for q in s.requests() if q[0] == "POST" and "/commit/" in q[1]][sent:]
    assert api.dataset_info("alice/noop").sha == head
    assert len(api.list_repo_commits("alice/noop", repo_type="dataset")) == ncommits

    # --json: the commit not made, then the summary event with the head, then done
    js = hfds(*push, "--json", env=env)
    events = [json.loads(line) for line in js.stderr.splitlines() if line.strip()]
    kinds = [e["event"] for e in events]
    assert "unchanged" in kinds and "committed" not in kinds, kinds
    nc = next(e for e in events if e["event"] == "no_changes")
    assert nc == {"event": "no_changes", "repo": "alice/noop", "sha": head}
    assert kinds[-1] == "done" and events[-1]["sha"] == head
    assert len(commits_sent(proxy)) == sent

    # one shard changes (the last row, same length): the commit carries that shard (and the
    # card, whose sizes may move), none of the shards that are already there
    src.write_text(rows(3000, upper_last=True))
    third = hfds(*push, env=env)
    assert third.stdout.strip() != head and "no changes" not in third.stderr
    bodies = commits_sent(proxy)
    assert len(bodies) == sent + 1
    ops = ndjson_ops(bodies[-1][1])
    data_ops = [o for o in ops if o[1].startswith("data/")]
    assert data_ops == [("lfsFile", shards[-1])] or data_ops == [("file", shards[-1])], ops
    assert set(o[1] for o in ops) <= {shards[-1], "README.md"}, ops
    assert len(api.list_repo_commits("alice/noop", repo_type="dataset")) == ncommits + 1


def test_commit_manifest_from_and_upload_reruns(served, hfds, tmp_path):
    s, proxy = served
    env = {"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token, "HFDS_HUB_RETRY_BASE_MS": "50"}
    src = tmp_path / "a.jsonl"
    src.write_text(rows(200))
    m = tmp_path / "m.json"
    hfds("push", "alice/man", "--split", f"train={src}", "--no-commit", "--manifest", str(m), env=env)
    head = hfds("commit", "alice/man", "--manifest", str(m), env=env).stdout.strip()
    sent = len(commits_sent(proxy))
    again = hfds("commit", "alice/man", "--manifest", str(m), env=env)
    assert again.stdout.strip() == head
    assert f"hfds commit: no changes: alice/man is already at {head[:12]}" in again.stderr, again.stderr
    assert len(commits_sent(proxy)) == sent

    # push --from a built folder, twice: the second sends nothing
    hfds("push", "--out", str(tmp_path / "built"), "--split", f"train={src}")
    h = hfds("push", "alice/built", "--from", str(tmp_path / "built"), env=env).stdout.strip()
    sent = len(commits_sent(proxy))
    r = hfds("push", "alice/built", "--from", str(tmp_path / "built"), env=env)
    assert r.stdout.strip() == h and f"no changes: alice/built is already at {h[:12]}" in r.stderr, r.stderr
    assert len(commits_sent(proxy)) == sent

    # a regular file: preupload's oid is its git blob sha1
    f = tmp_path / "notes.txt"
    f.write_text("same notes\n")
    up = ["upload", "alice/man", str(f), "--type", "dataset"]
    h1 = hfds(*up, env=env).stdout.strip()
    sent = len(commits_sent(proxy))
    r = hfds(*up, env=env)
    assert r.stdout.strip() == h1 and "no changes" in r.stderr
    assert len(commits_sent(proxy)) == sent
    f.write_text("other notes\n")
    assert hfds(*up, env=env).stdout.strip() != h1
    assert ndjson_ops(commits_sent(proxy)[-1][1]) == [("file", "notes.txt")]


def test_embedded_rerun_says_the_same(hfds, tmp_path):
    src = tmp_path / "t.jsonl"
    src.write_text(rows(500))
    hub = str(tmp_path / "hub")
    push = ["push", "me/emb", "--split", f"train={src}", "--endpoint", hub]
    head = hfds(*push).stdout.strip()
    again = hfds(*push)
    assert again.stdout.strip() == head
    assert f"hfds push: no changes: me/emb is already at {head[:12]}" in again.stderr, again.stderr
    log = hfds("log", "me/emb", "--endpoint", hub).stdout
    assert len(re.findall(r"^commit [0-9a-f]{40}", log, re.M)) == 2   # the initial one and ours
    q = hfds(*push, "-q")
    assert q.stderr == "" and q.stdout.strip() == head


def test_lost_commit_answer_then_rerun(served, hfds, tmp_path):
    """The commit lands but its answer is lost: the client finds it on the branch (one commit,
    not two), and the rerun then finds nothing to change and sends no commit at all."""
    from huggingface_hub import HfApi
    s, proxy = served
    env = {"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token, "HFDS_HUB_RETRY_BASE_MS": "50"}
    src = tmp_path / "t.jsonl"
    src.write_text(rows(1000))
    push = ["push", "alice/lost", "--split", f"train={src}"]
    proxy.lose_once.append("/commit/")
    head = hfds(*push, env=env).stdout.strip()
    assert proxy.lose_once == [], "no commit answer was lost"
    api = HfApi(endpoint=s.url, token=s.write_token)
    assert api.dataset_info("alice/lost").sha == head
    n = len(api.list_repo_commits("alice/lost", repo_type="dataset"))
    assert n == 2   # the initial commit and ours, once
    sent = len(commits_sent(proxy))
    again = hfds(*push, env=env)
    assert again.stdout.strip() == head and "no changes" in again.stderr
    assert len(commits_sent(proxy)) == sent
    assert len(api.list_repo_commits("alice/lost", repo_type="dataset")) == n
