"""pyarrow reference for bench/reader: full scan of a Parquet file into an Arrow table.

    python pyarrow_scan.py FILE.parquet RUNS

Times `pq.read_table(FILE, use_threads=False)` (the goal's reference) and `use_threads=True`
with a 2-thread pool, in process (interpreter and import start-up excluded, one warm-up read
each), RUNS times each; prints one JSON line with the best and median wall times, the CPU
time of the best single-threaded run, how many threads did that run's work (`t1_busy_threads`:
threads with >= 10% of its CPU time; pyarrow's use_threads=False still decodes on its I/O
thread pool, which is set to 2 threads here like the CPU pool) and the CPU time of the busiest
thread (`*_max_thread_cpu`, a lower bound of the wall time that a loaded machine keeps).
"""
import json
import os
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq


def thread_cpu():
    """CPU seconds per thread of this process (Linux /proc)."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[tid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def timed(path, threads, runs):
    pq.read_table(path, use_threads=threads)
    walls, cpus, busy = [], [], []
    for _ in range(runs):
        before = thread_cpu()
        c0, t0 = time.process_time(), time.perf_counter()
        t = pq.read_table(path, use_threads=threads)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        per = [v - before.get(k, 0) for k, v in thread_cpu().items()]
        busy.append((sum(1 for v in per if v >= 0.1 * max(sum(per), 1e-9)), max(per)))
        del t
    best = min(range(runs), key=walls.__getitem__)
    return walls[best], statistics.median(walls), cpus[best], busy[best]


def main(path, runs):
    runs = int(runs)
    pa.set_cpu_count(2)
    pa.set_io_thread_count(2)
    b1, m1, c1, (n1, x1) = timed(path, False, runs)
    b2, m2, c2, (_, x2) = timed(path, True, runs)
    print(json.dumps({"file": path, "engine": "pyarrow", "pyarrow": pa.__version__, "t1_best": b1, "t1_median": m1,
                      "t1_cpu": c1, "t1_busy_threads": n1, "t1_max_thread_cpu": x1, "t2_best": b2, "t2_median": m2,
                      "t2_cpu": c2, "t2_max_thread_cpu": x2}))


if __name__ == "__main__":
    main(*sys.argv[1:])
