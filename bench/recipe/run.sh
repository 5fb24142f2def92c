#!/usr/bin/env bash
# hfds build vs the SOUSA plan's Python path (bench/recipe/python_path.py) on the same
# SOUSA-like fixture (examples/sousa/make_fixture.py, white-noise FLAC so the audio does not
# compress away), both writing the three configs into a local folder, alternating, same run.
# Goal (issue 14): >= 5x faster, <= 1/5 of the peak RSS.
# usage: bench/recipe/run.sh [HFDS_BIN] [SAMPLES] [SECONDS]   (default build/hfds, 200, 5)
set -euo pipefail
HFDS=${HFDS_BIN:-${1:-build/hfds}}
N=${2:-200}
SEC=${3:-5}
SRC=${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=${PYTHON:-$SRC/tests/python/.venv/bin/python}
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-recipe-XXXXXX")
trap 'rm -rf "$W"' EXIT
sed 's/"sine", str(220 + 55 \* (i % 8))/"whitenoise", "vol", "0.5"/' "$SRC/examples/sousa/make_fixture.py" > "$W/make_fixture.py"
cp "$SRC/examples/sousa/recipe.yaml" "$W/"
"$PY" "$W/make_fixture.py" "$W/fx" --samples "$N" --seconds "$SEC"
echo "# fixture: $N samples, $(du -sm "$W/fx/audio" | cut -f1) MB of FLAC"
for run in 1 2 3; do
  rm -rf "$W/o1" "$W/o2"; sync
  /usr/bin/time -f "hfds %e s %M KB" "$HFDS" build --threads 1 "$W/fx/recipe.yaml" --out "$W/o1" >/dev/null 2>>"$W/hfds.txt"
  rm -rf "$W/o1"; sync
  /usr/bin/time -f "python %e s %M KB" "$PY" "$SRC/bench/recipe/python_path.py" "$W/fx" "$W/o2" >/dev/null 2>>"$W/py.txt"
done
grep -hE "^(hfds|python) [0-9.]+ s" "$W/hfds.txt" "$W/py.txt"
"$PY" - "$W/hfds.txt" "$W/py.txt" <<'PY'
import sys
def read(p):
    rows = [l.split() for l in open(p) if l.split()[1:2] and l.split()[1][0].isdigit() and " s " in l]
    return min(float(r[1]) for r in rows), max(int(r[3]) for r in rows)
(ht, hm), (pt, pm) = read(sys.argv[1]), read(sys.argv[2])
print(f"case       hfds s  python s  speedup  hfds MB  python MB  RSS ratio")
print(f"sousa      {ht:6.2f}  {pt:8.2f}  {pt / ht:6.1f}x  {hm / 1024:7.0f}  {pm / 1024:9.0f}  {pm / hm:8.1f}x")
PY
