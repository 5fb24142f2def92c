#!/usr/bin/env bash
# Help texts and usage errors of `hfds serve` and `hfds token`.
set -uo pipefail
HFDS=${1:?usage: serve_usage.sh HFDS}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
expect() { # expect EXIT_CODE STDERR_REGEX -- command...
	local want=$1 re=$2; shift 3
	"$@" >"$W/out" 2>"$W/err"; local rc=$?
	if [ $rc -ne "$want" ] || ! grep -Eq "$re" "$W/out" "$W/err"; then
		echo "FAIL: $* -> exit $rc (want $want), output:"; cat "$W/out" "$W/err"; fails=$((fails + 1))
	else
		echo "ok: $*"
	fi
}
expect 0 'usage: hfds serve' -- "$HFDS" serve --help
expect 0 'usage: hfds token create' -- "$HFDS" token --help
expect 0 'serve .*Hub HTTP API' -- "$HFDS" --help
expect 2 "port: expected an integer from 0 to 65535, found '70000'" -- "$HFDS" serve --port 70000
expect 2 "timeout: expected an integer from 1 to 86400, found '0'" -- "$HFDS" serve --timeout 0
expect 2 "chunk-size: expected an integer from 1024" -- "$HFDS" serve --chunk-size 10
expect 2 "unknown option '--bogus'" -- "$HFDS" serve --bogus
expect 2 "max-commit-body: expected an integer from 1024" -- "$HFDS" serve --max-commit-body 12
expect 2 'missing create, list or revoke' -- "$HFDS" token --root "$W/hub"
expect 2 'missing USER' -- "$HFDS" token create --root "$W/hub"
expect 2 'role must be read or write' -- "$HFDS" token create alice --role admin --root "$W/hub"
expect 2 "invalid user name 'a b'" -- "$HFDS" token create 'a b' --root "$W/hub"
expect 2 '6 to 12 hex digits' -- "$HFDS" token revoke xyz --root "$W/hub"
expect 1 "no token with id 'abcdef'" -- "$HFDS" token revoke abcdef --root "$W/hub"
expect 0 '^hf_[A-Za-z0-9]{34}$' -- "$HFDS" token create alice --root "$W/hub"
expect 0 '^[0-9a-f]{12} alice write - ' -- "$HFDS" token list --root "$W/hub"
expect 2 'must be an IPv4 address' -- "$HFDS" serve --host nowhere --port 0 --root "$W/hub"
# a busy port: a clear error, no hang
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' >"$W/port" &
holder=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
expect 1 'cannot listen on 127.0.0.1:' -- timeout 10 "$HFDS" serve --port "$(cat "$W/port")" --root "$W/hub"
kill "$holder"
[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
