#!/usr/bin/env python3
"""`hfds convert` round trips, judged by DuckDB: every corpus file hfds reads is converted and
DuckDB's rows of the output must equal DuckDB's rows of the input (arrow-rs's where DuckDB
cannot read the input). JSON Lines input is converted with and without --features.
Files the hfds writer cannot take (Arrow types it does not write yet) are listed in SKIP.

usage: reader_convert.py HFDS_BIN SHARED_DIR SRC_DIR WORK_DIR
"""
import glob, json, os, subprocess, sys

HFDS, SHARED, SRC, WORK = sys.argv[1:5]
DATA = os.path.join(SHARED, "testdata/parquet-testing/data")
JUDGE = os.path.join(SRC, "tests/node/judge.mjs")
os.makedirs(WORK, exist_ok=True)

NOT_READ = {"large_string_map.brotli.parquet", "nation.dict-malformed.parquet",
            "datapage_v1-corrupt-checksum.parquet", "rle-dict-uncompressed-corrupt-checksum.parquet"}
SKIP = {  # the writer may still refuse these Arrow types (decimal, map, null): then skipped
    "byte_array_decimal.parquet": "decimal", "byte_stream_split_extended.gzip.parquet": "decimal",
    "fixed_length_decimal.parquet": "decimal", "fixed_length_decimal_legacy.parquet": "decimal",
    "int32_decimal.parquet": "decimal", "int64_decimal.parquet": "decimal",
    "incorrect_map_schema.parquet": "map", "map_no_value.parquet": "map", "nested_maps.snappy.parquet": "map",
    "nonnullable.impala.parquet": "map", "nullable.impala.parquet": "map", "null_list.parquet": "null type",
}
ARROW_IN = {"hadoop_lz4_compressed.parquet", "hadoop_lz4_compressed_larger.parquet", "non_hadoop_lz4_compressed.parquet",
            # DuckDB refuses these inputs (BYTE_STREAM_SPLIT on FLBA; a MAP without a value field)
            "byte_stream_split_extended.gzip.parquet", "map_no_value.parquet"}
# INT96 -> timestamp[ns]: readers disagree on INT96 values outside the int64-nanosecond range
# (rows 2 and 5; see reader_conformance.py), so only the in-range rows are compared.
ROWS = {"int96_from_spark.parquet": [0, 1, 3, 4]}

def rows(reader, path):
    r = subprocess.run(["node", JUDGE, "--reader", reader, path], capture_output=True, text=True, timeout=300)
    if r.returncode:
        raise RuntimeError(r.stderr.strip()[:300])
    return r.stdout

failures, done, skipped = [], 0, []
for path in sorted(glob.glob(os.path.join(DATA, "*.parquet")) + glob.glob(os.path.join(DATA, "*/*.parquet"))):
    base = os.path.basename(path)
    if base in NOT_READ:
        continue
    out = os.path.join(WORK, "conv.parquet")
    r = subprocess.run([HFDS, "convert", path, out], capture_output=True, text=True, timeout=300)
    if base in SKIP and r.returncode and "unsupported" in r.stderr:
        skipped.append(base)
        continue
    if r.returncode:
        failures.append(f"{base}: convert failed: {r.stderr.strip()}")
        continue
    if base in ROWS:
        a, b = rows("duckdb", path).splitlines(), rows("duckdb", out).splitlines()
        for i in ROWS[base]:
            if json.loads(a[i]) != json.loads(b[i]):
                failures.append(f"{base}: row {i}: {a[i]} != {b[i]}")
        done += 1
        continue
    try:
        expected = os.path.join(WORK, "expected.jsonl")
        with open(expected, "w") as fh:
            fh.write(rows("arrow" if base in ARROW_IN else "duckdb", path))
        reader = "duckdb"
        c = subprocess.run(["node", JUDGE, "--compare", expected, out, "--readers", reader],
                           capture_output=True, text=True, timeout=300)
        if c.returncode:
            failures.append(f"{base}: {(c.stdout + c.stderr).strip()[:400]}")
        # and the hfds reader reads the hfds writer's file like the reference does
        mine = os.path.join(WORK, "mine.jsonl")
        with open(mine, "w") as fh:
            r = subprocess.run([HFDS, "cat", out], stdout=fh, stderr=subprocess.PIPE, text=True)
        c = subprocess.run(["node", JUDGE, "--compare", mine, out, "--readers", reader],
                           capture_output=True, text=True, timeout=300)
        if r.returncode or c.returncode:
            failures.append(f"{base}: hfds cat of the converted file: {r.stderr.strip()} {(c.stdout + c.stderr).strip()[:300]}")
        done += 1
    except RuntimeError as e:
        failures.append(f"{base}: reference read failed: {e}")

# JSON Lines in: inferred types, and explicit features
jl = os.path.join(WORK, "in.jsonl")
with open(jl, "w") as fh:
    for i in range(2500):
        fh.write(json.dumps({"id": i, "name": f"n{i}" if i % 5 else None, "score": i / 4,
                             "tags": [f"t{j}" for j in range(i % 3)], "pt": {"x": i, "ok": i % 2 == 0}}) + "\n")
feats = os.path.join(WORK, "features.json")
with open(feats, "w") as fh:
    json.dump({"id": {"dtype": "int32", "_type": "Value"}, "name": {"dtype": "string", "_type": "Value"},
               "score": {"dtype": "float32", "_type": "Value"},
               "tags": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"},
               "pt": {"x": {"dtype": "int64", "_type": "Value"}, "ok": {"dtype": "bool", "_type": "Value"}}}, fh)
for args in ([], ["--features", feats, "--codec", "zstd", "--page-version", "2"]):
    out = os.path.join(WORK, "jsonl.parquet")
    r = subprocess.run([HFDS, "convert", jl, out] + args, capture_output=True, text=True)
    if r.returncode:
        failures.append(f"jsonl {args}: {r.stderr.strip()}")
        continue
    c = subprocess.run(["node", JUDGE, "--compare", jl, out, "--readers", "duckdb,arrow"], capture_output=True, text=True)
    if c.returncode:
        failures.append(f"jsonl {args}: {(c.stdout + c.stderr).strip()[:400]}")
    kv = json.loads(subprocess.run(["node", JUDGE, "--kv", out], capture_output=True, text=True).stdout)
    if "huggingface" not in kv:
        failures.append(f"jsonl {args}: no huggingface metadata")
    elif args and json.loads(kv["huggingface"])["info"]["features"]["id"]["dtype"] != "int32":
        failures.append(f"jsonl {args}: features not applied: {kv['huggingface']}")
    done += 1

print(f"{done} conversions checked, {len(failures)} failures; refused by the writer: {skipped}")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
