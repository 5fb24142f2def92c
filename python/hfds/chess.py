"""Chess positions (the chesspos format) from PGN archives, on the C samplers.

``sample`` mirrors ``hfds chess sample``: PGN files or folders (.pgn, .pgn.gz, .pgn.zst,
.pgn.bz2) go through a sampler and come back as a Stream of chesspos rows (``window``
Array2D((window, 69), int8) and ``scalars`` List(int8, length=3)), ready for
``hfds.write_dataset`` or ``hfds.push_to_hub``.
"""
import os

from . import _hfds, _progress
from ._stream import Stream


def sample(paths, *, sampler="ply-curve", seed=0, min_elo=2000.0, subsample=0.33, min_ply=0, max_ply=0,
           window=1, batch_rows=65536, limit=None):
    """Samples positions from ``paths`` (a path or a list; folders are read recursively in
    name order) with ``sampler`` "ply-curve" (default), "chesspos-v1" (the original
    generator, Python's random.seed(seed)) or "all". ``limit`` caps the positions kept.
    Returns a Stream whose ``stats`` attribute has games, positions, plies, bad_games, bytes.
    Bad moves truncate their game (they are counted in bad_games), never stop the run."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    c, stats = _hfds.chess_sample([os.fspath(p) for p in paths], sampler, int(seed), float(min_elo),
                                  float(subsample), int(min_ply), int(max_ply), int(window), int(batch_rows),
                                  int(limit or 0))
    s = Stream(c, {"kind": "chess", "rows": 0})
    s.stats = stats
    return s


def push(paths, repo_id, *, endpoint=None, token=None, revision=None, tag=None, private=False, resume=False,
         batches=3, batch_size=100_000, train_ratio=0.95, window=10, threads=0, sampler="ply-curve", seed=0,
         min_elo=2000.0, subsample=0.33, min_ply=0, max_ply=0, upload_workers=None, progress=True):
    """``hfds chess push`` as a call (hfds_chess_publish): samples ``paths`` and publishes
    ``batches`` batches of ``batch_size`` positions, ONE commit per batch adding
    ``train/batch_NNNNNN.parquet`` and ``test/batch_NNNNNN.parquet`` (the first
    ``train_ratio`` of each batch to train) and the updated card; ``tag`` tags the last commit.
    ``resume=True`` continues after the batches already in the repository (same inputs,
    sampler, seed and batch size give exactly the continuation). Returns a dict: existing,
    batches, rows_train, rows_test, sha (last commit), games, positions.

    ``upload_workers``: parallel uploads to an HTTP hub. ``progress``: as push_to_hub's (events
    "games" while sampling, "batch" after each commit). Ctrl-C stops the run within a few
    thousand positions and raises KeyboardInterrupt: the batch being written is dropped, the
    repository stays at the last batch committed, and ``resume=True`` continues from there."""
    from ._hub import _hub
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    hub = _hub(endpoint, token)
    callback, display = _progress.make(progress, f"hfds: {repo_id} chess")
    ok = False
    try:
        res = hub.chess_push([os.fspath(p) for p in paths], repo_id, revision, tag, bool(private), bool(resume),
                             int(batches), int(batch_size), float(train_ratio), int(window), int(threads), sampler,
                             int(seed), float(min_elo), float(subsample), int(min_ply), int(max_ply),
                             int(upload_workers or 0), callback)
        ok = True
    finally:
        if display is not None:
            display.close(ok)
    return res
