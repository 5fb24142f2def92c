"""2M mixed rows for the cat benchmark (issue 12), seeded: int64, float64 with 10% nulls
(full-precision random and 2-decimal prices), short strings, bool, list<string>, a struct,
timestamp[us]. Usage: gen.py ROWS OUT.parquet (written by pyarrow, snappy)."""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

n, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(12)
words = np.array(["alpha", "beta", "gamma", "delta", "knight", "rook", "e4 e5", "caf\u00e9",
                  "say \"hi\"", "tab\there", "queen", "pawn", "x", "", "\u00fcber", "long word here"])
vocab = pa.array(words)
null_x = rng.random(n) < 0.1
x = pa.array(rng.standard_normal(n) * 1000, mask=null_x)
price = pa.array(np.round(rng.random(n) * 500, 2))
name = vocab.take(pa.array(rng.integers(0, len(words), n)))
flag = pa.array(rng.random(n) < 0.5)
lens = rng.integers(0, 4, n)
offsets = pa.array(np.concatenate([[0], np.cumsum(lens)]).astype(np.int32))
tags = pa.ListArray.from_arrays(offsets, vocab.take(pa.array(rng.integers(0, len(words), int(lens.sum())))))
info = pa.StructArray.from_arrays([pa.array(rng.integers(-10**6, 10**6, n).astype(np.int32)),
                                   vocab.take(pa.array(rng.integers(0, len(words), n)))], names=["rank", "label"])
ts = pa.array(rng.integers(1_500_000_000_000_000, 1_800_000_000_000_000, n), pa.timestamp("us"))
ids = pa.array(rng.integers(-2**62, 2**62, n))
table = pa.table({"id": ids, "x": x, "price": price, "name": name, "flag": flag, "tags": tags,
                  "info": info, "ts": ts})
pq.write_table(table, path, compression="snappy", row_group_size=128 * 1024)
