#!/usr/bin/env bash
# Acceptance tests of issue 4 (dataset part), driving the real CLI against an embedded hub
# and checking the results with git and the DuckDB judge (tests/node/judge.mjs).
# usage: dataset_accept.sh HFDS_BIN SRC_DIR CASE
#   CASE: dict | versions | repush | delete | purge | card | features | kill | all
set -u
HFDS=$1
SRC=$2
CASE=${3:-all}
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-ds-accept-XXXXXX")
HUB=$W/hub
E="--endpoint $HUB"
REPO=acme/dd
GITDIR=$HUB/datasets/acme/dd.git
JUDGE="node $SRC/tests/node/judge.mjs"
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { local what=$1; shift; if ! "$@"; then fail "$what"; fi; }
contains() { printf '%s' "$1" | grep -q -- "$2"; }
head_of() { git --git-dir="$GITDIR" rev-parse refs/heads/main; }
card() { git --git-dir="$GITDIR" show "${1:-main}:README.md"; }
# local path of an LFS file at a revision (from `hfds ls -l`: the sha256 column)
object_of() {
	local rev=$1 path=$2 sha
	sha=$("$HFDS" ls "$REPO@$rev" "$path" -l $E 2>/dev/null | sed -n 's/.*sha256=\([0-9a-f]\{64\}\).*/\1/p' | head -1)
	[ -n "$sha" ] && echo "$HUB/lfs/objects/${sha:0:2}/${sha:2:2}/$sha"
}
# rows of a Parquet file according to DuckDB's parquet_metadata()
duck_rows() {
	$JUDGE --meta "$1" | python3 -c '
import json, sys
seen = {}
for line in sys.stdin:
    r = json.loads(line)
    seen[r["row_group_id"]] = r["row_group_num_rows"]
print(sum(seen.values()))'
}

cat > "$W/features.json" <<'JSON'
{"id": {"dtype": "int64", "_type": "Value"}, "text": {"dtype": "string", "_type": "Value"}, "label": {"names": ["neg", "pos"], "_type": "ClassLabel"}, "tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}}
JSON
# rows: ~330 bytes of incompressible text each, so 10 MB shards hold ~30000 rows
gen() { # gen FILE ROWS SEED
	python3 - "$1" "$2" "$3" <<'PY'
import json, random, sys
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
letters = "abcdefghijklmnopqrstuvwxyz"
with open(path, "w") as f:
    for i in range(n):
        text = "".join(r.choice(letters) for _ in range(320))
        f.write(json.dumps({"id": i, "text": text, "label": r.choice(["neg", "pos", 0, 1]),
                            "tokens": [text[:3], text[3:6]]}) + "\n")
PY
}

setup_dict() {
	gen "$W/train.jsonl" 40000 1
	gen "$W/validation.jsonl" 3000 2
	gen "$W/test.jsonl" 2000 3
	gen "$W/small.jsonl" 5000 4
	# config c1 alone (set as default), then c2 and c3 together: each push is one commit
	"$HFDS" push $REPO $E -q --config c1 --split train="$W/train.jsonl" --split validation="$W/validation.jsonl" \
		--split test="$W/test.jsonl" --features "$W/features.json" --max-shard-size 10MB --set-default \
		-m "c1" >/dev/null || fail "push c1"
	"$HFDS" push $REPO $E -q --features "$W/features.json" --max-shard-size 10MB -m "c2 and c3" \
		--config c2 --split train="$W/train.jsonl" --split validation="$W/validation.jsonl" --split test="$W/test.jsonl" \
		--config c3 --split train="$W/train.jsonl" --split validation="$W/validation.jsonl" --split test="$W/test.jsonl" \
		>/dev/null || fail "push c2+c3"
}

case_dict() {
	local ls n cfg split f total expect
	ls=$("$HFDS" ls $REPO $E -r 2>/dev/null)
	check "3 commits (initial + 2 pushes)" test "$(git --git-dir="$GITDIR" rev-list --count main)" = 3
	for cfg in c1 c2 c3; do
		n=$(echo "$ls" | grep -c " $cfg/train-000[0-9][0-9]-of-")
		check "$cfg: train has >= 2 shards ($n)" test "$n" -ge 2
		for f in $(echo "$ls" | awk -v c="$cfg/train-" 'index($3, c) == 1 {print $3}'); do
			check "$cfg: $f named -of-$(printf %05d "$n")" bash -c "[[ $f == *-of-$(printf %05d "$n").parquet ]]"
			check "$cfg: $f at most 10 MB" test "$(echo "$ls" | awk -v p="$f" '$3 == p {print $2}')" -le 10000000
		done
		check "$cfg: one validation shard" test "$(echo "$ls" | grep -c " $cfg/validation-00000-of-00001.parquet")" = 1
		check "$cfg: one test shard" test "$(echo "$ls" | grep -c " $cfg/test-00000-of-00001.parquet")" = 1
		for split in train:40000 validation:3000 test:2000; do
			total=0
			for f in $(echo "$ls" | awk -v c="$cfg/${split%%:*}-" 'index($3, c) == 1 {print $3}'); do
				obj=$(object_of main "$f")
				total=$((total + $(duck_rows "$obj")))
			done
			check "$cfg/${split%%:*}: DuckDB reads ${split##*:} rows (got $total)" test "$total" = "${split##*:}"
		done
	done
	# c1, c2 and c3 hold the same rows: their shards are byte-identical (deterministic
	# writer) and the LFS store holds each distinct shard once
	check "identical configs give identical shards" test \
		"$("$HFDS" ls $REPO c1 -l $E 2>/dev/null | sed -n 's/.*sha256=\([0-9a-f]*\).*/\1/p' | sort | tr -d '\n')" = \
		"$("$HFDS" ls $REPO c3 -l $E 2>/dev/null | sed -n 's/.*sha256=\([0-9a-f]*\).*/\1/p' | sort | tr -d '\n')"
	check "LFS store holds each distinct shard once" test \
		"$(find "$HUB/lfs/objects" -type f | wc -l)" = \
		"$("$HFDS" ls $REPO -r -l $E 2>/dev/null | sed -n 's/.*sha256=\([0-9a-f]*\).*/\1/p' | sort -u | wc -l)"
	# one DuckDB full read of a shard, values as written
	obj=$(object_of main c2/validation-00000-of-00001.parquet)
	$JUDGE --reader duckdb "$obj" >"$W/rows.jsonl" || fail "duckdb full read"
	check "duckdb reads 3000 rows" test "$(wc -l <"$W/rows.jsonl")" = 3000
	check "duckdb values as written" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["id"] for r in rows] == list(range(3000))
assert all(r["label"] in (0, 1) and len(r["tokens"]) == 2 and r["tokens"][0] == r["text"][:3] for r in rows)
' "$W/rows.jsonl"
	check "duckdb sees the huggingface key" contains "$($JUDGE --kv "$obj")" '"huggingface"'
	# the card: golden text with the sizes masked, sizes consistent with the files
	card | sed -E 's/(num_bytes|download_size|dataset_size): [0-9]+/\1: N/' >"$W/card.txt"
	check "card golden" diff -u "$SRC/tests/integration/dataset_card.golden" "$W/card.txt"
	card | python3 -c '
import re, sys
text = sys.stdin.read()
for block in text.split("- config_name: ")[1:4]:
    nb = sum(int(x) for x in re.findall(r"num_bytes: (\d+)", block))
    ds = int(re.search(r"dataset_size: (\d+)", block).group(1))
    assert nb == ds, (nb, ds)
' || fail "dataset_size = sum of num_bytes"
	expect=$(echo "$ls" | awk '$3 ~ /^c1\// {s += $2} END {print s}')
	check "c1 download_size = sum of its files ($expect)" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'download_size: $expect$'"
}

case_versions() {
	local old new
	"$HFDS" tag $REPO v1 $E >/dev/null 2>&1 || fail "tag v1"
	old=$(object_of v1 c1/train-00000-of-00003.parquet)
	[ -z "$old" ] && old=$(object_of v1 "$("$HFDS" ls $REPO@v1 c1 $E 2>/dev/null | awk '$3 ~ /train-00000/ {print $3}')")
	"$HFDS" push $REPO $E -q --config c1 --split train="$W/small.jsonl" --features "$W/features.json" \
		--max-shard-size 10MB >/dev/null || fail "push small c1/train"
	check "v1 still lists 2+ c1 train shards" test "$("$HFDS" ls $REPO@v1 c1 $E 2>/dev/null | grep -c 'train-')" -ge 2
	check "main lists 1 c1 train shard" test "$("$HFDS" ls $REPO c1 $E 2>/dev/null | grep -c 'train-')" = 1
	check "hfds cat at v1 shows the old rows" test "$("$HFDS" cat "$old" 2>/dev/null | wc -l)" -gt 5000
	new=$(object_of main c1/train-00000-of-00001.parquet)
	check "hfds cat at main shows the new rows" test "$("$HFDS" cat "$new" 2>/dev/null | wc -l)" = 5000
	check "v1 card had 40000 train rows" bash -c "git --git-dir='$GITDIR' show v1:README.md | grep -q 'num_examples: 40000'"
	check "git clone works" git clone -q "$GITDIR" "$W/clone"
	check "git log shows the pushes" bash -c "git -C '$W/clone' log --format=%s | grep -q 'c2 and c3'"
}

case_repush() {
	local before stat
	before=$(head_of)
	"$HFDS" push $REPO $E -q --config c2 --split train="$W/small.jsonl" --split validation="$W/validation.jsonl" \
		--features "$W/features.json" --max-shard-size 10MB -m "c2 smaller" >/dev/null || fail "re-push c2"
	check "re-push is one commit" test "$(git --git-dir="$GITDIR" rev-parse main~1)" = "$before"
	stat=$(git --git-dir="$GITDIR" diff --name-status "$before" main)
	check "stale c2 train shards deleted in that commit" contains "$stat" "^D	c2/train-00001-of-0000"
	check "dropped c2 test split deleted in that commit" contains "$stat" "^D	c2/test-00000-of-00001.parquet"
	check "new c2 train shard added in that commit" contains "$stat" "^[AM]	c2/train-00000-of-00001.parquet"
	check "c2 has exactly 2 files" test "$("$HFDS" ls $REPO c2 $E 2>/dev/null | grep -c parquet)" = 2
	check "card: c2 lost its test split" bash -c "! git --git-dir='$GITDIR' show main:README.md | grep -q 'path: c2/test-'"
	check "card: c3 untouched" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'path: c3/test-'"
}

case_delete() {
	local before
	before=$(head_of)
	"$HFDS" delete-config $REPO c3 $E >/dev/null 2>&1 || fail "delete-config c3"
	check "delete-config is one commit" test "$(git --git-dir="$GITDIR" rev-parse main~1)" = "$before"
	check "c3 files gone" test "$("$HFDS" ls $REPO -r $E 2>/dev/null | grep -c ' c3/')" = 0
	check "c3 card entries gone" bash -c "! git --git-dir='$GITDIR' show main:README.md | grep -q c3"
	check "c1 card entries kept" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'config_name: c1'"
	check "commit title" test "$(git --git-dir="$GITDIR" log -1 --format=%s main)" = "Delete 'c3' config"
	check "unknown config refused" bash -c "! '$HFDS' delete-config $REPO nope $E >/dev/null 2>&1"
}

case_purge() {
	local before
	before=$(head_of)
	check "purge without --yes and without a terminal refused" bash -c "! '$HFDS' purge $REPO $E </dev/null >/dev/null 2>&1"
	check "refused purge changed nothing" test "$(head_of)" = "$before"
	if command -v script >/dev/null; then
		# on a terminal it asks; anything but y keeps the files
		echo n | script -qc "'$HFDS' purge $REPO $E" /dev/null >"$W/ask.txt" 2>&1
		check "purge asks on a terminal" grep -q 'keeping .gitattributes? \[y/N\]' "$W/ask.txt"
		check "answer n changed nothing" test "$(head_of)" = "$before"
	fi
	"$HFDS" purge $REPO --yes $E >/dev/null 2>&1 || fail "purge --yes"
	check "purge is one commit" test "$(git --git-dir="$GITDIR" rev-parse main~1)" = "$before"
	check "only .gitattributes left" test "$(git --git-dir="$GITDIR" ls-tree -r --name-only main)" = ".gitattributes"
	check "history keeps the files" test "$(git --git-dir="$GITDIR" ls-tree -r --name-only main~1 | wc -l)" -gt 3
}

case_card() {
	local before blob tree c out
	before=$(head_of)
	# a hand-edited card with broken YAML on line 5 of README.md
	blob=$(printf -- '---\nlicense: mit\ntags:\n  - a\n - b\n---\n# body\n' | git --git-dir="$GITDIR" hash-object -w --stdin)
	GIT_INDEX_FILE=$W/idx git --git-dir="$GITDIR" read-tree main
	GIT_INDEX_FILE=$W/idx git --git-dir="$GITDIR" update-index --add --cacheinfo "100644,$blob,README.md"
	tree=$(GIT_INDEX_FILE=$W/idx git --git-dir="$GITDIR" write-tree)
	c=$(git --git-dir="$GITDIR" commit-tree "$tree" -p main -m "bad card")
	git --git-dir="$GITDIR" update-ref refs/heads/main "$c"
	out=$("$HFDS" push $REPO $E -q --config c1 --split train="$W/small.jsonl" --features "$W/features.json" 2>&1)
	check "invalid card refused" test $? -ne 0
	check "error names README.md line 5 ($out)" contains "$out" 'README.md:5:'
	check "nothing committed on a bad card" test "$(head_of)" = "$c"
	git --git-dir="$GITDIR" update-ref refs/heads/main "$before"
}

case_features() {
	local before out
	before=$(head_of)
	cat > "$W/features2.json" <<'JSON'
{"id": {"dtype": "int32", "_type": "Value"}, "text": {"dtype": "string", "_type": "Value"}, "label": {"names": ["neg", "pos"], "_type": "ClassLabel"}, "tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}}
JSON
	out=$("$HFDS" push $REPO $E -q --config c1 --split train="$W/small.jsonl" --features "$W/features2.json" 2>&1)
	check "features mismatch refused" test $? -ne 0
	check "features mismatch message ($out)" contains "$out" 'features'
	check "nothing committed on features mismatch" test "$(head_of)" = "$before"
	check "no staging left behind" test -z "$(ls "$HUB/tmp" 2>/dev/null | grep push-)"
	# every split of the config with new features: refused too, unless asked for
	"$HFDS" push $REPO $E -q --config c1 --split train="$W/small.jsonl" --split validation="$W/small.jsonl" \
		--split test="$W/small.jsonl" --features "$W/features2.json" >/dev/null 2>&1
	check "new features for a whole config refused" test $? -ne 0
	check "still nothing committed" test "$(head_of)" = "$before"
	"$HFDS" push $REPO $E -q --config c1 --split train="$W/small.jsonl" --split validation="$W/small.jsonl" \
		--split test="$W/small.jsonl" --features "$W/features2.json" --replace-features >/dev/null 2>&1 ||
		fail "--replace-features push"
	check "card has the new features" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -A4 'config_name: c1' | grep -q 'dtype: int32'"
}

case_kill() {
	local before d pid after
	gen "$W/big.jsonl" 80000 9
	for d in 0.3 0.8 1.5 2.5; do
		before=$(head_of)
		"$HFDS" push $REPO $E -q --config kill --split train="$W/big.jsonl" --features "$W/features.json" \
			--max-shard-size 5MB >/dev/null 2>&1 &
		pid=$!
		sleep "$d"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		after=$(head_of)
		if [ "$after" != "$before" ]; then
			# the push finished before the kill: it must then be complete
			check "completed push has its card" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'config_name: kill'"
		fi
		check "repo readable after kill at ${d}s" bash -c "git --git-dir='$GITDIR' fsck --no-dangling >/dev/null 2>&1"
	done
	"$HFDS" push $REPO $E -q --config kill --split train="$W/small.jsonl" --features "$W/features.json" \
		>/dev/null 2>&1 || fail "push after kills"
	check "push after kills committed" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'config_name: kill'"
}

case_usage() {
	local out
	check "push --help teaches" bash -c "'$HFDS' push --help | grep -q 'max-shard-size'"
	check "delete-config --help" bash -c "'$HFDS' delete-config --help | grep -q delete_from_hub"
	check "purge --help" bash -c "'$HFDS' purge --help | grep -q -- '--yes'"
	"$HFDS" push >/dev/null 2>&1
	check "push without arguments is a usage error" test $? = 2
	out=$("$HFDS" push --out "$W/o" --split bad-name="$W/features.json" --features "$W/features.json" 2>&1)
	check "bad split name refused ($out)" contains "$out" 'bad-name'
	out=$("$HFDS" push --out "$W/o" --config data --split train="$W/features.json" --features "$W/features.json" 2>&1)
	check "config 'data' refused ($out)" contains "$out" "name 'data' is not allowed"
	out=$("$HFDS" push --out "$W/o" --split train=x.jsonl --features "$W/features.json" --max-shard-size 5XB 2>&1)
	check "bad size refused ($out)" contains "$out" 'max-shard-size'
	out=$(echo '{"a": 1}' | "$HFDS" push --out "$W/o" --split train=- 2>&1)
	check "stdin without features refused ($out)" contains "$out" '--features'
	printf '{"a": 1}\n{"a": "x"}\n' >"$W/mixed.jsonl"
	out=$("$HFDS" push --out "$W/o" --split train="$W/mixed.jsonl" 2>&1)
	check "inference names the disagreeing column ($out)" contains "$out" "mixed.jsonl:2:7: column 'a'"
	printf '{"id": 1, "text": "a", "label": "maybe", "tokens": []}\n' >"$W/bad.jsonl"
	out=$("$HFDS" push --out "$W/o" --split train="$W/bad.jsonl" --features "$W/features.json" 2>&1)
	check "bad label names file and line ($out)" contains "$out" 'bad.jsonl:1:33: column .label.'
}

case_from_and_append() {
	local before
	# build a folder locally, then publish it as one commit
	"$HFDS" push --out "$W/built" -q --config c4 --split train="$W/small.jsonl" --split test="$W/test.jsonl" \
		--features "$W/features.json" >/dev/null || fail "push --out"
	check "--out wrote the card" test -f "$W/built/README.md"
	check "--out wrote the shards" test -f "$W/built/c4/train-00000-of-00001.parquet"
	before=$(head_of)
	"$HFDS" push $REPO $E -q --from "$W/built" >/dev/null || fail "push --from"
	check "--from is one commit" test "$(git --git-dir="$GITDIR" rev-parse main~1)" = "$before"
	check "--from added c4" test "$("$HFDS" ls $REPO c4 $E 2>/dev/null | grep -c parquet)" = 2
	check "--from merged the card" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'config_name: c4' && git --git-dir='$GITDIR' show main:README.md | grep -q 'config_name: c1'"
	# append layout: batches numbered after the existing ones, counts added up
	"$HFDS" push $REPO $E -q --append --config c5 --split train="$W/test.jsonl" --features "$W/features.json" >/dev/null || fail "append 1"
	"$HFDS" push $REPO $E -q --append --config c5 --split train="$W/test.jsonl" --features "$W/features.json" >/dev/null || fail "append 2"
	check "append batches" test "$("$HFDS" ls $REPO c5/train $E 2>/dev/null | awk '{print $3}' | tr '\n' ' ')" = "c5/train/batch_000001.parquet c5/train/batch_000002.parquet "
	check "append counts" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -A20 'config_name: c5' | grep -q 'num_examples: 4000'"
	check "append glob" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'path: c5/train/\*.parquet'"
}

case_concurrent() {
	local before p1 p2 p3
	before=$(git --git-dir="$GITDIR" rev-list --count main)
	# three pushes racing on one repo: each re-reads and re-merges the card when the branch
	# moved under it, so every config ends up in the card, each in its own commit
	"$HFDS" push $REPO $E -q --config r1 --split train="$W/test.jsonl" --features "$W/features.json" >/dev/null 2>&1 &
	p1=$!
	"$HFDS" push $REPO $E -q --config r2 --split train="$W/test.jsonl" --features "$W/features.json" >/dev/null 2>&1 &
	p2=$!
	"$HFDS" push $REPO $E -q --config r3 --split train="$W/test.jsonl" --features "$W/features.json" >/dev/null 2>&1 &
	p3=$!
	wait $p1 || fail "racing push r1"
	wait $p2 || fail "racing push r2"
	wait $p3 || fail "racing push r3"
	check "3 racing pushes, 3 commits" test "$(git --git-dir="$GITDIR" rev-list --count main)" = $((before + 3))
	for c in r1 r2 r3; do
		check "card lists $c" bash -c "git --git-dir='$GITDIR' show main:README.md | grep -q 'config_name: $c'"
		check "$c shard present" test "$("$HFDS" ls $REPO $c $E 2>/dev/null | grep -c parquet)" = 1
	done
}

[ "$CASE" = usage ] || setup_dict
case "$CASE" in
usage) case_usage ;;
dict) case_dict ;;
versions) case_versions ;;
repush) case_repush ;;
delete) case_repush; case_delete ;;
purge) case_purge ;;
card) case_card ;;
features) case_features ;;
kill) case_kill ;;
from) case_from_and_append ;;
concurrent) case_concurrent ;;
all) case_dict; case_versions; case_card; case_features; case_from_and_append; case_concurrent; case_repush; case_delete; case_kill; case_purge ;;
esac
if [ "$fails" -eq 0 ]; then
	rm -rf "$W"
	echo "ok dataset_accept $CASE"
	exit 0
fi
echo "$fails failure(s); work folder kept: $W" >&2
exit 1
