#!/usr/bin/env bash
# Errors name their place (issue 16 item 22): an empty input or a directory given as JSON
# Lines to convert/push, and a YAML alias bomb in a card, each fail with file[:line[:col]]
# and the reason instead of "schema: no columns" or a buffer limit far from the cause.
# usage: cli_errors.sh HFDS_BIN
set -u
HFDS=$(readlink -f "$1")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export HFDS_HOME="$W/home" HF_HOME="$W/hf" HF_TOKEN=
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect RC TEXT CMD...: the command exits RC and its stderr holds TEXT
expect() {
	local rc=$1 text=$2 out got
	shift 2
	out=$("$HFDS" "$@" 2>&1 >/dev/null </dev/null)
	got=$?
	[ "$got" = "$rc" ] || fail "hfds $* -> exit $got, expected $rc: $out"
	case "$out" in *"$text"*) ;; *) fail "hfds $* -> '$out' lacks '$text'" ;; esac
}
cd "$W"
: >empty.jsonl
printf '\n\n' >blank.jsonl
mkdir adir
printf '{"a": 1}\n' >x.jsonl
expect 3 "empty.jsonl:1: no rows to infer features from (empty file)" convert empty.jsonl o.parquet
expect 3 "blank.jsonl:3: no rows to infer features from" convert blank.jsonl o.parquet
expect 1 "adir: read: Is a directory" convert adir o.parquet
expect 3 "empty.jsonl:1: no rows to infer features from (empty file)" push --out o1 --split train=empty.jsonl
expect 1 "adir: read: Is a directory" push --out o2 --split train=adir
[ ! -e o.parquet ] || fail "a failed convert left o.parquet"

mkdir bomb
{
	echo '---'
	echo 'a: &a ["x","x","x","x","x","x","x","x","x"]'
	prev=a
	for n in b c d e f g h; do
		echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
		prev=$n
	done
	echo '---'
} >bomb/README.md
expect 1 "README.md:8:8: alias '*f' expands the YAML to more than" push --out bomb --split train=x.jsonl

if [ "$failures" -gt 0 ]; then
	echo "$failures failures"
	exit 1
fi
echo "errors name their place"
