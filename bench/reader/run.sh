#!/usr/bin/env bash
# Reader benchmark (issues 3, 9): full scan of Parquet files into Arrow arrays (bench/reader/scan.c,
# one and two threads) vs DuckDB materialising the same file (CREATE TABLE t AS SELECT * FROM
# read_parquet(...)) with threads=1 and threads=2, vs pyarrow's pq.read_table(use_threads=False
# and True; bench/reader/pyarrow_scan.py), plus the codec's raw decompression of the same
# pages (scan --decompress-only).
# Files:
#  (a) hfds-chess-zstd:  the writer benchmark's 1,000,000 chesspos rows (bench/writer/bench_writer.c
#      chess), zstd — regenerated every run with the writer under test
#  (b) hfds-flat-snappy: the writer benchmark's 10M-row mixed table (bench_writer flat), snappy
#  (c, d) pyarrow-chess-zstd / pyarrow-flat-snappy: the same two tables written by pyarrow
#      (bench/writer/pyarrow_bench.py, settings matched to hfds's), regenerated every run
#  (e, f) duckdb-mixed-snappy / -zstd: a 10M-row mixed table written by DuckDB (int64, decimal,
#      short string, int32), generated once
# DuckDB runs in node: each of its timings includes node + DuckDB start-up, measured on its own
# ("node + duckdb startup") and subtracted in the summary. GB/s = uncompressed page bytes / time.
# "busiest thread cpu": CPU seconds of the busiest thread of one run (hfds: scan's own report;
# pyarrow: of its best run), the wall time an idle machine would need at least; on a loaded
# machine the ratio of these is the trustworthy stand-in for the wall-time ratio.
# Environment from bench/run.sh: HFDS_BIN (release CLI; its build directory supplies the static
# libraries), HFDS_SRC, HFDS_BENCH_OUT. READER_BENCH_RUNS (default 5) / READER_DUCK_RUNS (3);
# READER_CASES (default: all six) picks the files, and only their tables are generated.
set -euo pipefail
src="${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${HFDS_BIN:-$src/build/hfds}"
out="${HFDS_BENCH_OUT:-$src/bench/out/reader}"
rows="${READER_BENCH_ROWS:-10000000}"
runs="${READER_BENCH_RUNS:-5}"
druns="${READER_DUCK_RUNS:-3}"
mkdir -p "$out"
bdir="$(dirname "$bin")"
libs=""
for m in parquet arrow util; do libs="$libs $bdir/libhfds_$m.a"; done
deps="$(pkg-config --libs libzstd liblz4 snappy libbrotlienc libbrotlidec zlib libcrypto jansson) -lstdc++ -lpthread -lm"
cc -O2 -std=c11 -D_GNU_SOURCE -I"$src/include" -I"$src/src" -o "$out/scan" "$src/bench/reader/scan.c" $libs $deps
cc -O2 -std=c11 -D_GNU_SOURCE -I"$src/include" -I"$src/src" -o "$out/bench_writer" "$src/bench/writer/bench_writer.c" $libs $deps

cases="${READER_CASES:-hfds-chess-zstd hfds-flat-snappy pyarrow-chess-zstd pyarrow-flat-snappy duckdb-mixed-snappy duckdb-mixed-zstd}"
wants() { case " $cases " in *" $1"*) return 0 ;; esac; return 1; } # any case starting with $1

# the writer benchmark files, written by the hfds under test (not timed here), and the same
# tables written by pyarrow with matched settings (bench/writer/pyarrow_bench.py); only the
# tables READER_CASES needs
py="${HFDS_PYTHON:-$src/tests/python/.venv/bin/python}"
if wants hfds-chess || wants pyarrow-chess; then
  "$out/bench_writer" chess 1000000 2 "$out/hfds-chess-zstd.parquet" > "$out/gen-chess.json"
  "$py" "$src/bench/writer/pyarrow_bench.py" chess 1000000 2 "$out/pyarrow-chess-zstd.parquet" \
    "$out/hfds-chess-zstd.parquet" > "$out/gen-pyarrow-chess.json"
fi
if wants hfds-flat || wants pyarrow-flat; then
  "$out/bench_writer" flat 10000000 2 "$out/hfds-flat-snappy.parquet" > "$out/gen-flat.json"
  "$py" "$src/bench/writer/pyarrow_bench.py" flat 10000000 2 "$out/pyarrow-flat-snappy.parquet" \
    "$out/hfds-flat-snappy.parquet" > "$out/gen-pyarrow-flat.json"
fi

node="$src/tests/node/node_modules/@duckdb/node-api/lib/index.js"
cat > "$out/gen.mjs" <<JS
const { DuckDBInstance } = await import('$node');
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await inst.connect();
for (const codec of ['snappy', 'zstd']) {
  await c.run(\`COPY (SELECT i AS id, i * 1.25 + (i % 7) AS x, 'name-' || (i % 100000) AS s, (i % 1000)::INT AS k
    FROM range($rows) t(i)) TO '$out/duckdb-mixed-\${codec}.parquet' (FORMAT parquet, COMPRESSION \${codec})\`);
}
JS
wants duckdb-mixed && { [ -s "$out/duckdb-mixed-zstd.parquet" ] || node "$out/gen.mjs"; }

cat > "$out/duck.mjs" <<JS
const { DuckDBInstance } = await import('$node');
const [file, threads] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:', { threads });
const c = await inst.connect();
if (file !== '-') await c.run(\`CREATE TABLE t AS SELECT * FROM read_parquet('\${file}')\`);
JS

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S) UTC"
hyperfine -N -w 1 -r 10 --export-json "$out/startup.json" -n "node + duckdb startup" "node $out/duck.mjs - 1" 2>&1 | grep -v '^ *$'
for name in $cases; do
  f="$out/$name.parquet"
  echo "== $name: $(stat -c %s "$f") bytes"
  "$out/scan" "$f" --decompress-only 2> "$out/$name.raw"
  /usr/bin/time -v "$out/scan" "$f" 2> "$out/$name.time" >/dev/null
  "$out/scan" "$f" --threads=2 2> "$out/$name.t2" # its "thread cpu:" line
  hyperfine -N -w 1 -r "$runs" --export-json "$out/$name-hfds.json" \
    -n "hfds scan (1 thread)" "$out/scan $f" \
    -n "hfds scan (2 threads)" "$out/scan $f --threads=2" \
    -n "codec only" "$out/scan $f --decompress-only" 2>&1 | grep -v '^ *$'
  "$py" "$src/bench/reader/pyarrow_scan.py" "$f" "$runs" | tee "$out/$name-pyarrow.json"
  dr=$druns
  dw=1
  case $name in *-chess-*) dr=2; dw=0 ;; esac # DuckDB needs ~10 s per run here
  hyperfine -N -w "$dw" -r "$dr" --export-json "$out/$name-duckdb.json" \
    -n "duckdb threads=1" "node $out/duck.mjs $f 1" \
    -n "duckdb threads=2" "node $out/duck.mjs $f 2" 2>&1 | grep -v '^ *$'
done

node - "$out" $cases <<'JS'
const fs = require('fs');
const [dir, ...cases] = process.argv.slice(2);
const load = f => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')).results;
const startup = load('startup.json')[0].mean;
const pad = (s, n) => String(s).padEnd(n);
console.log(`\nnode + duckdb startup ${startup.toFixed(3)} s, subtracted from the DuckDB times below; ratio = DuckDB threads=1 / hfds`);
console.log(['case', 'file MB', 'pages MB', 'hfds 1t s (cpu)', 'hfds 2t s (cpu)', 'duckdb 1t s', 'duckdb 2t s',
  'ratio 1t', 'ratio 2t vs duck 2t', 'pyarrow 1t s (cpu, busy threads)', 'pyarrow 2t s (cpu)', 'vs pyarrow 1t (cpu)',
  'hfds 2t vs pyarrow 1t', 'vs pyarrow 2t',
  'codec s', 'scan GB/s', 'codec GB/s', 'RSS MB', 'busiest thread cpu s: hfds 1t / 2t / pyarrow 1t / 2t',
  'by busiest thread: hfds 1t / 2t vs pyarrow 1t'].join(' | '));
for (const c of cases) {
  const h = load(`${c}-hfds.json`), d = load(`${c}-duckdb.json`);
  const p = JSON.parse(fs.readFileSync(`${dir}/${c}-pyarrow.json`, 'utf8'));
  const get = (r, n) => r.find(x => x.command === n);
  const h1 = get(h, 'hfds scan (1 thread)'), h2 = get(h, 'hfds scan (2 threads)'), co = get(h, 'codec only');
  const d1 = get(d, 'duckdb threads=1').mean - startup, d2 = get(d, 'duckdb threads=2').mean - startup;
  const raw = Number(/decompressed (\d+) bytes/.exec(fs.readFileSync(`${dir}/${c}.raw`, 'utf8'))[1]);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(fs.readFileSync(`${dir}/${c}.time`, 'utf8'))[1]);
  const size = fs.statSync(`${dir}/${c}.parquet`).size;
  const busiest = f => Math.max(...(/thread cpu:([ 0-9.]*)/.exec(fs.readFileSync(`${dir}/${f}`, 'utf8'))[1]
    .trim().split(/ +/).map(Number)));
  const b1 = busiest(`${c}.time`), b2 = busiest(`${c}.t2`);
  console.log([c, (size / 1e6).toFixed(1), (raw / 1e6).toFixed(0),
    `${h1.mean.toFixed(3)} (${(h1.user + h1.system).toFixed(3)})`, `${h2.mean.toFixed(3)} (${(h2.user + h2.system).toFixed(3)})`,
    d1.toFixed(3), d2.toFixed(3), `${(d1 / h1.mean).toFixed(2)}x`, `${(d2 / h2.mean).toFixed(2)}x`,
    `${p.t1_best.toFixed(3)} (${p.t1_cpu.toFixed(3)}, ${p.t1_busy_threads})`, `${p.t2_best.toFixed(3)} (${p.t2_cpu.toFixed(3)})`,
    `${(p.t1_best / h1.mean).toFixed(2)}x (${(p.t1_cpu / (h1.user + h1.system)).toFixed(2)}x)`,
    `${(p.t1_best / h2.mean).toFixed(2)}x`, `${(p.t2_best / h2.mean).toFixed(2)}x`, co.mean.toFixed(3),
    (raw / h1.mean / 1e9).toFixed(2), (raw / co.mean / 1e9).toFixed(2), (rss / 1024).toFixed(0),
    `${b1.toFixed(2)} / ${b2.toFixed(2)} / ${p.t1_max_thread_cpu.toFixed(2)} / ${p.t2_max_thread_cpu.toFixed(2)}`,
    `${(p.t1_max_thread_cpu / b1).toFixed(2)}x / ${(p.t1_max_thread_cpu / b2).toFixed(2)}x`].join(' | '));
}
JS
