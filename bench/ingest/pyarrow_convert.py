"""pyarrow reference: pyarrow.json.read_json / pyarrow.csv.read_csv + pq.write_table with THREADS threads.
usage: pyarrow_convert.py jsonl|csv SRC DST THREADS"""
import sys, pyarrow as pa, pyarrow.json as pj, pyarrow.csv as pc, pyarrow.parquet as pq
fmt, src, dst, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pa.set_cpu_count(threads); pa.set_io_thread_count(threads)
t = pj.read_json(src) if fmt == "jsonl" else pc.read_csv(src)
pq.write_table(t, dst)
