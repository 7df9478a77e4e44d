#!/usr/bin/env bash
# Where a training step's time goes: builds nn2 with -DNN2_PROFILE=ON (build-prof/) and trains
# each configuration of nn2-bench (B1-B4, or those in CONFIGS) for EPOCHS epochs (default 2) at
# each thread count of THREADS (default: 1 and all cores), printing each thread's nanoseconds per
# step in each phase (src/profile.h). The timestamps cost about 25 ns each, six a step.
# Usage: scripts/profile.sh [EPOCHS] [DATA_DIR]     (env: CONFIGS=B1,B2  THREADS=1,2)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-2}; data=${2:-data/mnist}
case "$epochs" in ""|*[!0-9]*|0) echo "profile: EPOCHS must be a positive integer, not '$epochs'" >&2; exit 2;; esac
scripts/setup.sh >/dev/null
BUILD_DIR=build-prof scripts/build.sh -DNN2_PROFILE=ON -DNN2_SHARED=OFF >/dev/null
[ "$data" != data/mnist ] || scripts/fetch_mnist.sh data/mnist >/dev/null
args() { # the nn2 train arguments of configuration $1 (nn2-bench's)
  case $1 in
    B1) echo "--sizes 784,30,10 --batch-size 10 --eta 0.5";;
    B2) echo "--sizes 784,100,10 --batch-size 10 --eta 0.5";;
    B3) echo "--sizes 784,100,10 --batch-size 100 --eta 0.5";;
    B4) echo "--sizes 784,800,10 --activation relu --cost log-likelihood --batch-size 128 --eta 0.1";;
    *) echo "profile: unknown configuration '$1' (B1-B4)" >&2; return 2;;
  esac
}
err=$(mktemp); trap 'rm -f "$err"' EXIT
IFS=, read -r -a configs <<< "${CONFIGS:-B1,B2,B3,B4}"
IFS=, read -r -a threads <<< "${THREADS:-1,$(nproc)}"
for c in "${configs[@]}"; do
  a=$(args "$c")
  for t in "${threads[@]}"; do
    echo "== $c on $t thread(s): nn2 train $a --lambda 5.0 --epochs $epochs"
    # shellcheck disable=SC2086
    if ! build-prof/nn2 train --data "$data" $a --lambda 5.0 --epochs "$epochs" --threads "$t" --quiet \
      --no-monitor-evaluation-accuracy 2>"$err" >/dev/null; then
      cat "$err" >&2; exit 1
    fi
    sed -n '/^thread/,$p' "$err"
  done
done
