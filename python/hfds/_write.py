"""write_dataset and read_parquet: a dataset folder (the ``hfds push --out`` layout) and
Parquet files, through the C writer and reader."""
import os

from . import _hfds, _progress
from ._data import Source
from ._stream import Stream


def _splits(data, split):
    """{split: data}: a dict (or DatasetDict) is a split -> data mapping."""
    if isinstance(data, dict):
        if split is not None:
            raise ValueError("split= is for a single dataset; a dict already names its splits")
        if not data:
            raise ValueError("no splits given")
        return dict(data)
    return {split or "train": data}


def open_writer(folder, sources, max_shard_size, append, set_default, threads, dataset_dict, progress=None):
    """A C writer for {split: Source}. The first split settles the features (given, or
    inferred from its data); the other splits are asked for the same ones. A dict of splits
    is a DatasetDict push: the config then holds exactly these splits. ``progress``: None or
    a callable(what, done, total) for the writer's events."""
    first = None
    for src in sources.values():
        if src.features is None and first is not None:
            src.features = first
        first = src.prepare()
    return _hfds.Writer(os.fspath(folder), first.to_json(), max_shard_size, bool(append), bool(set_default),
                        int(threads or 0), False, 1 if dataset_dict else -1, progress)


def write_splits(writer, sources, config_name):
    """Writes every split; on any exception (KeyboardInterrupt included) the writer is closed,
    which removes the shards it had started."""
    try:
        for split, src in sources.items():
            src.write(writer, config_name, split)
    except BaseException:
        writer.close()
        raise


def split_info(writer, config_name, splits):
    out = {}
    for split in splits:
        ex, nb, nf = writer.stats(config_name, split)
        out[split] = {"num_examples": ex, "num_bytes": nb, "num_files": nf}
    return out


def write_dataset(data, folder, *, config_name="default", split=None, features=None, max_shard_size="500MB",
                  append=False, set_default=None, threads=0, progress=False):
    """Writes ``data`` as a Hugging Face dataset folder, laid out as ``push_to_hub`` lays out
    a repository (``data/{split}-00000-of-0000N.parquet``, README.md with dataset_info and
    configs), merged into a card already in ``folder``.

    ``data``: pyarrow Table / RecordBatchReader, polars or pandas DataFrame, DuckDB relation,
    ``datasets.Dataset`` (its features are kept), an iterable of dict rows, or a dict of
    split -> any of these (a DatasetDict). ``features``: hfds.Features or datasets' Features
    (dict, object or JSON); inferred from the data when omitted. ``append=True`` adds
    ``{split}/batch_NNNNNN.parquet`` files after those already there instead of replacing
    the split. ``threads``: encoding threads (0 = all cores). ``progress``: False (the
    default) nothing, True one line on stderr (rows, shards; redrawn in place on a terminal,
    the final line only otherwise), a callable gets every event (what, done, total): "rows"
    (written to the split so far) and "shard" (shards closed so far).

    Returns {"folder": str, "splits": {split: {"num_examples", "num_bytes", "num_files"}}}.
    Raises hfds.errors.* with the C message (e.g. a batch not matching the features names the
    column).
    """
    sources = {k: Source(v, features) for k, v in _splits(data, split).items()}
    callback, display = _progress.make(progress, f"hfds: {os.fspath(folder)}")
    ok = False
    try:
        writer = open_writer(folder, sources, max_shard_size, append, set_default, threads, isinstance(data, dict),
                             callback)
        write_splits(writer, sources, config_name)
        try:
            writer.finish()
            out = {"folder": os.fspath(folder), "splits": split_info(writer, config_name, sources)}
        finally:
            writer.close()
        ok = True
        return out
    finally:
        if display is not None:
            display.close(ok)


def read_parquet(path, columns=None, *, state=None):
    """A Stream over one Parquet file (or a list of files read one after the other), one
    record batch per row group. ``columns``: top-level column names to read. ``state``: a
    previous stream's ``state()`` to continue where it stopped."""
    paths = [os.fspath(p) for p in path] if isinstance(path, (list, tuple)) else [os.fspath(path)]
    cols = list(columns) if columns is not None else None
    skip = 0
    if state is not None:
        if state.get("kind") != "parquet" or state.get("paths") != paths:
            raise ValueError("state= comes from a stream over other files")
        cols = state.get("columns")
        skip = int(state.get("rows", 0))
    c = _hfds.read_parquet(paths, cols, skip)
    return Stream(c, {"kind": "parquet", "paths": paths, "columns": cols, "rows": skip})
