"""push_to_hub, delete_config, purge, load and the repository helpers, on the library's hub
interface (hfds/hub.h): the Hugging Face Hub or any server speaking its protocol, or the
embedded hub (a directory of bare git repositories + LFS objects).

The target is chosen as the CLI chooses it: ``endpoint`` (a URL, a directory or file://...)
> HF_ENDPOINT > the Hub when an HF token is found > the embedded hub ($HFDS_HOME/hub).
"""
import os

from . import _hfds, _progress
from ._data import Source
from ._stream import Stream
from ._write import _splits, open_writer, split_info, write_splits


class CommitInfo:
    """What a publish made: ``sha`` (40-hex commit id, also ``oid``), ``url`` (of the commit),
    ``repo_url`` (clone URL), ``files`` (every file of the repository at that commit) and
    ``splits`` ({split: {"num_examples", "num_bytes", "num_files"}})."""

    def __init__(self, sha, url, repo_url, files, splits=None):
        self.sha = sha
        self.url = url
        self.repo_url = repo_url
        self.files = files
        self.splits = splits or {}

    @property
    def oid(self):
        return self.sha

    def __repr__(self):
        return f"CommitInfo(sha={self.sha!r}, url={self.url!r}, files={len(self.files)})"


def _hub(endpoint, token):
    return _hfds.Hub(os.fspath(endpoint) if endpoint is not None else None, token)


def _urls(hub, repo_id, sha):
    if hub.remote:
        repo = f"{hub.base}/datasets/{repo_id}"
        return f"{repo}/commit/{sha}", repo
    repo = "file://" + os.path.abspath(os.path.join(hub.base, "datasets", repo_id + ".git"))
    return f"{repo}#{sha}", repo


def _commit_info(hub, repo_id, sha, splits=None):
    url, repo_url = _urls(hub, repo_id, sha)
    return CommitInfo(sha, url, repo_url, [p for p, _ in hub.files(repo_id, sha)], splits)


def push_to_hub(data, repo_id, *, config_name="default", split=None, features=None, max_shard_size="500MB",
                private=False, token=None, endpoint=None, commit_message=None, commit_description=None,
                append=False, set_default=None, upload_workers=None, progress=True, revision=None, threads=0,
                spool_max=None):
    """Publishes ``data`` to the dataset repository ``repo_id`` as ONE commit, laid out as
    ``datasets.Dataset(Dict).push_to_hub`` lays it out (shards, README.md card merged with the
    repository's), so ``datasets.load_dataset(repo_id)`` reads it back with its features.

    ``data``: what ``write_dataset`` takes (Arrow objects, datasets.Dataset, dict rows, or a
    dict split -> data). Shards are written to a staging folder next to the hub's objects while
    the data streams in (memory: row groups in flight, not the data); each closed shard is
    uploaded while the next is written, and the commit at the end only references them;
    the commit's parent is the head that was read, so a concurrent change is re-merged, and an
    exception or Ctrl-C before the commit leaves the repository at its previous commit.
    ``append=True`` adds numbered ``{split}/batch_NNNNNN.parquet`` files instead of replacing
    the split. ``revision``: the branch to commit to (created from main when missing).
    ``upload_workers``: files uploaded in parallel to an HTTP hub (default: the library's).
    ``spool_max``: bound of the staging folder (bytes, or a size like "2GB"): the writing
    waits while the closed shards not yet uploaded hold more, so the disk used is at most
    spool_max plus the shard being written (default None: no bound, shards leave the
    staging folder as soon as they are stored).
    ``progress``: True draws one line on stderr (redrawn in place on a terminal: rows, shards,
    files committed/uploaded), False nothing, a callable gets every event (what, done, total):
    "rows", "shard" (closed), "stored" (uploaded: shards stored, shards handed over), "commit".
    Returns a CommitInfo.
    """
    if upload_workers is not None and int(upload_workers) < 1:
        raise ValueError("upload_workers must be >= 1")
    if isinstance(spool_max, int) and not isinstance(spool_max, bool):
        if spool_max < 1:
            raise ValueError("spool_max must be positive")
        spool_max = str(spool_max)
    elif spool_max is not None and not isinstance(spool_max, str):
        raise TypeError("spool_max must be a number of bytes, a size string like '2GB', or None")
    hub = _hub(endpoint, token)
    sources = {k: Source(v, features) for k, v in _splits(data, split).items()}
    callback, display = _progress.make(progress, f"hfds: {repo_id} ({config_name})")
    staging = hub.stage()
    writer = None
    ok = False
    try:
        writer = open_writer(staging, sources, max_shard_size, append, set_default, threads, isinstance(data, dict),
                             callback)
        # attached before the first write: each closed shard is uploaded while the next is written
        hub.attach(writer, repo_id, revision, bool(private), int(upload_workers or 0), callback, spool_max)
        write_splits(writer, sources, config_name)
        sha = hub.publish(writer, commit_message, commit_description)
        splits = split_info(writer, config_name, sources)
        ok = True
    finally:
        if writer is not None:
            writer.close()
        hub.unstage()
        if display is not None:
            display.close(ok)
    return _commit_info(hub, repo_id, sha, splits)


def delete_config(repo_id, config_name, *, revision=None, token=None, endpoint=None, commit_message=None,
                  commit_description=None):
    """Deletes a config's files and card entries in one commit (datasets' delete_from_hub).
    Raises hfds.errors.NotFound when neither the card nor the files know the config."""
    hub = _hub(endpoint, token)
    sha = hub.delete_config(repo_id, config_name, revision, commit_message, commit_description)
    return _commit_info(hub, repo_id, sha)


def purge(repo_id, *, revision=None, token=None, endpoint=None, commit_message=None):
    """Deletes every file but .gitattributes in one commit. Returns the CommitInfo, with
    ``deleted`` set to the number of files removed."""
    hub = _hub(endpoint, token)
    n, sha = hub.purge(repo_id, revision, commit_message)
    info = _commit_info(hub, repo_id, sha)
    info.deleted = n
    return info


def create_repo(repo_id, *, private=False, exist_ok=False, token=None, endpoint=None):
    """Creates a dataset repository; returns True when it was created (False: it existed and
    ``exist_ok`` was set). hfds.errors.AlreadyExists otherwise."""
    return _hub(endpoint, token).create_repo(repo_id, bool(private), bool(exist_ok))


def delete_repo(repo_id, *, token=None, endpoint=None):
    """Deletes a dataset repository (hfds.errors.NotFound when there is none)."""
    _hub(endpoint, token).delete_repo(repo_id)


def list_repo_files(repo_id, *, revision=None, token=None, endpoint=None):
    """Paths of every file at ``revision`` (default main)."""
    return [p for p, _ in _hub(endpoint, token).files(repo_id, revision)]


def list_repo_commits(repo_id, *, revision=None, limit=0, token=None, endpoint=None):
    """History, newest first: dicts with id, title, message, author, date (unix seconds)."""
    return _hub(endpoint, token).log(repo_id, revision, int(limit))


def create_tag(repo_id, tag, *, revision=None, tag_message=None, token=None, endpoint=None):
    """Tags ``revision`` (default main)."""
    _hub(endpoint, token).create_tag(repo_id, tag, revision, tag_message)


def create_branch(repo_id, branch, *, revision=None, token=None, endpoint=None):
    """Creates ``branch`` at ``revision`` (default main)."""
    _hub(endpoint, token).create_branch(repo_id, branch, revision)


def load(repo_id, config=None, split=None, columns=None, revision=None, endpoint=None, *, token=None, state=None):
    """Streams one split of a dataset repository: the Parquet files load_dataset would read
    for (config, split) at ``revision`` (default main; config: the card's default; split:
    "train"), one record batch per row group, read from the hub as they are consumed.

    Returns a Stream (``__arrow_c_stream__`` for pyarrow/polars/DuckDB, iteration in Python,
    ``state()``). ``state``: a previous stream's ``state()``; the stream then continues at
    the same commit after the rows already handed out (the other arguments but
    endpoint/token are taken from it).
    """
    hub = _hub(endpoint, token)
    if state is not None:
        if state.get("kind") != "hub" or state.get("repo_id") != repo_id:
            raise ValueError("state= comes from a stream over another source")
        sha, files, columns, skip = state["sha"], [tuple(f) for f in state["files"]], state["columns"], state["rows"]
        config, split = state["config"], state["split"]
    else:
        sha = hub.resolve(repo_id, revision)
        split = split or "train"
        files = hub.split_files(repo_id, sha, config, split)
        columns = list(columns) if columns is not None else None
        skip = 0
    c = hub.read_files(repo_id, sha, files, columns, int(skip))
    return Stream(c, {"kind": "hub", "repo_id": repo_id, "sha": sha, "config": config, "split": split,
                      "columns": columns, "files": [list(f) for f in files], "rows": int(skip)})
