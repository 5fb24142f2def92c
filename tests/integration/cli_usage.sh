#!/usr/bin/env bash
# Every numeric option of every command goes through one strict, locale-free parser:
# "abc", "-3", "0x10", " 1", "+1", "1.5", an overflowing number and an out-of-range one
# are usage errors (exit 2) naming the option and the text; valid values still work, and
# `hfds convert --threads N` writes the same bytes for every N.
# usage: cli_usage.sh HFDS_BIN SHARED_DIR
set -u
HFDS=$1 SHARED=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export HFDS_HOME="$W/home" HF_HOME="$W/hf" HF_TOKEN= HFDS_THREADS=
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
PQ=$SHARED/testdata/parquet-testing/data/alltypes_plain.parquet
PGN=$(ls "$SHARED"/testdata/pgn/*.pgn 2>/dev/null | head -1)
printf '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n' >"$W/in.jsonl"

# refused CMD... : the last argument is the bad value; exit 2 and the value quoted
refused() {
	local bad=${!#} out rc
	out=$("$HFDS" "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = 2 ] || fail "hfds $* -> exit $rc, expected 2: $out"
	case "$out" in *"'$bad'"*) ;; *) fail "hfds $* -> message lacks '$bad': $out" ;; esac
}

for bad in abc -3 0x10 ' 1' +1 1.5 2e1 99999999999999999999999 ''; do
	refused cat "$PQ" --threads "$bad"
	refused convert "$W/in.jsonl" "$W/o.parquet" --threads "$bad"
	refused push --out "$W/ds" --split "train=$W/in.jsonl" --threads "$bad"
	refused cat "$PQ" --limit "$bad"
	refused convert "$W/in.jsonl" "$W/o.parquet" --page-version "$bad"
	refused log me/x -n "$bad"
	refused chess sample x.pgn --seed "$bad"
	refused chess sample x.pgn --min-ply "$bad"
	refused chess npz --data-path x.pgn --out "$W/npz" --chunk-size "$bad"
	refused chess push --repo me/c --data-path x.pgn --batch-size "$bad"
	refused chess push --repo me/c --data-path x.pgn --workers "$bad"
	refused chess perft startpos "$bad"
	refused serve --port "$bad"
	refused serve --timeout "$bad"
done
for v in 3 7 0 -1; do
	refused convert "$W/in.jsonl" "$W/o.parquet" --page-version "$v"
done
refused cat "$PQ" --threads 1025
refused log me/x -n 0
for bad in abc 0 1 -0.5 1e400 nan inf 0x1p-1 ' 0.5' 0.5x; do
	refused chess npz --data-path x.pgn --out "$W/npz" --train-ratio "$bad"
	refused chess push --repo me/c --data-path x.pgn --train-ratio "$bad"
done
for bad in 0 1.5 nan abc; do
	refused chess sample x.pgn --subsample "$bad"
done

# valid values work, with the same bytes for every thread count
"$HFDS" cat "$PQ" --threads 2 --limit 1 >"$W/cat.txt" 2>&1 || fail "cat --threads 2 --limit 1: $(cat "$W/cat.txt")"
[ "$(wc -l <"$W/cat.txt")" = 1 ] || fail "cat --limit 1 printed $(wc -l <"$W/cat.txt") lines"
"$HFDS" cat "$PQ" --threads=1 --limit=0 >/dev/null 2>&1 || fail "cat --threads=1 --limit=0 failed"
for t in 1 2 0; do
	"$HFDS" convert "$W/in.jsonl" "$W/t$t.parquet" --threads "$t" --page-version 2 >/dev/null 2>&1 ||
		fail "convert --threads $t failed"
done
cmp -s "$W/t1.parquet" "$W/t2.parquet" && cmp -s "$W/t1.parquet" "$W/t0.parquet" ||
	fail "convert --threads 1/2/0 wrote different bytes"
"$HFDS" convert --help | grep -q -- '--threads' || fail "convert --help does not mention --threads"
if [ -n "$PGN" ]; then
	"$HFDS" chess perft startpos 2 >/dev/null 2>&1 || fail "chess perft startpos 2 failed"
fi

if [ "$failures" -gt 0 ]; then
	echo "$failures failures"
	exit 1
fi
echo "all numeric options strict"
