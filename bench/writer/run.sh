#!/usr/bin/env bash
# Writer benchmarks (issues 2, 9): hfds vs DuckDB and pyarrow writing the same in-memory table,
# same codec (pyarrow_bench.py says which pyarrow settings are matched to hfds's defaults).
#  (a) chess: CHESS_ROWS (default 1,000,000) chesspos rows, zstd
#  (b) flat:  FLAT_ROWS (default 10,000,000) rows of int64, float64, short string, int32 w/ 10% nulls, snappy
# Both sides build the table in memory first and time only the write (bench_writer.c /
# duckdb_bench.mjs print their own timings: hyperfine would also time the data generation,
# which both sides do in-process), at threads=1 and threads=2; hfds runs REPEAT (5) times (best
# kept), DuckDB once per thread count (it is slow on (a)), pyarrow PY_REPEAT (3) times. Process
# CPU time is recorded too: on a shared machine it is the steadier single-thread figure. Peak RSS of the hfds process comes
# from /usr/bin/time -v (logs kept). Results: $HFDS_BENCH_OUT/writer.jsonl and a summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${HFDS_BENCH_OUT:-$root/bench/out/writer}
mkdir -p "$out"
chess_rows=${CHESS_ROWS:-1000000}
flat_rows=${FLAT_ROWS:-10000000}
repeat=${REPEAT:-5}
py_repeat=${PY_REPEAT:-3}
py=${HFDS_PYTHON:-$root/tests/python/.venv/bin/python}
tmp=${TMPDIR:-/tmp}/hfds-bench-writer
mkdir -p "$tmp"

# Release libraries: those of the release build next to HFDS_BIN, else our own build.
libdir=$(dirname "${HFDS_BIN:-$root/build/hfds}")
if [ ! -f "$libdir/libhfds_parquet.a" ]; then
  libdir=$root/build-wbench
  cmake -S "$root" -B "$libdir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFDS_TESTS=OFF >/dev/null
  cmake --build "$libdir" --target hfds_parquet -j2 >/dev/null
fi
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -I"$root/src" "$root/bench/writer/bench_writer.c" \
  "$libdir/libhfds_parquet.a" "$libdir/libhfds_arrow.a" "$libdir/libhfds_util.a" \
  $(pkg-config --libs libzstd liblz4 snappy libbrotlienc libbrotlidec zlib libcrypto jansson) \
  -lstdc++ -lpthread -lm -o "$tmp/bench_writer"

# Dictionary index width per codec (tight vs byte-aligned indices, see bench_dictwidth.c).
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -I"$root/src" "$root/bench/writer/bench_dictwidth.c" \
  "$libdir/libhfds_parquet.a" "$libdir/libhfds_util.a" \
  $(pkg-config --libs libzstd liblz4 snappy libbrotlienc libbrotlidec zlib libcrypto) \
  -lstdc++ -lpthread -lm -o "$tmp/bench_dictwidth"
"$tmp/bench_dictwidth" | tee "$out/dictwidth.txt"

res=$out/writer.jsonl
: > "$res"
for spec in "chess $chess_rows" "flat $flat_rows"; do
  set -- $spec
  name=$1 rows=$2
  for t in 1 2; do
    for i in $(seq "$repeat"); do
      tv=$out/hfds_${name}_t${t}_$i.time
      # every run writes a new file with no writeback pending: removing or overwriting the
      # previous run's synced file (freeing its blocks) would be timed, its writeback would take a core
      rm -f "$tmp/hfds_$name.parquet" && sync
      /usr/bin/time -v -o "$tv" "$tmp/bench_writer" "$name" "$rows" "$t" "$tmp/hfds_$name.parquet" > "$tmp/run.json"
      rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$tv")
      sed "s/}\$/, \"engine\": \"hfds\", \"peak_rss_kb\": $rss}/" "$tmp/run.json" | tee -a "$res"
    done
    rm -f "$tmp/duckdb_$name.parquet" && sync
    node "$root/bench/writer/duckdb_bench.mjs" "$name" "$rows" "$t" "$tmp/duckdb_$name.parquet" | tee -a "$res"
    for i in $(seq "$py_repeat"); do
      rm -f "$tmp/pyarrow_$name.parquet" && sync
      "$py" "$root/bench/writer/pyarrow_bench.py" "$name" "$rows" "$t" "$tmp/pyarrow_$name.parquet" \
        "$tmp/hfds_$name.parquet" | tee -a "$res"
    done
  done
done
ls -l "$tmp"/*.parquet | awk '{print $5, $9}' > "$out/file_sizes.txt"

node - "$res" <<'JS'
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
for (const c of ['chess', 'flat']) {
  const best = (e, t) => Math.min(...rows.filter(r => r.case === c && r.engine === e && r.threads === t).map(r => r.seconds));
  const d1 = best('duckdb', 1), d2 = best('duckdb', 2), h1 = best('hfds', 1), h2 = best('hfds', 2);
  const any = rows.find(r => r.case === c && r.engine === 'hfds');
  const rss = Math.max(...rows.filter(r => r.case === c && r.engine === 'hfds').map(r => r.peak_rss_kb));
  const mem = rows.filter(r => r.case === c && r.engine === 'hfds').map(r => r.memcpy_seconds);
  console.log(`${c}: rows ${any.rows}, input ${(any.input_bytes / 1e6).toFixed(0)} MB`);
  console.log(`  duckdb  t=1 ${d1.toFixed(3)} s   t=2 ${d2.toFixed(3)} s`);
  console.log(`  hfds    t=1 ${h1.toFixed(3)} s (${(any.input_bytes / h1 / 1e6).toFixed(0)} MB/s)   t=2 ${h2.toFixed(3)} s (${(any.input_bytes / h2 / 1e6).toFixed(0)} MB/s)`);
  const median = t => {
    const v = rows.filter(r => r.case === c && r.engine === 'hfds' && r.threads === t).map(r => r.seconds).sort((a, b) => a - b);
    return v[(v.length - 1) >> 1];
  };
  console.log(`  hfds median of ${rows.filter(r => r.case === c && r.engine === 'hfds' && r.threads === 1).length} runs: t=1 ${median(1).toFixed(3)} s   t=2 ${median(2).toFixed(3)} s (${(any.input_bytes / median(2) / 1e6).toFixed(0)} MB/s)`);
  console.log(`  speedup vs duckdb t=1: hfds t=1 ${(d1 / h1).toFixed(2)}x, hfds t=2 ${(d1 / h2).toFixed(2)}x; vs duckdb t=2: hfds t=2 ${(d2 / h2).toFixed(2)}x`);
  const p1 = best('pyarrow', 1), p2 = best('pyarrow', 2);
  const cpu = (e, t) => Math.min(...rows.filter(r => r.case === c && r.engine === e && r.threads === t).map(r => r.cpu_seconds));
  console.log(`  pyarrow t=1 ${p1.toFixed(3)} s (cpu ${cpu('pyarrow', 1).toFixed(3)} s)   t=2 ${p2.toFixed(3)} s; hfds t=1 cpu ${cpu('hfds', 1).toFixed(3)} s`);
  console.log(`  speedup vs pyarrow t=1: hfds t=1 ${(p1 / h1).toFixed(2)}x (cpu ${(cpu('pyarrow', 1) / cpu('hfds', 1)).toFixed(2)}x), hfds t=2 ${(p1 / h2).toFixed(2)}x; vs pyarrow t=2: hfds t=2 ${(p2 / h2).toFixed(2)}x`);
  console.log(`  memcpy of the same bytes ${Math.min(...mem).toFixed(3)} s -> hfds t=2 at ${(Math.min(...mem) / h2 * 100).toFixed(1)}% of memcpy speed`);
  console.log(`  hfds peak RSS ${(rss / 1024).toFixed(0)} MiB (includes the ${(any.input_bytes / 1048576).toFixed(0)} MiB input)`);
}
JS
