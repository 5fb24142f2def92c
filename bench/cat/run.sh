#!/usr/bin/env bash
# cat benchmark (issue 12): `hfds cat FILE --threads 1 > out.jsonl` vs DuckDB's
# `SET threads=1; COPY (SELECT * FROM read_parquet(FILE)) TO 'out.json' (FORMAT json)` (the
# duckdb Python package of tests/python/.venv), both writing JSON Lines to a file in the same
# folder, same run.
#   ROWS (default 2,000,000) mixed rows (bench/cat/gen.py: int64, float64 with 10% nulls,
#   2-decimal float64, short strings with escapes and non-ASCII, bool, list<string>,
#   struct<int32, string>, timestamp[us]) written by pyarrow (snappy), and the same table
#   rewritten by `hfds convert`.
# One more case: hfds with --threads 2 (row groups decoded ahead while formatting), against the
# same single-threaded DuckDB. The three hfds outputs must be byte-identical.
# Wall: hyperfine (RUNS, default 5; mean and min). CPU: user+sys of one /usr/bin/time -v run
# each, with peak RSS. DuckDB runs in Python: the interpreter + `import duckdb` start-up is
# measured alone ("duckdb_startup") and subtracted from DuckDB's times in the ratios
# ("duckdb net"). ratio = DuckDB net / hfds (> 1: hfds faster).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${HFDS_BENCH_OUT:-$root/bench/out/cat}
bin=${HFDS_BIN:-$root/build/hfds}
py=${HFDS_PYTHON:-$root/tests/python/.venv/bin/python}
rows=${ROWS:-2000000}
runs=${RUNS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-cat.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

"$py" "$root/bench/cat/gen.py" "$rows" "$tmp/pyarrow.parquet"
"$bin" convert "$tmp/pyarrow.parquet" "$tmp/hfds.parquet" --codec snappy >/dev/null
duck="$py $root/bench/cat/duckdb_json.py"

hyperfine --warmup 1 --runs "$runs" --export-json "$out/cat.json" \
  -n hfds_pyarrow_file "$bin cat $tmp/pyarrow.parquet --threads 1 > $tmp/h1.jsonl" \
  -n duckdb_pyarrow_file "$duck $tmp/pyarrow.parquet $tmp/d1.json" \
  -n hfds_hfds_file "$bin cat $tmp/hfds.parquet --threads 1 > $tmp/h2.jsonl" \
  -n duckdb_hfds_file "$duck $tmp/hfds.parquet $tmp/d2.json" \
  -n hfds_pyarrow_file_t2 "$bin cat $tmp/pyarrow.parquet --threads 2 > $tmp/h3.jsonl" \
  -n duckdb_startup "$duck x y --import-only" >/dev/null
for f in pyarrow hfds; do
  /usr/bin/time -v "$bin" cat "$tmp/$f.parquet" --threads 1 2> "$out/hfds_${f}_file.time" > "$tmp/h.jsonl"
  /usr/bin/time -v $duck "$tmp/$f.parquet" "$tmp/d.json" 2> "$out/duckdb_${f}_file.time"
done
/usr/bin/time -v "$bin" cat "$tmp/pyarrow.parquet" --threads 2 2> "$out/hfds_pyarrow_file_t2.time" > "$tmp/h.jsonl"
/usr/bin/time -v $duck x y --import-only 2> "$out/duckdb_startup.time"
cmp -s "$tmp/h1.jsonl" "$tmp/h2.jsonl" && cmp -s "$tmp/h1.jsonl" "$tmp/h3.jsonl" || { echo "hfds outputs differ"; exit 1; }
ls -l "$tmp"/*.parquet "$tmp"/h1.jsonl "$tmp"/d1.json > "$out/sizes.txt"
head -c 600 "$tmp/h1.jsonl" > "$out/sample_hfds.jsonl"
head -c 600 "$tmp/d1.json" > "$out/sample_duckdb.json"

"$py" - "$out" "$rows" "$tmp/h1.jsonl" <<'PY'
import json, os, re, sys
out, rows, h1 = sys.argv[1], int(sys.argv[2]), sys.argv[3]
res = {r["command"]: r for r in json.load(open(f"{out}/cat.json"))["results"]}
def tv(k):
    t = open(f"{out}/{k}.time").read()
    g = lambda name: float(re.search(name + r": ([\d.]+)", t).group(1))
    return g(r"User time \(seconds\)") + g(r"System time \(seconds\)"), int(g(r"Maximum resident set size \(kbytes\)"))
s_wall, (s_cpu, _) = res["duckdb_startup"]["mean"], tv("duckdb_startup")
mb = os.path.getsize(h1) / 1e6
print(f"{rows} rows, hfds JSON Lines output {mb:.0f} MB; DuckDB threads=1; duckdb_startup {s_wall:.3f} s wall, "
      f"{s_cpu:.2f} s CPU (subtracted)")
print(f"{'file':<11} {'hfds mean':>9} {'min':>6} {'CPU':>6} {'duckdb net':>10} {'min':>6} {'CPU':>6} "
      f"{'wall ratio':>10} {'CPU ratio':>9} {'hfds MB/s':>9} {'RSS KiB h/d':>16}")
for f, hk, dk in (("pyarrow", "hfds_pyarrow_file", "duckdb_pyarrow_file"), ("hfds", "hfds_hfds_file", "duckdb_hfds_file"),
                  ("pyarrow", "hfds_pyarrow_file_t2", "duckdb_pyarrow_file")):
    h, d = res[hk], res[dk]
    (hc, hr), (dc, dr) = tv(hk), tv(dk)
    f += " t=2" if hk.endswith("t2") else ""
    dn, dmin, dcn = d["mean"] - s_wall, d["min"] - s_wall, dc - s_cpu
    print(f"{f:<11} {h['mean']:>9.3f} {h['min']:>6.3f} {hc:>6.2f} {dn:>10.3f} {dmin:>6.3f} {dcn:>6.2f} "
          f"{dn / h['mean']:>10.2f} {dcn / hc:>9.2f} {mb / h['mean']:>9.0f} {hr:>8}/{dr:<7}")
PY
