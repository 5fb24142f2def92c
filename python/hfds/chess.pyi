from typing import Any, Callable, Optional, Sequence, Union
import os

from . import Stream

PathLike = Union[str, "os.PathLike[str]"]

def sample(paths: Union[PathLike, Sequence[PathLike]], *, sampler: str = "ply-curve", seed: int = 0,
           min_elo: float = 2000.0, subsample: float = 0.33, min_ply: int = 0, max_ply: int = 0,
           window: int = 1, batch_rows: int = 65536, limit: Optional[int] = None) -> Stream: ...
def push(paths: Union[PathLike, Sequence[PathLike]], repo_id: str, *, endpoint: Optional[PathLike] = None,
         token: Optional[str] = None, revision: Optional[str] = None, tag: Optional[str] = None,
         private: bool = False, resume: bool = False, batches: int = 3, batch_size: int = 100_000,
         train_ratio: float = 0.95, window: int = 10, threads: int = 0, sampler: str = "ply-curve",
         seed: int = 0, min_elo: float = 2000.0, subsample: float = 0.33, min_ply: int = 0,
         max_ply: int = 0, upload_workers: Optional[int] = None,
         progress: Union[bool, Callable[[str, int, int], Any]] = True) -> dict: ...
