"""pyarrow reference for bench/reader: full scan of a Parquet file into an Arrow table.

    python pyarrow_scan.py FILE.parquet RUNS

Times `pq.read_table(FILE, use_threads=False)` (the goal's reference) and `use_threads=True`
with a 2-thread pool, in process (interpreter and import start-up excluded, one warm-up read
each), RUNS times each; prints one JSON line with the best and median wall times and the CPU
time of the best single-threaded run.
"""
import json
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq


def timed(path, threads, runs):
    pq.read_table(path, use_threads=threads)
    walls, cpus = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        t = pq.read_table(path, use_threads=threads)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        del t
    best = min(range(runs), key=walls.__getitem__)
    return walls[best], statistics.median(walls), cpus[best]


def main(path, runs):
    runs = int(runs)
    pa.set_cpu_count(2)
    pa.set_io_thread_count(2)
    b1, m1, c1 = timed(path, False, runs)
    b2, m2, _ = timed(path, True, runs)
    print(json.dumps({"file": path, "engine": "pyarrow", "pyarrow": pa.__version__, "t1_best": b1, "t1_median": m1,
                      "t1_cpu": c1, "t2_best": b2, "t2_median": m2}))


if __name__ == "__main__":
    main(*sys.argv[1:])
