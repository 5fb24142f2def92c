"""`hfds cat` JSON Lines (issue 12) judged by Python: every double prints as the shortest
decimal that reads back, the one Python's repr picks (float32 as numpy's shortest); rows equal
pyarrow's to_pylist (strings with every escape, non-ASCII, extreme integers, nested nulls,
timestamps as isoformat); and the values equal DuckDB's own JSON export of the same file,
key order included (what differs is layout: see bench/cat/README.md)."""
import base64
import json
import math
from datetime import datetime
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def cat_lines(hfds, path, *args):
    r = hfds("cat", path, *args)
    return r.stdout.splitlines()


def special_doubles():
    vals = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
            0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, 1e21, 1e21 * (1 - 2**-52), 1e-7, 1e-6, 0.000001234, 123456789.125,
            2.0**53, 2.0**53 + 2, 2.0**54, 9007199254740993.0, 4.35, 0.5e-323, 1e23, 8.41e21, 5e-310, 1e-5, 2.5]
    vals += [2.0**e for e in range(-1074, 1024, 7)] + [10.0**e for e in range(-323, 309)]
    vals += [float(f"{m}e{e}") for m in (1, 9, 123, 4999, 5001) for e in range(-20, 25)]
    return vals


def test_doubles_are_python_shortest(hfds, tmp_path):
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 2**63, 60000, dtype=np.uint64) | (rng.integers(0, 2, 60000, dtype=np.uint64) << np.uint64(63))
    rand = [v for v in bits.view(np.float64).tolist() if math.isfinite(v)]
    vals = (special_doubles() + rand + (rng.standard_normal(40000) * 1000).tolist()
            + np.round(rng.random(40000) * 500, 2).tolist() + (rng.random(20000) * 1e-300).tolist())
    f32 = np.concatenate([rng.random(20000).astype(np.float32) * np.float32(1000),
                          rng.integers(0, 2**31, 20000, dtype=np.uint32).view(np.float32)])
    f32 = np.where(np.isfinite(f32), f32, np.float32(1.5))[: len(vals)]
    f32 = np.resize(f32, len(vals))
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"d": pa.array(vals, pa.float64()), "f": pa.array(f32, pa.float32())}), path)
    lines = cat_lines(hfds, path)
    assert len(lines) == len(vals)
    for line, v, f in zip(lines, vals, f32.tolist()):
        row = json.loads(line, parse_float=str, parse_int=str)
        text = row["d"]
        assert Decimal(text) == Decimal(repr(v)), (text, repr(v))
        assert float(text) == v and math.copysign(1, float(text)) == math.copysign(1, v)
        assert ("e" in text) == (abs(v) >= 1e21 or (v != 0 and abs(v) < 1e-6)), text  # Number#toString layout
        assert Decimal(row["f"]) == Decimal(str(np.float32(f))), (row["f"], np.float32(f))


def test_non_finite_are_strings(hfds, tmp_path):
    path = tmp_path / "n.parquet"
    pq.write_table(pa.table({"d": [math.nan, math.inf, -math.inf, None]}), path)
    assert cat_lines(hfds, path) == ['{"d": "NaN"}', '{"d": "Infinity"}', '{"d": "-Infinity"}', '{"d": null}']


def mixed_table(n):
    rng = np.random.default_rng(5)
    words = ["plain", "", "say \"hi\"", "back\\slash", "tab\there", "nl\nx", "\x01\x1f\x7f", "café",
             "\u20ac \U0001F600", "a much longer string that crosses several eight-byte words \t and ends"]
    pick = lambda k: [words[i] for i in rng.integers(0, len(words), k)]
    ints = rng.integers(-2**62, 2**62, n).tolist()
    ints[:4] = [-2**63, 2**63 - 1, 0, -1]
    x = (rng.standard_normal(n) * 1000).tolist()
    tags = [pick(int(k)) if k < 4 else None for k in rng.integers(0, 5, n)]
    for i in range(0, n, 7):
        if tags[i]:
            tags[i][0] = None
    info = [{"rank": int(r), "label": s if r % 3 else None} if r % 11 else None
            for r, s in zip(rng.integers(-10**6, 10**6, n), pick(n))]
    return pa.table({
        "id": pa.array(ints, pa.int64()),
        "u": pa.array([2**64 - 1, 0] + rng.integers(0, 2**63, n - 2).tolist(), pa.uint64()),
        "x": pa.array([None if i % 10 == 3 else v for i, v in enumerate(x)], pa.float64()),
        "name": pick(n),
        "flag": pa.array([None if i % 13 == 0 else bool(b) for i, b in enumerate(rng.integers(0, 2, n))]),
        "tags": pa.array(tags, pa.list_(pa.string())),
        "info": pa.array(info, pa.struct([("rank", pa.int32()), ("label", pa.string())])),
        "ts": pa.array(rng.integers(-2 * 10**15, 4 * 10**15, n), pa.timestamp("us")),
        "day": pa.array(rng.integers(-10**5, 10**5, n).astype(np.int32), pa.date32()),
    })


def canonical(v):
    """pyarrow's Python value as the canonical row format writes it."""
    if isinstance(v, dict):
        return {k: canonical(x) for k, x in v.items()}
    if isinstance(v, list):
        return [canonical(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    return v


def test_rows_equal_pyarrow(hfds, tmp_path):
    table = mixed_table(30000)
    path = tmp_path / "m.parquet"
    pq.write_table(table, path, row_group_size=7000)
    lines = cat_lines(hfds, path)
    want = table.to_pylist()
    assert len(lines) == len(want)
    for i, (line, row) in enumerate(zip(lines, want)):
        got = json.loads(line)
        assert list(got) == list(row), i
        assert got == canonical(row), (i, line)
    # the same rows in slices (--limit) and projected: the formatter restarts mid-batch
    assert cat_lines(hfds, path, "--limit", "7001", "--columns", "info,name") == \
        [json.dumps({"info": canonical(r["info"]), "name": r["name"]}, ensure_ascii=False) for r in want[:7001]]


def test_values_equal_duckdb(hfds, tmp_path):
    table = mixed_table(20000).drop_columns(["u"])  # DuckDB prints UBIGINT the same; keep the file plain
    path = tmp_path / "m.parquet"
    pq.write_table(table, path)
    con = duckdb.connect()
    con.execute("SET threads=1")
    con.execute(f"COPY (SELECT * FROM read_parquet('{path}')) TO '{tmp_path / 'd.json'}' (FORMAT json)")
    duck = (tmp_path / "d.json").read_text(encoding="utf-8").splitlines()
    ours = cat_lines(hfds, path)
    assert len(duck) == len(ours)
    for i, (a, b) in enumerate(zip(ours, duck)):
        ra, rb = json.loads(a, parse_float=Decimal), json.loads(b, parse_float=Decimal)
        assert list(ra) == list(rb), i
        # DuckDB writes "2093-01-27 05:46:41.70543" where isoformat (and we) write
        # "2093-01-27T05:46:41.705430": the same instant
        assert datetime.fromisoformat(ra.pop("ts")) == datetime.fromisoformat(rb.pop("ts")), i
        assert ra == rb, (i, a, b)


def test_rows_before_a_bad_row_group_are_printed(hfds, tmp_path):
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"i": pa.array(range(3000), pa.int64()), "s": [f"row {i}" for i in range(3000)]}), path,
                   row_group_size=1000, compression="none")
    off = pq.ParquetFile(path).metadata.row_group(2).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[off:off + 16] = b"\xff" * 16  # the third row group's first page header
    path.write_bytes(bytes(data))
    r = hfds("cat", path, check=False)
    assert r.returncode != 0 and "page header" in r.stderr, r.stderr
    lines = r.stdout.splitlines(keepends=True)
    assert len(lines) == 2000 and all(line.endswith("\n") for line in lines)
    assert [json.loads(line)["i"] for line in lines] == list(range(2000))
