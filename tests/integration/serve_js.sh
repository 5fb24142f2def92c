#!/usr/bin/env bash
# @huggingface/hub against a real `hfds serve`: starts the server on a free port with a
# 1 MiB chunk size (so multipart is used), makes a token, runs tests/node/serve_hub.mjs,
# stops the server with SIGTERM and requires a clean exit.
set -euo pipefail
HFDS=${HFDS_BIN:?}
SRC=${HFDS_SRC:?}
W=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
tok=$("$HFDS" token create alice --root "$W/hub")
"$HFDS" serve --port 0 --root "$W/hub" --chunk-size 1048576 2>"$W/log" &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$W/log" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\) .*/\1/p' "$W/log" | head -1)
[ -n "$url" ] || { cat "$W/log"; exit 1; }
rc=0
(cd "$SRC/tests/node" && HFDS_URL=$url HFDS_TOKEN=$tok node serve_hub.mjs) || rc=$?
kill -TERM "$pid"
wait "$pid" || { echo "server exited with $?"; tail -50 "$W/log"; exit 1; }
pid=
if grep -q "$tok" "$W/log"; then echo "FAIL: the token is in the access log"; exit 1; fi
[ $rc -eq 0 ] || { tail -30 "$W/log"; exit $rc; }
# the 3 MiB file went up in 4 parts and a completion; the log holds no upload signature
[ "$(grep -c '^PUT /_hfds/part/[0-9a-f]\{64\} 200' "$W/log")" = 4 ] || { echo "FAIL: no multipart upload"; exit 1; }
grep -q '^POST /_hfds/complete/[0-9a-f]\{64\} 200' "$W/log" || { echo "FAIL: no multipart completion"; exit 1; }
if grep -q '^[A-Z]* /_hfds/[a-z]*/[0-9a-f]\{64\}/' "$W/log"; then echo "FAIL: upload URL signature logged"; exit 1; fi
echo "serve_js: ok"
