"""CSV ingest judged by pyarrow.csv and DuckDB on the same seeded files: RFC 4180 quoting
(delimiters, quotes and newlines inside quotes, CRLF), a BOM, inferred types (int64,
float64, bool, string, date32, timestamp), nulls; the result loads in `datasets`; the bytes
do not depend on the thread count; broken files end in errors with their place."""
import csv
import datetime
import io
import json
import random

import duckdb
import pyarrow.csv as pc
import pyarrow.parquet as pq
import pytest
from ingest_judge import digests_per_thread_count, same

TEXTS = ["plain", "with,comma", 'say "hi"', "two\nlines", "crlf\r\ninside", "é日本😀", " padded ", "x" * 5000]


def make_csv(path, rows, rng, crlf=False, bom=False):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["id", "n", "x", "flag", "text", "day", "ts"])
    for i in range(rows):
        day = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(80000))
        ts = datetime.datetime(2000, 1, 1) + datetime.timedelta(seconds=rng.randrange(10**9), microseconds=rng.randrange(10**6))
        w.writerow([
            i,
            "" if rng.random() < 0.1 else rng.randrange(-10**15, 10**15),
            "" if rng.random() < 0.1 else repr(rng.choice([rng.random() * 1e6, -rng.random(), 1e-300, 2.5e100, 0.0])),
            "" if rng.random() < 0.1 else rng.choice(["true", "false"]),
            "" if rng.random() < 0.1 else rng.choice(TEXTS),
            "" if rng.random() < 0.1 else day.isoformat(),
            "" if rng.random() < 0.1 else ts.isoformat(sep=" "),
        ])
    data = buf.getvalue().encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


@pytest.mark.parametrize("crlf,bom", [(False, False), (True, True)])
def test_values_equal_pyarrow_and_duckdb(hfds, tmp_path, crlf, bom):
    rng = random.Random(16)
    src = tmp_path / "t.csv"
    make_csv(src, 5000, rng, crlf, bom)
    out = tmp_path / "t.parquet"
    hfds("convert", src, out, "--threads", "2", "--block-size", "64KiB")
    ours = pq.read_table(out)
    assert [str(t) for t in ours.schema.types] == ["int64", "int64", "double", "bool", "string", "date32[day]", "timestamp[us]"]
    theirs = pc.read_csv(src, convert_options=pc.ConvertOptions(
        null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False,
        column_types={"ts": "timestamp[us]"}))
    a, b = ours.to_pylist(), theirs.to_pylist()
    assert len(a) == len(b) == 5000
    for ra, rb in zip(a, b):
        assert ra.keys() == rb.keys()
        for k in ra:
            assert same(ra[k], rb[k]), (k, ra[k], rb[k])
    d_csv = duckdb.sql(f"SELECT * FROM read_csv('{src}', header=true) ORDER BY id").fetchall()
    d_pq = duckdb.sql(f"SELECT * FROM read_parquet('{out}') ORDER BY id").fetchall()
    assert len(d_csv) == len(d_pq)
    for x, y in zip(d_csv, d_pq):
        assert all(same(p, q) for p, q in zip(x, y)), (x, y)


def test_datasets_loads_the_push(hfds, tmp_path):
    import datasets
    rng = random.Random(3)
    src = tmp_path / "t.csv"
    make_csv(src, 500, rng)
    hfds("push", "--out", tmp_path / "repo", "--split", f"train={src}", "-q")
    ds = datasets.load_dataset(str(tmp_path / "repo"), split="train")
    theirs = pq.read_table(next((tmp_path / "repo" / "data").glob("*.parquet"))).to_pylist()
    assert ds.num_rows == 500
    assert ds.features["day"].dtype == "date32" and ds.features["ts"].dtype == "timestamp[us]"
    for ra, rb in zip(ds, theirs):
        assert ra == rb


def test_same_bytes_for_any_thread_count(hfds, tmp_path):
    rng = random.Random(5)
    src = tmp_path / "t.csv"
    make_csv(src, 3000, rng)
    assert len(digests_per_thread_count(hfds, src, tmp_path, "16KiB")) == 1


def test_options_delimiter_null_no_header_stdin(hfds, tmp_path):
    out = tmp_path / "o.parquet"
    hfds("convert", "-", out, "--format", "csv", "--delimiter", ";", "--null-value", "NA", "--no-header",
         input="1;NA;x\n2;2.5;NA\n")
    t = pq.read_table(out)
    assert t.schema.names == ["column0", "column1", "column2"]
    assert t.to_pylist() == [{"column0": 1, "column1": None, "column2": "x"}, {"column0": 2, "column1": 2.5, "column2": None}]
    src = tmp_path / "t.tsv"
    src.write_text("a\tb\n1\thello, world\n")
    hfds("convert", src, out)
    assert pq.read_table(out).to_pylist() == [{"a": 1, "b": "hello, world"}]


BROKEN = [
    ("unclosed", 'a,b\n1,x\n2,"never\n3,y\n', "unclosed.csv:3:3: quote never closed"),
    ("fields", "a,b\n1,x\n2,y,z\n", "fields.csv:3:1: expected 2 fields, found 3"),
    ("stray", 'a,b\n1,x"y\n', 'stray.csv:2:4: quote inside an unquoted field'),
    ("utf8", "a,b\n1,\xff\n", "utf8.csv:2:3: invalid UTF-8"),
    ("late", "a\n" + "1\n" * 1500 + "x\n", "late.csv:1502:1: expected int64 for 'a', found \"x\""),
    ("feb29", "d\n" + "2024-02-29\n" * 1500 + "2023-02-29\n",
     "feb29.csv:1502:1: expected date32 for 'd', found \"2023-02-29\" (no such date)"),
]


@pytest.mark.parametrize("name,text,needle", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_files_fail_with_their_place(hfds, tmp_path, name, text, needle):
    src = tmp_path / f"{name}.csv"
    src.write_bytes(text.encode("latin-1"))
    r = hfds("convert", src, tmp_path / "o.parquet", check=False)
    assert r.returncode != 0
    assert needle in r.stderr, r.stderr


def test_error_inside_a_quoted_field_names_its_own_line_and_column(hfds, tmp_path):
    # records with embedded newlines span lines: the place is the bad field's, not the record's start
    src = tmp_path / "q.csv"
    src.write_bytes(b"a,b\n" + b"s,1\n" * 1500 + b'"two\nlines","1x"\n')
    r = hfds("convert", src, tmp_path / "o.parquet", check=False)
    assert r.returncode != 0
    assert "q.csv:1503:8: expected int64 for 'b', found \"1x\"" in r.stderr, r.stderr
    # invalid UTF-8 on the second line of a quoted field
    src.write_bytes(b'a,b\n1,"x\ny\xff"\n')
    r = hfds("convert", src, tmp_path / "o.parquet", check=False)
    assert r.returncode != 0 and "q.csv:3:2: invalid UTF-8" in r.stderr, r.stderr


def test_header_longer_than_a_block(hfds, tmp_path):
    # 300 columns of 4000-byte names (1.2 MB) with 16 KiB blocks, features given and inferred:
    # the header is read whole, however many blocks and read chunks it spans
    names = ["c%03d_" % i + "n" * 3995 for i in range(300)]
    rows = [[str(r * 300 + i) for i in range(300)] for r in range(20)]
    src = tmp_path / "wide.csv"
    src.write_text(",".join(names) + "\n" + "".join(",".join(r) + "\n" for r in rows))
    feats = tmp_path / "f.json"
    feats.write_text(json.dumps({n: {"dtype": "int64", "_type": "Value"} for n in names}))
    out = tmp_path / "o.parquet"
    for extra in ([], ["--features", feats]):
        hfds("convert", src, out, "--block-size", "16KiB", *extra)
        t = pq.read_table(out)
        assert t.column_names == names
        assert same(t.to_pylist(), pc.read_csv(src, read_options=pc.ReadOptions(block_size=4 << 20)).to_pylist())
    # the limit is named with the option that raises it
    r = hfds("convert", src, out, "--block-size", "16KiB", "--max-line", "1MiB", check=False)
    assert r.returncode != 0
    assert "wide.csv:1: a header longer than 1048576 bytes (the limit; raise it with --max-line)" in r.stderr, r.stderr
