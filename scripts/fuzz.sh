#!/usr/bin/env bash
# Fuzz the three input parsers (IDX reader, model JSON loader, checkpoint loader) with clang's
# libFuzzer under AddressSanitizer + UndefinedBehaviorSanitizer, each for SECONDS (default 60),
# as many at once as there are processors, starting from the seed corpora in tests/fuzz/. A
# crash fails the run; keep its input in tests/fuzz/regressions/ (replayed by CTest in every
# build) once fixed.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
scripts/setup.sh >/dev/null
CC=clang cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DNN2_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_idx fuzz_model fuzz_checkpoint >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# fuzz_one TARGET: one target for SECONDS; its result in $work/TARGET.status (0 or 1)
fuzz_one() {
  local t=$1 st=0
  mkdir -p "$work/$t" "$work/crash-$t"
  cp tests/fuzz/corpus_"$t"/* "$work/$t/"
  build-fuzz/tests/fuzz_"$t" "$work/$t" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="$work/crash-$t/" > "$work/$t.log" 2>&1 || st=1
  echo $st > "$work/$t.status"
}
# as many targets at once as there are processors (each fuzzer is one process)
targets=(idx model checkpoint); running=0
for t in "${targets[@]}"; do
  if [ $running -ge "$(nproc)" ]; then wait -n || true; running=$((running-1)); fi
  fuzz_one "$t" & running=$((running+1))
done
wait
status=0
for t in "${targets[@]}"; do
  if [ ! -f "$work/$t.status" ]; then # its set-up failed (message above)
    status=1; echo "fuzz $t: did not run"; continue
  fi
  if [ "$(cat "$work/$t.status")" != 0 ]; then
    status=1
    echo "fuzz $t: CRASH, input kept in bench-results/fuzz-crash-$t/"; tail -30 "$work/$t.log"
    mkdir -p bench-results && cp -r "$work/crash-$t" "bench-results/fuzz-crash-$t"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
  echo "fuzz $t: ${execs:-?} executions in ${secs} s, corpus $(ls "$work/$t" | wc -l) inputs"
done
[ $status = 0 ] && echo "fuzz: no crash"
exit $status
