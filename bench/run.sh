#!/usr/bin/env bash
# Runs every benchmark suite (bench/<suite>/run.sh) one after another and collects what each
# prints in bench/out/<suite>.txt; suites put machine-readable results (hyperfine JSON,
# /usr/bin/time -v logs) in bench/out/<suite>/.  Usage: bench/run.sh [HFDS_BIN] [SUITE...]
# Environment given to each suite: HFDS_BIN (release CLI), HFDS_SRC (repo root),
# HFDS_SHARED (shared folder), HFDS_BENCH_OUT (its output folder).
# Benchmarks use both cores: do not run them while something else is building.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath -m "${1:-$root/build/hfds}")"
shift || true
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  for s in "$root"/bench/*/run.sh; do
    [ -e "$s" ] && suites+=("$(basename "$(dirname "$s")")")
  done
fi
mkdir -p "$root/bench/out"
{
  echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)  date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$root/bench/out/machine.txt"
cat "$root/bench/out/machine.txt"

failed=0
for s in "${suites[@]}"; do
  out="$root/bench/out/$s"
  mkdir -p "$out"
  echo "== bench $s"
  # the VM's price of fresh memory right now (bench/vmprobe.py): it moves the references' times
  python3 "$root/bench/vmprobe.py" 2>&1 | tee "$root/bench/out/$s.txt"
  start=$(date +%s)
  if HFDS_BIN="$bin" HFDS_SRC="$root" HFDS_SHARED="${HFDS_SHARED:-$root/../shared}" HFDS_BENCH_OUT="$out" \
     bash "$root/bench/$s/run.sh" 2>&1 | tee -a "$root/bench/out/$s.txt"; then
    echo "== bench $s: done in $(( $(date +%s) - start ))s, output in bench/out/$s.txt"
  else
    echo "== bench $s: FAILED (see bench/out/$s.txt)"
    failed=$((failed + 1))
  fi
done
echo "bench: ${#suites[@]} suites, $failed failed"
[ "$failed" -eq 0 ]
