#!/usr/bin/env bash
# `hfds cat` prints the same bytes (rows, or the same error) with 1 and with 3 threads for
# every file of the parquet-testing corpus (with threads several row groups decode at once,
# or the fields of a lone row group). tests/unit/parquet/test_read_fast.c covers multi-row-group
# hfds files, batches kept alive and errors in the middle of a scan.
# usage: reader_threads.sh HFDS_BIN CORPUS_DIR
set -uo pipefail
hfds="$1"; corpus="$2"
fail=0; n=0
files=("$corpus"/data/*.parquet "$corpus"/bad_data/*.parquet)
for f in "${files[@]}"; do
  a=$("$hfds" cat "$f" --threads 1 2>&1 | md5sum); ra=${PIPESTATUS[0]}
  b=$("$hfds" cat "$f" --threads 3 2>&1 | md5sum); rb=${PIPESTATUS[0]}
  n=$((n + 1))
  if [ "$a" != "$b" ] || [ "$ra" != "$rb" ]; then
    echo "DIFF: $f (exit $ra vs $rb)"; fail=1
  fi
done
echo "$n files compared"
exit $fail
