#!/bin/sh
# A 2 GB PGN stream (the Lichess sample repeated) piped through stdin must be processed with
# peak RSS under 200 MB. Registered only for Release builds (sanitizers inflate RSS and time).
# usage: chess_stdin_rss.sh HFDS_BIN PGN_FILE
set -eu
hfds=$1
pgn=$2
size=$(wc -c < "$pgn")
reps=$(( (2000000000 + size - 1) / size ))
out=$(mktemp)
trap 'rm -f "$out"' EXIT
i=0
( while [ $i -lt $reps ]; do cat "$pgn"; i=$((i + 1)); done ) |
	/usr/bin/time -f '%M' -o "$out" "$hfds" chess sample - --sampler ply-curve --format none --quiet
rss_kb=$(tail -n 1 "$out")
echo "2 GB stdin stream ($reps x $size bytes): peak RSS ${rss_kb} KB"
[ "$rss_kb" -lt 204800 ]
