#!/bin/bash
# CLI tests of the embedded hub: hfds repo/ls/log/tag/branch, target choice, hostile ids,
# and git compatibility of the bare repositories. Usage: store_cli.sh HFDS_BIN CASE
set -u
HFDS=$1
CASE=$2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hfds-store-cli-XXXXXX")
export HFDS_HOME=$WORK/home HF_HOME=$WORK/hf HOME=$WORK/userhome
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_ENDPOINT XDG_CACHE_HOME
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE CMD...: runs CMD, keeps stdout in $WORK/out and stderr in $WORK/err.
expect() {
	local want=$1; shift
	"$@" > "$WORK/out" 2> "$WORK/err"
	local got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out" "$WORK/err" >&2; fail "'$*' exited $got, expected $want"; }
}
has() { grep -q -- "$2" "$WORK/$1" || { cat "$WORK/$1" >&2; fail "$1 lacks '$2'"; }; }

case $CASE in
lifecycle)
	expect 0 "$HFDS" repo create alice/demo --private
	has out "created private dataset repo alice/demo"
	has err "hfds: target: embedded hub at $WORK/home/hub (no HF token found)"
	[ -f "$WORK/home/hub/datasets/alice/demo.git/HEAD" ] || fail "repo not under \$HFDS_HOME/hub"
	expect 1 "$HFDS" repo create alice/demo
	has err "already exists"
	expect 0 "$HFDS" repo create alice/demo --exist-ok
	expect 0 "$HFDS" repo info alice/demo
	has out "^private: true$"
	has out "^branch: main [0-9a-f]\{40\}$"
	expect 0 "$HFDS" ls alice/demo -r
	has out "^file .* .gitattributes$"
	expect 0 "$HFDS" log alice/demo --oneline
	has out "initial commit"
	expect 0 "$HFDS" repo create alice/demo --type model
	has out "created model repo alice/demo"
	expect 0 "$HFDS" repo delete alice/demo --yes < /dev/null
	expect 1 "$HFDS" repo info alice/demo
	has err "dataset repo 'alice/demo' not found"
	expect 0 "$HFDS" repo info alice/demo --type model
	;;
refs)
	expect 0 "$HFDS" repo create alice/refs
	expect 0 "$HFDS" tag alice/refs v1 -m "first release"
	has out "tagged [0-9a-f]\{40\} as v1"
	sha=$(awk '{print $2}' "$WORK/out")
	expect 0 "$HFDS" branch alice/refs dev --from v1
	has out "created branch dev at $sha"
	expect 0 "$HFDS" tag alice/refs
	has out "^$sha v1  first release$"
	expect 0 "$HFDS" branch alice/refs
	has out "^$sha dev$"
	has out "^$sha main$"
	expect 0 "$HFDS" ls "alice/refs@${sha:0:7}"
	has out ".gitattributes"
	expect 0 "$HFDS" log alice/refs@v1 -n 1 --oneline
	has out "^$sha "
	expect 1 "$HFDS" tag alice/refs v1
	has err "already exists"
	expect 1 "$HFDS" branch --delete alice/refs main
	has err "cannot delete refs/heads/main"
	expect 0 "$HFDS" branch --delete alice/refs dev
	expect 0 "$HFDS" tag --delete alice/refs v1
	expect 1 "$HFDS" ls alice/refs@v1
	has err "invalid rev id: v1"
	;;
hostile)
	for id in '../etc' 'alice/../x' '/alice/x' 'alice/x/' 'a/b/c' 'alice/x--y' 'alice/-x' \
		"alice/$(printf 'a%.0s' $(seq 97))" 'alice/x.git' 'alice/x y'; do
		expect 2 "$HFDS" repo create "$id"
		has err "repo id"
	done
	[ ! -e "$WORK/home/hub/datasets/alice" ] || fail "a hostile id touched the disk"
	expect 0 "$HFDS" repo create alice/ok
	expect 2 "$HFDS" ls alice/ok ../../etc
	has err "'..' segments are not allowed"
	expect 2 "$HFDS" ls alice/ok /etc
	expect 2 "$HFDS" repo frobnicate alice/ok
	expect 2 "$HFDS" ls
	expect 2 "$HFDS" ls alice/ok --type nonsense
	;;
target)
	# --endpoint with a directory or file:// URL picks an embedded hub there.
	expect 0 "$HFDS" repo create alice/t --endpoint "$WORK/elsewhere"
	has err "hfds: target: embedded hub at $WORK/elsewhere (from --endpoint)"
	[ -d "$WORK/elsewhere/datasets/alice/t.git" ] || fail "--endpoint DIR not honoured"
	expect 0 "$HFDS" ls alice/t --endpoint "file://$WORK/elsewhere"
	HF_ENDPOINT=$WORK/env expect 0 "$HFDS" repo create alice/t
	has err "(from HF_ENDPOINT)"
	[ -d "$WORK/env/datasets/alice/t.git" ] || fail "HF_ENDPOINT path not honoured"
	# A token means the Hub (unreachable here: a clear network error naming it, exit 1).
	export HFDS_HUB_RETRIES=1
	HF_TOKEN=hf_test expect 1 "$HFDS" ls alice/t
	has err "hfds: target: https://huggingface.co (HF token from HF_TOKEN)"
	has err "https://huggingface.co/api/datasets/alice/t"
	mkdir -p "$WORK/hf" && echo hf_file > "$WORK/hf/token"
	expect 1 "$HFDS" repo info alice/t
	has err "HF token from $WORK/hf/token"
	# ... unless --endpoint says otherwise.
	expect 0 "$HFDS" repo create alice/u --endpoint file://
	has err "embedded hub at $WORK/home/hub (from --endpoint)"
	HF_ENDPOINT=http://localhost:9/x expect 1 "$HFDS" log alice/t
	has err "hfds: target: http://localhost:9/x (from HF_ENDPOINT)"
	expect 2 "$HFDS" ls alice/t --endpoint huggingface.co
	has err "neither a URL nor a path"
	;;
git)
	expect 0 "$HFDS" repo create alice/g
	expect 0 "$HFDS" tag alice/g v0
	dir="$WORK/home/hub/datasets/alice/g.git"
	git -C "$dir" fsck --strict > /dev/null 2>&1 || fail "git fsck failed"
	GIT_LFS_SKIP_SMUDGE=1 git clone -q "$dir" "$WORK/clone" 2> "$WORK/err" || { cat "$WORK/err"; fail "git clone failed"; }
	[ "$(git -C "$WORK/clone" log --format=%s)" = "initial commit" ] || fail "git log differs"
	[ "$(git -C "$WORK/clone" log --format=%an)" = "system" ] || fail "author differs"
	grep -q '^\*.parquet filter=lfs diff=lfs merge=lfs -text$' "$WORK/clone/.gitattributes" || fail ".gitattributes"
	[ "$(git -C "$WORK/clone" tag)" = "v0" ] || fail "tag missing in clone"
	;;
help)
	for c in repo ls log tag branch; do
		expect 0 "$HFDS" $c --help
		has out "^usage: hfds $c"
		has out "example"
	done
	# one option parser for every repository command: both value forms, clear errors
	expect 0 "$HFDS" repo create alice/m --type=model
	expect 0 "$HFDS" ls alice/m --type model -rl
	expect 0 "$HFDS" log alice/m --type=model -n 1
	expect 2 "$HFDS" tag alice/m --type
	has err "hfds tag: --type needs a value"
	expect 2 "$HFDS" branch alice/m dev --bogus
	has err "hfds branch: unknown option '--bogus'"
	expect 2 "$HFDS" ls alice/m a b --type=model
	has err "hfds ls: unexpected argument 'b'"
	expect 2 "$HFDS" log alice/m -n 0
	has err "-n: expected an integer from 1 to [0-9]*, found '0'"
	expect 2 "$HFDS" delete-config alice/m
	has err "needs REPO and CONFIG"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
rm -rf "$WORK"
echo "ok $CASE"
