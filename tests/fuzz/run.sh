#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR (fuzz_* executables) for a share of a total
# time budget:  tests/fuzz/run.sh BUILD_DIR [TOTAL_SECONDS]   (default 60)
# Seeds: tests/fuzz/corpus/<target>/ if present, plus shared test data chosen by the target's
# name (fuzz_parquet_* <- the parquet-testing corpus, fuzz_pgn* <- the PGN samples). New inputs
# go to a scratch corpus under BUILD_DIR; crashes, leaks and timeouts go to
# BUILD_DIR/fuzz-artifacts/<target>/ and fail the run. FUZZ_SEED (default 1) fixes libFuzzer's
# random seed so that a run is repeatable up to the time limit. Reproduce a crash with
# BUILD_DIR/<target> ARTIFACT.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:?usage: tests/fuzz/run.sh BUILD_DIR [TOTAL_SECONDS]}"
total="${2:-60}"
shared="${HFDS_SHARED:-$root/../shared}"

mapfile -t targets < <(find "$build" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x -printf '%f\n' 2>/dev/null | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets (tests/fuzz/fuzz_*.c), nothing to run"
  exit 0
fi
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 5 ] || per=5

seeds_for() { # prints seed files for a target, at most 256 KiB each
  local t="$1" dirs=()
  case "$t" in
    fuzz_parquet*) dirs=("$shared/testdata/parquet-testing") ;;
    fuzz_pgn*|fuzz_chess*) dirs=("$shared/testdata/pgn") ;;
  esac
  [ -d "$root/tests/fuzz/corpus/$t" ] && dirs+=("$root/tests/fuzz/corpus/$t")
  [ ${#dirs[@]} -gt 0 ] || return 0
  find "${dirs[@]}" -type f -size -257k 2>/dev/null | sort
}

failed=0
for t in "${targets[@]}"; do
  work="$build/fuzz-corpus/$t"
  art="$build/fuzz-artifacts/$t"
  mkdir -p "$work" "$art"
  while IFS= read -r f; do
    cp -f "$f" "$work/seed-$(sha1sum "$f" | cut -c1-16)"
  done < <(seeds_for "$t")
  echo "fuzz: $t for ${per}s ($(find "$work" -type f | wc -l) corpus files)"
  if ! "$build/$t" -seed="${FUZZ_SEED:-1}" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$art/" "$work" >"$build/fuzz-$t.log" 2>&1; then
    echo "fuzz: $t FAILED; log: $build/fuzz-$t.log, reproducer in $art/"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$build/fuzz-$t.log" | head -20 || true
    failed=$((failed + 1))
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$build/fuzz-$t.log" | tr '\n' ' ' | sed 's/^/fuzz:   /'
    echo
  fi
done
echo "fuzz: $(( ${#targets[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
