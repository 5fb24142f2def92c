#!/usr/bin/env bash
# Bounded memory of `hfds cat`: DuckDB writes two files with the same row-group size, one
# 8x larger; the peak RSS of `hfds cat` over the large file must stay within that of the
# small file plus a small slack (memory depends on the row group, not the file).
# The large file has READER_MEM_ROWS rows of 4 columns (default 8M rows: ~330 MB of zstd
# Parquet with incompressible md5 strings; the issue's 2 GB target needs READER_MEM_ROWS=50000000,
# too slow for ctest under ASan).
# usage: reader_memory.sh HFDS_BIN SRC_DIR WORK_DIR
set -euo pipefail
hfds="$1"; src="$2"; work="$3"
rows="${READER_MEM_ROWS:-8000000}"
mkdir -p "$work"
small="$work/mem-small.parquet"; large="$work/mem-large.parquet"
cat > "$work/gen.mjs" <<JS
const { DuckDBInstance } = await import('$src/tests/node/node_modules/@duckdb/node-api/lib/index.js');
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await inst.connect();
for (const [path, n] of [['$small', $rows / 8], ['$large', $rows]]) {
  await c.run(\`COPY (SELECT i AS id, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS s,
      i * 0.5 AS d, CASE WHEN i % 7 = 0 THEN NULL ELSE [i, i + 1] END AS l
    FROM range(\${n}) t(i)) TO '\${path}' (FORMAT parquet, ROW_GROUP_SIZE 100000, COMPRESSION zstd)\`);
}
JS
[ -s "$large" ] || node "$work/gen.mjs"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"  # ASan keeps freed blocks otherwise
peak() { /usr/bin/time -f '%M' "$hfds" cat "$1" 2>&1 >/dev/null | tail -n 1; }
a=$(peak "$small"); b=$(peak "$large")
echo "peak RSS: small file ${a} KiB, large file (8x rows) ${b} KiB; large file $(stat -c %s "$large") bytes"
[ "$b" -le $(( a * 13 / 10 + 20480 )) ] || { echo "FAIL: memory grows with the file"; exit 1; }
