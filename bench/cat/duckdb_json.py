"""DuckDB's JSON Lines export of a Parquet file, one thread: the cat benchmark's reference.
Usage: duckdb_json.py IN.parquet OUT.json [--import-only]"""
import sys

import duckdb

if "--import-only" not in sys.argv:
    con = duckdb.connect()
    con.execute("SET threads=1")
    con.execute(f"COPY (SELECT * FROM read_parquet('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT json)")
