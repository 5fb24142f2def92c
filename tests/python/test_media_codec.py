"""Binary (media) columns keep the file's codec only where it pays, per column chunk.

FLAC, MP3 or JPEG bytes do not compress: snappy over them costs a pass and saves nothing, so
a chunk whose first bytes do not shrink by ~3% is written UNCOMPRESSED (parquet takes a codec
per column chunk), while compressible binaries (MIDI, raw PCM, text-like blobs) keep snappy.
The choice depends on the data alone. Judged by pyarrow's metadata; the values by pyarrow,
DuckDB and datasets.
"""
import base64
import hashlib
import json

import duckdb
import pyarrow.parquet as pq

ROWS = 120
BLOCK = 20          # "mixed" alternates noise / pattern every BLOCK rows
VALUE = 40_000      # bytes per value: the 64 KiB probe sees a row group's first two values


def noise(i):
    """Incompressible, deterministic bytes (like FLAC or JPEG data)."""
    out = bytearray()
    k = 0
    while len(out) < VALUE:
        out += hashlib.sha256(b"%d:%d" % (i, k)).digest()
        k += 1
    return bytes(out[:VALUE])


def pattern(i):
    """Compressible bytes (like MIDI events or silence in raw PCM)."""
    unit = b"MThd\x00\x00\x00\x06" + bytes([i % 7]) * 24 + b"MTrk"
    return (unit * (VALUE // len(unit) + 1))[:VALUE]


def mixed(i):
    return noise(i) if (i // BLOCK) % 2 == 0 else pattern(i)


def rows():
    return [{"id": i, "noise": noise(i), "pattern": pattern(i), "mixed": mixed(i)} for i in range(ROWS)]


def write_input(tmp_path):
    feats = {"id": {"dtype": "int64", "_type": "Value"}}
    for c in ("noise", "pattern", "mixed"):
        feats[c] = {"dtype": "binary", "_type": "Value"}
    (tmp_path / "f.json").write_text(json.dumps(feats))
    with open(tmp_path / "in.jsonl", "w") as f:
        for r in rows():
            f.write(json.dumps({k: base64.b64encode(v).decode() if isinstance(v, bytes) else v
                                for k, v in r.items()}) + "\n")


def codecs(path, column):
    md = pq.ParquetFile(path).metadata
    names = [md.schema.column(j).path for j in range(md.num_columns)]
    j = names.index(column)
    first, out = 0, []
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        out.append((first, rg.column(j).compression))
        first += rg.num_rows
    return out


def test_codec_per_chunk_from_the_data(hfds, tmp_path):
    write_input(tmp_path)
    out = tmp_path / "out.parquet"
    hfds("convert", tmp_path / "in.jsonl", out, "--features", tmp_path / "f.json",
         "--block-size", "1MB", "--row-group-size", "1MB", "--threads", "2")
    groups = codecs(out, "mixed")
    assert len(groups) >= 4, groups
    assert {c for _, c in codecs(out, "noise")} == {"UNCOMPRESSED"}
    assert {c for _, c in codecs(out, "pattern")} == {"SNAPPY"}
    assert {c for _, c in codecs(out, "id")} == {"SNAPPY"}
    # "mixed": each chunk by its own first values (both in one block: the probe's 64 KiB)
    seen = set()
    for first, c in groups:
        if first // BLOCK != (first + 1) // BLOCK:
            continue
        want = "UNCOMPRESSED" if (first // BLOCK) % 2 == 0 else "SNAPPY"
        assert c == want, (first, c, groups)
        seen.add(c)
    assert seen == {"UNCOMPRESSED", "SNAPPY"}, groups
    # a compressible chunk is really smaller, an incompressible one is stored as it is
    md = pq.ParquetFile(out).metadata
    for g in range(md.num_row_groups):
        for j in range(md.num_columns):
            col = md.row_group(g).column(j)
            if col.compression == "UNCOMPRESSED":
                assert col.total_compressed_size == col.total_uncompressed_size
            elif col.path_in_schema == "pattern":
                assert col.total_compressed_size < col.total_uncompressed_size // 4

    # the values, by three readers
    want = rows()
    t = pq.read_table(out)
    assert t.to_pylist() == want
    con = duckdb.connect()
    got = con.execute(f"SELECT id, noise, pattern, mixed FROM read_parquet('{out}') ORDER BY id").fetchall()
    assert [dict(zip(("id", "noise", "pattern", "mixed"), r)) for r in got] == want
    import datasets
    ds = datasets.load_dataset("parquet", data_files=str(out), split="train",
                               cache_dir=str(tmp_path / "cache"))
    assert ds[0]["noise"] == want[0]["noise"] and ds[ROWS - 1]["mixed"] == want[ROWS - 1]["mixed"]
    assert ds[BLOCK]["mixed"] == want[BLOCK]["mixed"]


def test_same_bytes_on_any_thread_count(hfds, tmp_path):
    write_input(tmp_path)
    digests = set()
    for threads in ("1", "2", "3"):
        out = tmp_path / f"t{threads}.parquet"
        hfds("convert", tmp_path / "in.jsonl", out, "--features", tmp_path / "f.json",
             "--block-size", "1MB", "--row-group-size", "1MB", "--threads", threads)
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_explicit_codec_none(hfds, tmp_path):
    write_input(tmp_path)
    out = tmp_path / "none.parquet"
    hfds("convert", tmp_path / "in.jsonl", out, "--features", tmp_path / "f.json", "--codec", "none")
    for c in ("noise", "pattern", "mixed", "id"):
        assert {k for _, k in codecs(out, c)} == {"UNCOMPRESSED"}, c
    assert pq.read_table(out).to_pylist() == rows()
