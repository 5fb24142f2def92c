"""Helpers shared by the ingest judges (test_ingest_jsonl.py, test_ingest_csv.py)."""
import hashlib
import math


def same(a, b):
    """Value equality as the judges mean it: NaN equals NaN, -0.0 differs from 0.0, types match."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b)


def digests_per_thread_count(hfds, src, tmp_path, block):
    """sha256 of `hfds convert src` with 1, 2 and 3 threads (small blocks, so many batches)."""
    sums = set()
    for t in (1, 2, 3):
        out = tmp_path / f"t{t}.parquet"
        hfds("convert", src, out, "--threads", t, "--block-size", block)
        sums.add(hashlib.sha256(out.read_bytes()).hexdigest())
    return sums
