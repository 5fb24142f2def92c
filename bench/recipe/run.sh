#!/usr/bin/env bash
# hfds build --push vs the SOUSA plan's Python path (bench/recipe/python_path.py: datasets
# from_dict, cast_column Audio, push_to_hub per config with max_shard_size="1GB") on the same
# SOUSA-like fixture, both pushing the three configs + auxiliary file to the SAME `hfds serve`
# over loopback (HF_ENDPOINT, HF_HUB_DISABLE_XET=1), alternating, same run. Wall, CPU (user+sys)
# and peak RSS (/usr/bin/time) of each client; the server's own work is not counted on either side.
# Goal (issue 14): >= 5x faster, <= 1/5 of the peak RSS.
# The fixture: examples/sousa/make_fixture.py with SAMPLES samples, each audio file then
# replaced by a hard link to one of 8 white-noise FLAC files (sox, 44.1 kHz, 24-bit, mono,
# SECONDS long) so that the audio does not compress away and the fixture is made in seconds.
# usage: bench/recipe/run.sh [HFDS_BIN] [SAMPLES] [SECONDS]   (default build/hfds, 280, 30 = 1.0 GB;
#        RUNS=2 alternations; 60 samples x 30 s = 230 MB for a quick look)
set -euo pipefail
HFDS=${HFDS_BIN:-${1:-build/hfds}}
N=${2:-280}
SEC=${3:-30}
RUNS=${RUNS:-2}
SRC=${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=${PYTHON:-$SRC/tests/python/.venv/bin/python}
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-recipe-XXXXXX")
SERVE=
cleanup() { [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
"$PY" "$SRC/examples/sousa/make_fixture.py" "$W/fx" --samples "$N" --seconds 0.1 >/dev/null
for k in 0 1 2 3 4 5 6 7; do
  sox -V1 -n -r 44100 -b 24 -c 1 "$W/noise$k.flac" synth "$SEC" whitenoise vol "0.$((k + 1))"
done
k=0
find "$W/fx/audio" -name '*.flac' | sort | while read -r f; do ln -f "$W/noise$((k % 8)).flac" "$f"; k=$((k + 1)); done
echo "# fixture: $N samples, $(du -slm "$W/fx/audio" | cut -f1) MB of FLAC (8 distinct files of $SEC s, hard-linked)"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$HFDS" serve --port "$PORT" --root "$W/hub" 2>"$W/serve.log" >/dev/null &
SERVE=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
export HF_ENDPOINT="http://127.0.0.1:$PORT" HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1
HF_TOKEN=$("$HFDS" token create alice --org acme --role write --root "$W/hub")
export HF_TOKEN HF_HOME="$W/hf_home"
for run in $(seq "$RUNS"); do
  /usr/bin/time -f "hfds %e s %U u %S s %M KB" "$HFDS" build --threads 1 "$W/fx/recipe.yaml" \
    --push "acme/hfds-$run" --endpoint "$HF_ENDPOINT" >/dev/null 2>>"$W/hfds.txt"
  /usr/bin/time -f "python %e s %U u %S s %M KB" "$PY" "$SRC/bench/recipe/python_path.py" "$W/fx" \
    "acme/python-$run" >/dev/null 2>>"$W/py.txt"
  rm -rf "$W/hf_home"
done
grep -hE "^(hfds|python) [0-9.]+ s" "$W/hfds.txt" "$W/py.txt"
"$PY" - "$W/hfds.txt" "$W/py.txt" <<'PY'
import sys
def read(p):
    rows = [l.split() for l in open(p) if l.split()[1:2] and l.split()[1][0].isdigit() and " s " in l]
    best = min(rows, key=lambda r: float(r[1]))
    return float(best[1]), float(best[3]) + float(best[5]), max(int(r[7]) for r in rows)
(ht, hc, hm), (pt, pc, pm) = read(sys.argv[1]), read(sys.argv[2])
print("case        hfds s  python s  speedup  hfds cpu  python cpu  cpu ratio  hfds MB  python MB  RSS ratio")
print(f"sousa-push  {ht:6.2f}  {pt:8.2f}  {pt / ht:6.1f}x  {hc:8.2f}  {pc:10.2f}  {pc / hc:8.1f}x  "
      f"{hm / 1024:7.0f}  {pm / 1024:9.0f}  {pm / hm:8.1f}x")
PY
