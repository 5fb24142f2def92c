"""DuckDB reference: COPY (SELECT * FROM read_json|read_csv(SRC)) TO DST (FORMAT parquet) with THREADS threads.
usage: duckdb_convert.py jsonl|csv SRC DST THREADS"""
import duckdb, sys
fmt, src, dst, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
con = duckdb.connect()
con.execute(f"SET threads={threads}")
fn = "read_json" if fmt == "jsonl" else "read_csv"
con.execute(f"COPY (SELECT * FROM {fn}('{src}')) TO '{dst}' (FORMAT parquet)")
