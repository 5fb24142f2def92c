"""hfds: Hugging Face Parquet datasets written, published and streamed by a C library.

    import hfds
    hfds.write_dataset(table, "out/")                    # the push_to_hub layout, locally
    for batch in hfds.read_parquet("out/data/train-00000-of-00001.parquet"):
        ...
    pa.table(hfds.read_parquet(path))                    # no copy (Arrow PyCapsule interface)
    hfds.push_to_hub(df, "me/data", endpoint="/srv/hub") # one commit, as datasets lays it out
    pa.table(hfds.load("me/data", endpoint="/srv/hub"))  # stream a split back

Data goes in through the Arrow PyCapsule interface (pyarrow, polars, pandas, DuckDB,
datasets.Dataset) or as dict rows, and comes out as Streams with ``__arrow_c_stream__``.
pyarrow is optional: it is imported only to iterate batches in Python or to cast data whose
Arrow types differ from the features'. Errors are hfds.errors.* exceptions.
"""
from . import chess, errors
from ._features import Features
from ._hfds import version as __version__
from ._hub import (CommitInfo, create_branch, create_repo, create_tag, delete_config, delete_repo,
                   list_repo_commits, list_repo_files, load, purge, push_to_hub)
from ._stream import Stream
from ._write import read_parquet, write_dataset

__all__ = ["CommitInfo", "Features", "Stream", "chess", "create_branch", "create_repo", "create_tag",
           "delete_config", "delete_repo", "errors", "list_repo_commits", "list_repo_files", "load", "purge",
           "push_to_hub", "read_parquet", "write_dataset", "__version__"]
