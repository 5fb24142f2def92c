#!/usr/bin/env bash
# Publishing cost: a ~2 GB dataset published to the embedded hub (`hfds push REPO`) versus
# writing the same shards alone into a local folder (`hfds push --out DIR`), same source,
# same run, alternating. Target (issue 4): publish <= 1.1 x write.
# usage: bench/dataset/run.sh [HFDS_BIN] [SIZE_MB]   (default build/hfds, 2000)
set -euo pipefail
HFDS=${1:-build/hfds}
MB=${2:-2000}
W=$(mktemp -d "${TMPDIR:-/tmp}/hfds-bench-ds-XXXXXX")
trap 'rm -rf "$W"' EXIT
echo "# source: ${MB} MB of Parquet rows (incompressible text), max shard 500MB, snappy"
# source Parquet: 1 KB of random base64 text per row (does not compress), in 600 MB files
python3 - "$W" "$MB" <<'PY'
import base64, json, os, sys
w, mb = sys.argv[1], int(sys.argv[2])
with open(os.path.join(w, "src.jsonl"), "w") as f:
    for i in range(mb * 1000):
        f.write('{"id": %d, "text": "%s"}\n' % (i, base64.b64encode(os.urandom(750)).decode()))
PY
cat >"$W/f.json" <<'JSON'
{"id": {"dtype": "int64", "_type": "Value"}, "text": {"dtype": "string", "_type": "Value"}}
JSON
"$HFDS" push --out "$W/src" --split train="$W/src.jsonl" --features "$W/f.json" --max-shard-size 600MB -q >/dev/null
rm -f "$W/src.jsonl"
SRC=$(ls "$W"/src/data/train-*.parquet | paste -sd, -)
du -sh "$W/src/data"

# same source, same flags; the write side's output folder is cleared outside the timing
# (the publish side removes its staging folder itself, which is part of its cost)
hyperfine --warmup 1 --runs 3 --export-json "$W/h.json" \
	--prepare "rm -rf '$W/out'" --prepare "true" \
	-n "write shards alone" "'$HFDS' push --out '$W/out' --split train='$SRC' -q" \
	-n "publish to embedded hub" "'$HFDS' push bench/ds --endpoint '$W/hub' --split train='$SRC' -q" | sed 's/^/  /'
python3 - "$W/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
w, p = r[0]["median"], r[1]["median"]
print(f"write shards alone: {w:.2f} s   publish to embedded hub: {p:.2f} s   ratio {p / w:.3f} (target <= 1.1)")
PY
