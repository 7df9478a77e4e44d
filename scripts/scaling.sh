#!/usr/bin/env bash
# Thread-scaling benchmark: one epoch of each configuration (B1-B4 of nn2-bench, or those named
# in CONFIGS) at 1, 2, 4, ... threads up to the core count, several times each; writes
# bench-results/scaling.csv (threads, seconds per epoch median/min/max, samples/s, speedup,
# parallel efficiency, GFLOP/s, % of the FMA peak measured at that thread count) and checks in
# the same run that the final weights are identical at every thread count.
# Usage: scripts/scaling.sh [REPS] [DATA_DIR]     (env: CONFIGS=B2,B4  THREADS=1,2,4,8,16)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}; data=${2:-data/mnist}
n=$(nproc)
if [ -z "${THREADS:-}" ]; then
  THREADS=1; t=2; while [ $t -lt $n ]; do THREADS="$THREADS,$t"; t=$((t*2)); done
  [ "$n" -gt 1 ] && THREADS="$THREADS,$n"
fi
if [ ! -x build-bench/bench/nn2-bench ]; then
  scripts/setup.sh >/dev/null
  BUILD_DIR=build-bench scripts/build.sh -DNN2_BENCH=ON -DNN2_SHARED=OFF
fi
[ "$data" != data/mnist ] || scripts/fetch_mnist.sh data/mnist >/dev/null
mkdir -p bench-results
build-bench/bench/nn2-bench --data "$data" --reps "$reps" --threads "$THREADS" ${CONFIGS:+--configs "$CONFIGS"} \
  --csv bench-results/scaling.csv | tee bench-results/scaling.txt
if grep -q ',avx[^,]*,.*,0$\|,scalar,.*,0$' bench-results/scaling.csv; then
  echo "scaling: FINAL WEIGHTS DIFFER between thread counts"; exit 1
fi
echo "scaling: final weights identical at every thread count (nn2's kernels)"
/usr/bin/python3 scripts/plot_scaling.py bench-results/scaling.csv bench-results/scaling.png \
  "nn2 thread scaling on $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1))"
