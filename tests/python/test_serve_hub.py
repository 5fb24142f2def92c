"""huggingface_hub against a real `hfds serve` (issue 10, the judges' list): every call goes
over loopback HTTP to the server, which stores into a real embedded hub."""
import hashlib
import os
import pathlib
import subprocess

import pytest

from serve_util import endpoint_for_module, server_fixture

PORT = endpoint_for_module()

import huggingface_hub  # noqa: E402  (after HF_ENDPOINT)
from huggingface_hub import (CommitOperationAdd, CommitOperationCopy, CommitOperationDelete,  # noqa: E402
                             HfApi, HfFileSystem, hf_hub_download, snapshot_download)
from huggingface_hub.errors import (EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError,  # noqa: E402
                                    RevisionNotFoundError)


def _more_tokens(s):
    s.bob = s.token("bob")
    s.reader = s.token("alice", role="read")


# A small chunk size so a 3 MiB file takes the multipart path.
server = server_fixture(PORT, "--chunk-size", str(1 << 20), setup=_more_tokens)


@pytest.fixture
def api(server):
    return HfApi(endpoint=server.url, token=server.alice)


def test_whoami(api, server):
    me = api.whoami()
    assert me["name"] == "alice"
    assert [o["name"] for o in me["orgs"]] == ["acme"]
    assert me["auth"]["accessToken"]["role"] == "write"
    with pytest.raises(HfHubHTTPError) as e:
        HfApi(endpoint=server.url, token="hf_" + "x" * 34).whoami()
    assert e.value.response.status_code == 401


def test_create_repo_rules(api, server):
    url = api.create_repo("alice/pub", repo_type="dataset")
    assert url.repo_id == "alice/pub" and url.endpoint == server.url
    with pytest.raises(HfHubHTTPError) as e:
        api.create_repo("alice/pub", repo_type="dataset")
    assert e.value.response.status_code == 409
    assert api.create_repo("alice/pub", repo_type="dataset", exist_ok=True).repo_id == "alice/pub"
    api.create_repo("acme/team", repo_type="dataset", private=True)
    assert api.repo_info("acme/team", repo_type="dataset").private is True
    # bob may not write to alice's namespace; reading a private repo of acme is a 404
    bob = HfApi(endpoint=server.url, token=server.bob)
    with pytest.raises(HfHubHTTPError) as e:
        bob.create_repo("alice/x", repo_type="dataset")
    assert e.value.response.status_code == 403
    with pytest.raises(RepositoryNotFoundError):
        bob.repo_info("acme/team", repo_type="dataset")
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=server.url, token=False).repo_info("acme/team", repo_type="dataset")
    assert HfApi(endpoint=server.url, token=False).repo_info("alice/pub", repo_type="dataset").id == "alice/pub"
    assert api.repo_exists("alice/pub", repo_type="dataset")
    assert not bob.repo_exists("acme/team", repo_type="dataset")
    # read token: 403 on write, anonymous: 401
    with pytest.raises(HfHubHTTPError) as e:
        HfApi(endpoint=server.url, token=server.reader).upload_file(
            path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="alice/pub", repo_type="dataset")
    assert e.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as e:
        HfApi(endpoint=server.url, token=False).upload_file(
            path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="alice/pub", repo_type="dataset")
    assert e.value.response.status_code in (401, 404)
    # settings: make it public
    api.update_repo_settings("acme/team", repo_type="dataset", private=False)
    assert bob.repo_info("acme/team", repo_type="dataset").private is False


def test_upload_and_download(api, server, tmp_path):
    repo = "alice/files"
    api.create_repo(repo, repo_type="dataset")
    info = api.upload_file(path_or_fileobj=b"hello\n", path_in_repo="a/hello.txt", repo_id=repo, repo_type="dataset")
    blob = os.urandom(200_000)
    api.upload_file(path_or_fileobj=blob, path_in_repo="a/b/blob.bin", repo_id=repo, repo_type="dataset")
    assert info.oid and len(info.oid) == 40
    p = hf_hub_download(repo, "a/hello.txt", repo_type="dataset", cache_dir=tmp_path / "c", token=server.alice)
    assert pathlib.Path(p).read_bytes() == b"hello\n"
    p = hf_hub_download(repo, "a/b/blob.bin", repo_type="dataset", cache_dir=tmp_path / "c", token=server.alice)
    assert pathlib.Path(p).read_bytes() == blob
    assert api.file_exists(repo, "a/b/blob.bin", repo_type="dataset")
    assert not api.file_exists(repo, "a/nope.bin", repo_type="dataset")
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(repo, "a/nope.bin", repo_type="dataset", cache_dir=tmp_path / "c", token=server.alice)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo, "a/hello.txt", repo_type="dataset", revision="nope", cache_dir=tmp_path / "c",
                        token=server.alice)
    paths = api.get_paths_info(repo, ["a/hello.txt", "a/b/blob.bin", "missing"], repo_type="dataset")
    by = {x.path: x for x in paths}
    assert set(by) == {"a/hello.txt", "a/b/blob.bin"}
    assert by["a/b/blob.bin"].lfs.sha256 == hashlib.sha256(blob).hexdigest()
    assert by["a/b/blob.bin"].size == len(blob)
    # the object is stored once, under its sha256
    sha = hashlib.sha256(blob).hexdigest()
    assert (server.root / "lfs" / "objects" / sha[:2] / sha[2:4] / sha).read_bytes() == blob


def test_upload_folder_multipart_and_snapshot(api, server, tmp_path):
    repo = "alice/folder"
    api.create_repo(repo, repo_type="dataset")
    src = tmp_path / "src"
    (src / "small").mkdir(parents=True)
    for i in range(60):
        (src / "small" / f"f{i:03d}.txt").write_text(f"file {i}\n")
    big = os.urandom(3 * (1 << 20) + 123)        # > --chunk-size: multipart with 4 parts
    (src / "big.bin").write_bytes(big)
    (src / "one.parquet").write_bytes(b"PAR1" + os.urandom(1000) + b"PAR1")
    (src / "two.bin").write_bytes(os.urandom(5000))
    api.upload_folder(folder_path=src, repo_id=repo, repo_type="dataset")
    files = api.list_repo_files(repo, repo_type="dataset")
    assert len(files) == 64 and "big.bin" in files and "small/f059.txt" in files
    tree = list(api.list_repo_tree(repo, repo_type="dataset", recursive=True))
    assert {t.path for t in tree} >= {"small", "small/f000.txt", "big.bin"}
    big_entry = [t for t in tree if t.path == "big.bin"][0]
    assert big_entry.lfs.sha256 == hashlib.sha256(big).hexdigest() and big_entry.size == len(big)
    # expand=True pages by 50: 60 entries need the Link header
    expanded = list(api.list_repo_tree(repo, path_in_repo="small", repo_type="dataset", expand=True))
    assert len(expanded) == 60
    head = api.repo_info(repo, repo_type="dataset").sha
    assert all(e.last_commit is not None and e.last_commit.oid == head for e in expanded)
    out = snapshot_download(repo, repo_type="dataset", cache_dir=tmp_path / "cache", token=server.alice)
    assert (pathlib.Path(out) / "big.bin").read_bytes() == big
    assert (pathlib.Path(out) / "small" / "f007.txt").read_text() == "file 7\n"
    assert "snapshots" in out and api.repo_info(repo, repo_type="dataset").sha in out
    # HfFileSystem: ls, glob, open, seek, read (range requests)
    fs = HfFileSystem(endpoint=server.url, token=server.alice)
    names = fs.ls(f"datasets/{repo}", detail=False)
    assert f"datasets/{repo}/big.bin" in names
    assert len(fs.glob(f"datasets/{repo}/small/*.txt")) == 60
    with fs.open(f"datasets/{repo}/big.bin", "rb") as f:
        f.seek(1_000_000)
        assert f.read(1000) == big[1_000_000:1_001_000]


def test_create_commit_ops_and_stale_parent(api, server):
    repo = "alice/ops"
    api.create_repo(repo, repo_type="dataset")
    data = os.urandom(3000)
    c1 = api.create_commit(repo, repo_type="dataset", commit_message="add", operations=[
        CommitOperationAdd("x/a.txt", b"a\n"),
        CommitOperationAdd("x/b.txt", b"b\n"),
        CommitOperationAdd("data.bin", data),
    ])
    c2 = api.create_commit(repo, repo_type="dataset", commit_message="copy and delete", operations=[
        CommitOperationCopy("data.bin", "copy.bin"),
        CommitOperationCopy("x/a.txt", "y/a.txt"),
        CommitOperationDelete("x/b.txt"),
    ])
    files = set(api.list_repo_files(repo, repo_type="dataset"))
    assert files == {".gitattributes", "x/a.txt", "data.bin", "copy.bin", "y/a.txt"}
    assert api.hf_hub_download if hasattr(api, "hf_hub_download") else True
    # a commit based on c1 is now stale: 412
    with pytest.raises(HfHubHTTPError) as e:
        api.create_commit(repo, repo_type="dataset", commit_message="stale", parent_commit=c1.oid,
                          operations=[CommitOperationAdd("z.txt", b"z")])
    assert e.value.response.status_code == 412
    api.create_commit(repo, repo_type="dataset", commit_message="fresh", parent_commit=c2.oid,
                      operations=[CommitOperationAdd("z.txt", b"z")])
    # preupload_lfs_files, then the commit
    op = CommitOperationAdd("pre.bin", os.urandom(4000))
    api.preupload_lfs_files(repo, [op], repo_type="dataset")
    api.create_commit(repo, repo_type="dataset", commit_message="preuploaded", operations=[op])
    api.delete_file("copy.bin", repo, repo_type="dataset")
    api.delete_folder("y", repo, repo_type="dataset")
    with pytest.raises(EntryNotFoundError):
        api.delete_file("copy.bin", repo, repo_type="dataset")
    files = set(api.list_repo_files(repo, repo_type="dataset"))
    assert files == {".gitattributes", "x/a.txt", "data.bin", "z.txt", "pre.bin"}
    commits = api.list_repo_commits(repo, repo_type="dataset")
    assert [c.title for c in commits][:3] == ["Delete folder y with huggingface_hub",
                                              "Delete copy.bin with huggingface_hub", "preuploaded"]
    assert commits[-1].title == "initial commit"


def test_refs_and_history(api, server, tmp_path):
    repo = "alice/refs"
    api.create_repo(repo, repo_type="dataset")
    api.upload_file(path_or_fileobj=b"v1", path_in_repo="f.txt", repo_id=repo, repo_type="dataset")
    api.create_tag(repo, tag="v1", repo_type="dataset", tag_message="first")
    api.create_branch(repo, branch="dev", repo_type="dataset")
    api.upload_file(path_or_fileobj=b"v2", path_in_repo="f.txt", repo_id=repo, repo_type="dataset", revision="dev")
    ent = {e.path: e for e in api.list_repo_tree(repo, repo_type="dataset", revision="dev", expand=True)}
    dev_head = api.repo_info(repo, repo_type="dataset", revision="dev").sha
    assert ent["f.txt"].last_commit.oid == dev_head
    assert ent[".gitattributes"].last_commit.title == "initial commit"
    refs = api.list_repo_refs(repo, repo_type="dataset")
    assert {b.name for b in refs.branches} == {"main", "dev"}
    assert [t.name for t in refs.tags] == ["v1"] and refs.converts == []
    p = hf_hub_download(repo, "f.txt", repo_type="dataset", revision="v1", cache_dir=tmp_path, token=server.alice)
    assert pathlib.Path(p).read_bytes() == b"v1"
    p = hf_hub_download(repo, "f.txt", repo_type="dataset", revision="dev", cache_dir=tmp_path, token=server.alice)
    assert pathlib.Path(p).read_bytes() == b"v2"
    with pytest.raises(HfHubHTTPError) as e:
        api.create_branch(repo, branch="dev", repo_type="dataset")
    assert e.value.response.status_code == 409
    api.create_branch(repo, branch="dev", repo_type="dataset", exist_ok=True)
    api.delete_tag(repo, tag="v1", repo_type="dataset")
    api.delete_branch(repo, branch="dev", repo_type="dataset")
    with pytest.raises(RevisionNotFoundError):
        api.repo_info(repo, repo_type="dataset", revision="v1")
    # commit listing pages by 50 (Link header): 55 commits
    for i in range(52):
        api.upload_file(path_or_fileobj=str(i).encode(), path_in_repo="n.txt", repo_id=repo, repo_type="dataset")
    assert len(api.list_repo_commits(repo, repo_type="dataset")) == 54
    info = api.repo_info(repo, repo_type="dataset", files_metadata=True)
    assert {s.rfilename for s in info.siblings} == {".gitattributes", "f.txt", "n.txt"}


def test_move_and_delete(api, server):
    api.create_repo("alice/old", repo_type="dataset")
    api.move_repo("alice/old", "acme/new", repo_type="dataset")
    assert api.repo_info("acme/new", repo_type="dataset").id == "acme/new"
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info("alice/old", repo_type="dataset")
    api.delete_repo("acme/new", repo_type="dataset")
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info("acme/new", repo_type="dataset")
    api.delete_repo("acme/new", repo_type="dataset", missing_ok=True)


def test_push_from_cli_visible_at_once(api, server, hfds, tmp_path):
    """A commit by `hfds push` into the same root is served at once."""
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(f'{{"a": {i}}}\n' for i in range(10)))
    hfds("push", "alice/cli", "--split", f"train={rows}", "--endpoint", str(server.root))
    files = api.list_repo_files("alice/cli", repo_type="dataset")
    assert "README.md" in files and any(f.startswith("data/train-") for f in files)


def test_revoke(server):
    tok = server.token("carol")
    api = HfApi(endpoint=server.url, token=tok)
    assert api.whoami()["name"] == "carol"
    ids = subprocess.run([server.bin, "token", "list", "--root", str(server.root)], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    tid = [line.split()[0] for line in ids if line.split()[1] == "carol"][0]
    subprocess.run([server.bin, "token", "revoke", tid, "--root", str(server.root)], check=True)
    with pytest.raises(HfHubHTTPError) as e:
        api.whoami()
    assert e.value.response.status_code == 401


def test_access_log_has_no_token(server):
    text = server.log_text()
    assert "GET /api/whoami-v2 200" in text
    # the 3 MiB file of upload_folder went up in parts (chunk size 1 MiB), then a completion
    assert text.count("PUT /_hfds/part/") >= 4 and "POST /_hfds/complete/" in text
    for tok in (server.alice, server.bob, server.reader):
        assert tok not in text


def test_card_yaml_and_squash(api, server):
    repo = "alice/card"
    api.create_repo(repo, repo_type="dataset")
    card = b"---\nlicense: mit\npretty_name: Demo\n---\n# Demo\n"
    api.upload_file(path_or_fileobj=card, path_in_repo="README.md", repo_id=repo, repo_type="dataset")
    info = api.repo_info(repo, repo_type="dataset")
    assert info.card_data["license"] == "mit" and info.card_data["pretty_name"] == "Demo"
    # README.md with broken YAML: validate-yaml answers 400 with the place, nothing is committed
    with pytest.raises(Exception) as e:
        api.upload_file(path_or_fileobj=b"---\nlicense: [mit\n---\n", path_in_repo="README.md", repo_id=repo,
                        repo_type="dataset")
    assert "README.md:" in str(e.value)
    assert len(api.list_repo_commits(repo, repo_type="dataset")) == 2
    api.super_squash_history(repo, repo_type="dataset")
    commits = api.list_repo_commits(repo, repo_type="dataset")
    assert len(commits) == 1 and commits[0].title == "Super-squash branch 'main' using huggingface_hub"
    assert set(api.list_repo_files(repo, repo_type="dataset")) == {".gitattributes", "README.md"}
