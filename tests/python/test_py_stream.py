"""hfds.Stream (issue 13): batches read by the C reader reach pyarrow, polars and DuckDB through
__arrow_c_stream__, Python iteration gives batches or rows, and a stream re-opened from
`.state()` continues exactly where the first one stopped. Errors are hfds.errors classes
carrying the C message with its place."""
import json
import os

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfds


@pytest.fixture
def files(tmp_path):
    """Three Parquet files written by pyarrow (the reference writer), 7 row groups each."""
    out = []
    for k in range(3):
        n = 7000
        t = pa.table({"i": pa.array(range(k * n, (k + 1) * n), pa.int64()),
                      "s": [f"v{j}" for j in range(k * n, (k + 1) * n)],
                      "l": [[j, j] for j in range(n)]})
        p = tmp_path / f"f{k}.parquet"
        pq.write_table(t, p, row_group_size=1000)
        out.append(str(p))
    return out


def expected(files, columns=None):
    return pa.concat_tables(pq.read_table(f, columns=columns) for f in files)


def test_consumers(files):
    want = expected(files)
    got = pa.table(hfds.read_parquet(files))
    assert got.to_pylist() == want.to_pylist()
    reader = pa.RecordBatchReader.from_stream(hfds.read_parquet(files, columns=["s", "i"]))
    assert reader.schema.names == ["s", "i"]
    assert reader.read_all().to_pylist() == expected(files, ["s", "i"]).to_pylist()
    df = pl.DataFrame(hfds.read_parquet(files))
    assert df.equals(pl.from_arrow(want))
    stream = hfds.read_parquet(files)
    rel = duckdb.sql("select count(*), sum(i), max(s) from stream")
    assert rel.fetchall()[0] == (21000, sum(range(21000)), max(want.column("s").to_pylist()))


def test_iteration_batches_and_rows(files):
    s = hfds.read_parquet(files[0])
    batches = list(s)
    assert [b.num_rows for b in batches] == [1000] * 7
    assert all(isinstance(b, pa.RecordBatch) for b in batches)
    rows = list(hfds.read_parquet(files[1], columns=["i"]).iter_rows())
    assert rows == [{"i": j} for j in range(7000, 14000)]


def test_stream_exports_once(files):
    s = hfds.read_parquet(files[0])
    pa.table(s)
    with pytest.raises(hfds.errors.StateError, match="already exported"):
        pa.table(s)


@pytest.mark.parametrize("take", [0, 3, 7, 8, 20, 21])
def test_resume_after_batches(files, take):
    want = expected(files).to_pylist()
    s = hfds.read_parquet(files)
    it = iter(s)
    first = [next(it) for _ in range(take)]
    state = json.loads(json.dumps(s.state()))  # plain values: it can be stored anywhere
    s.close()
    rest = list(hfds.read_parquet(files, state=state))
    rows = [r for b in first + rest for r in b.to_pylist()]
    assert rows == want


def test_resume_inside_a_row_group(files):
    want = expected(files).to_pylist()
    s = hfds.read_parquet(files)
    rows = []
    for r in s.iter_rows():
        rows.append(r)
        if len(rows) == 8123:
            break
    state = s.state()
    assert state["rows"] == 8123
    resumed = hfds.read_parquet(files, state=state)
    rows += [r for b in resumed for r in b.to_pylist()]
    assert rows == want


def test_errors_carry_the_place(tmp_path, files):
    with pytest.raises(hfds.errors.NotFound) as e:
        hfds.read_parquet(tmp_path / "missing.parquet")
    assert "missing.parquet" in str(e.value) and e.value.code == -7
    assert isinstance(e.value, LookupError)
    data = open(files[0], "rb").read()
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(data[:200] + data[-8:])  # footer length points before the file start
    with pytest.raises(hfds.errors.CorruptInput, match="bad.parquet"):
        pa.table(hfds.read_parquet(bad))
    with pytest.raises(hfds.errors.NotFound, match="nope"):
        hfds.read_parquet(files[0], columns=["nope"])
    with pytest.raises(hfds.errors.ParseError, match=r"line 1|1:"):
        hfds.Features('{"a": {"dtype": "int8", "_type": "Value"')
