#!/usr/bin/env bash
# Chess benchmarks (run on a quiet machine; they take a few minutes):
#  (a) parse + legal replay of every game ("validate"), one core;
#  (b) the pipeline to Parquet rows with ply-curve sampling (chess push --dry-run, 2 workers);
#  (c) the ratio to chess.js replaying the same games;
#  plus perft (deep counts) and the python-chess anchors of spec §3.1 for comparison.
# usage: bench/chess/run.sh [HFDS_BIN]   (default: builds build-bench-chess in Release)
# Env: BENCH_MB (default 520: the Lichess sample repeated to >= 500 MB), BENCH_TMP.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${HFDS_SHARED:-$root/../shared}"
hfds="${1:-}"
if [ -z "$hfds" ]; then
	cmake -S "$root" -B "$root/build-bench-chess" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFDS_TESTS=OFF >/dev/null
	cmake --build "$root/build-bench-chess" --target hfds -j2 >/dev/null
	hfds="$root/build-bench-chess/hfds"
fi
sample="$shared/testdata/pgn/lichess/lichess_db_1000k.pgn"
reps="${BENCH_MB:-520}"
tmp="${BENCH_TMP:-${TMPDIR:-/tmp}}/hfds-bench-chess.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
big="$tmp/lichess_x$reps.pgn"
for i in $(seq "$reps"); do cat "$sample"; done >"$big"
bytes=$(wc -c <"$big")
games=$((438 * reps))
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
# runs a command, its output to $tmp/stdout and $tmp/stderr; prints "wall user maxrss_kb"
timed() { /usr/bin/time -f '%e %U %M' -o "$tmp/time" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; tail -n 1 "$tmp/time"; }
cat "$big" >/dev/null # warm the page cache

echo "input: $big, $bytes bytes, $games games"
read -r wall user rss < <(timed $pin "$hfds" chess replay "$big" --format none)
echo "(a) parse + legal replay, 1 core: ${wall} s wall, ${user} s user, $(python3 -c "print(round($games/$wall))") games/s, $(python3 -c "print(round($bytes/$wall/1e6))") MB/s, peak RSS ${rss} KB"
gps_a=$(python3 -c "print($games/$wall)")

read -r wall user rss < <(timed "$hfds" chess push --repo bench/chess --data-path "$big" --dry-run --out "$tmp/out" \
	--batches 1000000 --batch-size 100000 --workers 2 --sampler ply-curve)
rows=$(grep -o '[0-9]* train + [0-9]* test' "$tmp/stdout" | awk '{print $1 + $4}')
echo "(b) ply-curve -> Parquet rows (Array2D window), 2 workers: ${wall} s wall, $(python3 -c "print(round($games/$wall))") games/s, $rows rows, $(du -sm "$tmp/out" | cut -f1) MB of Parquet, peak RSS ${rss} KB"
read -r wall user rss < <(timed "$hfds" chess sample "$big" --sampler ply-curve --format none --quiet)
echo "    sampling alone (no Parquet): ${wall} s wall, $(python3 -c "print(round($games/$wall))") games/s"

if [ -d "$root/tests/node/node_modules/chess.js" ]; then
	read -r n secs plies < <(node "$root/bench/chess/chessjs_replay.mjs" "$root/tests/node/node_modules/chess.js" "$sample" 3)
	gps_js=$(python3 -c "print($n/$secs)")
	echo "(c) chess.js 1.4 loadPgn replay: $(python3 -c "print(round($gps_js))") games/s ($n games in $secs s); hfds / chess.js = $(python3 -c "print(round($gps_a/$gps_js, 1))")x"
fi
echo "    python-chess 1.11.2 read_game (spec 3.1, 2-core VM): 370 games/s on this sample (300-370)"

for spec in "startpos 6" "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R_w_KQkq_- 5" \
	"rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R_w_KQ_-_1_8 5" \
	"r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1_w_-_-_0_10 5"; do
	set -- $spec
	fen=${1//_/ }
	echo "perft $2 $fen: $($pin "$hfds" chess perft "$fen" "$2" 2>&1 | tr '\n' ' ')"
done
