"""pyarrow reference for bench/writer: builds the same table as bench_writer.c (not timed),
then times only `pq.write_table` with settings matched to hfds's defaults.

    python pyarrow_bench.py chess|flat ROWS THREADS OUT.parquet [HFDS_FILE.parquet]

Matched to hfds_pq_writer_options_init: codec (zstd level 1 / snappy), dictionary on (1 MiB
dictionary page limit), statistics on, page index on (pyarrow's default is off), 1 MiB data pages
of at most 20,000 rows, v1 data pages, ARROW:schema stored (both). Row groups: hfds cuts them at
100 MB of data (or 1,048,576 rows), pyarrow by rows only, so pyarrow gets the row count of the
first row group of HFDS_FILE, the hfds file of the same run. THREADS sets pyarrow's CPU pool (pa.set_cpu_count); pq.write_table
itself encodes the columns of a row group on one thread. Prints one JSON line like bench_writer.
"""
import json
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def chess(rows):
    r = np.arange(rows, dtype=np.int64)[:, None]
    k = np.arange(69, dtype=np.int64)[None, :]
    tok = ((r * 31 + k * 7 + (r >> 3) * k) % 13).astype(np.int8)      # one board per row
    vals = pa.array(np.repeat(tok[:, None, :], 10, axis=1).reshape(-1))  # copied 10 times
    inner = pa.ListArray.from_arrays(pa.array(np.arange(rows * 10 + 1, dtype=np.int32) * 69), vals)
    window = pa.ListArray.from_arrays(pa.array(np.arange(rows + 1, dtype=np.int32) * 10), inner)
    scalars = pa.FixedSizeListArray.from_arrays(pa.array(np.zeros(rows * 3, dtype=np.int8)), 3)
    table = pa.table({"window": window, "scalars": scalars})
    return table, "zstd", rows * (690 + 3 + 4 + 40)


def flat(rows):
    i = np.arange(rows, dtype=np.int64)
    strs = np.array([f"str{j}" for j in range(100)], dtype=object)
    c = pa.array(strs[i % 100], pa.string())
    d = pa.array((i * 7).astype(np.int32), mask=(i % 10 == 0))
    table = pa.table({"a": pa.array(i), "b": pa.array(i * 0.5), "c": c, "d": d})
    chars = sum(len(s) for s in strs) * (rows // 100) + sum(len(s) for s in strs[:rows % 100])
    return table, "snappy", rows * (8 + 8 + 4 + 4 + 4) + chars + rows // 8


def main(which, rows, threads, out, like=None):
    rows, threads = int(rows), int(threads)
    rg_rows = pq.ParquetFile(like).metadata.row_group(0).num_rows if like else None
    pa.set_cpu_count(threads)
    pa.set_io_thread_count(threads)
    table, codec, input_bytes = (chess if which == "chess" else flat)(rows)
    opts = dict(compression=codec, compression_level=1 if codec == "zstd" else None, use_dictionary=True,
                write_statistics=True, write_page_index=True, data_page_size=1 << 20,
                dictionary_pagesize_limit=1 << 20, max_rows_per_page=20000, data_page_version="1.0",
                row_group_size=rg_rows or 1048576)
    c0, t0 = time.process_time(), time.perf_counter()
    pq.write_table(table, out, **opts)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = pq.ParquetFile(out).metadata
    print(json.dumps({"case": which, "rows": rows, "threads": threads, "seconds": secs, "cpu_seconds": cpu,
                      "input_bytes": input_bytes, "row_groups": size.num_row_groups,
                      "engine": "pyarrow", "pyarrow": pa.__version__}))


if __name__ == "__main__":
    main(*sys.argv[1:])
