#!/usr/bin/env bash
# hfds chess push against an embedded hub: batches read back with the DuckDB judge (row counts
# per split and batch, token rows equal to `chess sample`), card counts after --resume, tag,
# refusal to overwrite without --resume, dry run.
# usage: chess_push.sh HFDS_BIN SRC_DIR SHARED_DIR
set -uo pipefail
HFDS=$1 SRC=$2 SHARED=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export HFDS_HOME=$W/home
unset HF_ENDPOINT HF_TOKEN HUGGING_FACE_HUB_TOKEN
export HF_HOME=$W/hf
REPO=me/chesspos
HUB=$HFDS_HOME/hub
GITDIR=$HUB/datasets/me/chesspos.git
JUDGE="node $SRC/tests/node/judge.mjs"
PGN=$SHARED/testdata/pgn/lichess/lichess_db_100k.pgn
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { local what=$1; shift; if ! "$@"; then fail "$what"; fi; }
object_of() {
	local rev=$1 path=$2 sha
	sha=$("$HFDS" ls "$REPO@$rev" "$path" -l 2>/dev/null | sed -n 's/.*sha256=\([0-9a-f]\{64\}\).*/\1/p' | head -1)
	[ -n "$sha" ] && echo "$HUB/lfs/objects/${sha:0:2}/${sha:2:2}/$sha"
}
rows_of() { $JUDGE --reader duckdb "$(object_of main "$1")" | wc -l; }
card_has() { git --git-dir="$GITDIR" show main:README.md | grep -q -- "$1"; }

push() { "$HFDS" chess push --repo $REPO --data-path "$PGN" --sampler all --batch-size 500 --train-ratio 0.9 "$@"; }

check "push 2 batches + tag" push --batches 2 --tag v1 >"$W/out1" 2>"$W/err1"
check "summary line" grep -q "2 batch(es), 900 train + 100 test rows" "$W/out1"
for b in 000001 000002; do
	check "train/batch_$b has 450 rows" test "$(rows_of train/batch_$b.parquet)" = 450
	check "test/batch_$b has 50 rows" test "$(rows_of test/batch_$b.parquet)" = 50
done
check "card: 900 train examples" card_has "num_examples: 900"
check "card: 100 test examples" card_has "num_examples: 100"
check "card: train glob" card_has "path: train/\*.parquet"
check "card: Array2D feature" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'array2_d'"
check "two commits + initial" test "$(git --git-dir="$GITDIR" rev-list --count main)" -ge 3
check "tag v1 on the last commit" test "$(git --git-dir="$GITDIR" rev-parse v1^{commit})" = "$(git --git-dir="$GITDIR" rev-parse main)"

# rows are the sampled token vectors, window = 10 copies, scalars = zeros, in order
"$HFDS" chess sample "$PGN" --sampler all --format tokens --quiet | cut -f3 >"$W/tokens"
$JUDGE --reader duckdb "$(object_of main train/batch_000001.parquet)" >"$W/b1.jsonl"
check "batch 1 rows = positions 1..450" python3 - "$W/b1.jsonl" "$W/tokens" 0 <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
toks = [l.strip() for l in open(sys.argv[2])]
off = int(sys.argv[3])
for i, r in enumerate(rows):
    w = r["window"]
    assert len(w) == 10 and all(x == w[0] for x in w), i
    assert ",".join(map(str, w[0])) == toks[off + i], i
    assert r["scalars"] == [0, 0, 0], i
PY

check "push without --resume refuses" bash -c "! '$HFDS' chess push --repo $REPO --data-path '$PGN' --batches 1 2>/dev/null"
check "resume: one more batch" push --batches 1 --resume >"$W/out2" 2>"$W/err2"
check "batch 3 exists" test "$(rows_of train/batch_000003.parquet)" = 450
check "card after resume: 1350 train" card_has "num_examples: 1350"
check "card after resume: 150 test" card_has "num_examples: 150"
$JUDGE --reader duckdb "$(object_of main train/batch_000003.parquet)" >"$W/b3.jsonl"
check "batch 3 continues the stream (positions 1001..1450)" python3 - "$W/b3.jsonl" "$W/tokens" 1000 <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
toks = [l.strip() for l in open(sys.argv[2])]
off = int(sys.argv[3])
for i, r in enumerate(rows):
    assert ",".join(map(str, r["window"][0])) == toks[off + i], i
PY

before=$(git --git-dir="$GITDIR" rev-parse main)
check "dry run" push --batches 1 --dry-run --out "$W/dry" >"$W/out3" 2>"$W/err3"
check "dry run wrote a batch locally" test -f "$W/dry/train/batch_000001.parquet"
check "dry run published nothing" test "$(git --git-dir="$GITDIR" rev-parse main)" = "$before"
check "bad repo id fails before parsing" bash -c "! '$HFDS' chess push --repo 'bad id' --data-path /nonexistent 2>/dev/null"

echo "chess_push: $fails failure(s)"
[ $fails -eq 0 ]
