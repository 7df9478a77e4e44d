#!/usr/bin/env bash
# The benchmark of issue 4, in one command: builds nn2 with the benchmarks and the OpenBLAS
# backend (build-bench/), then in one invocation measures B1-B4 with nn2's kernels and the
# OpenBLAS backend at 1 thread and all cores (with the FMA peak measured in the same run), the
# PyTorch baseline at 1 thread and all cores (best taken), and the peak resident memory of the
# default `nn2 train` run, and prints the ratios and issue 4's targets met or missed. Results
# also go to bench-results/.
# Usage: scripts/bench.sh [REPS] [RUNS]
#   REPS: epochs timed per configuration (default 5); RUNS: nn2-bench runs (default 1), BENCH_PAUSE
#   seconds apart (default 60); with several, the summary gives the median over the runs of each
#   run's figures (percentages of the peak measured in that run, ratios of its rows)
# With BENCH_KEEP=DIR, the set's csv files, torch.txt and rss.txt are also copied to DIR (a new
# directory), which scripts/bench_record.py reads with other sets (bench/runs/ keeps them).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
runs=${2:-1}
case "$reps" in ""|*[!0-9]*|0) echo "bench: REPS must be an integer from 1 to 60, not '$reps'" >&2; exit 2;; esac
[ "$reps" -le 60 ] || { echo "bench: REPS must be an integer from 1 to 60, not '$reps'" >&2; exit 2; }
case "$runs" in ""|*[!0-9]*|0) echo "bench: RUNS must be a positive integer, not '$runs'" >&2; exit 2;; esac
keep=${BENCH_KEEP:-}
if [ -n "$keep" ] && [ -e "$keep" ]; then echo "bench: BENCH_KEEP: '$keep' exists already" >&2; exit 2; fi
scripts/setup.sh >/dev/null
dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed" || \
  { echo "bench: installing python3-torch for the PyTorch baseline"; apt-get install -y -q python3-torch >/dev/null; }
BUILD_DIR=build-bench scripts/build.sh -DNN2_BENCH=ON -DNN2_OPENBLAS=ON -DNN2_SHARED=OFF
scripts/fetch_mnist.sh data/mnist >/dev/null
mkdir -p bench-results
rm -f bench-results/nn2.run*.csv bench-results/nn2.run*.txt
for r in $(seq 1 "$runs"); do
  if [ "$r" -gt 1 ]; then sleep "${BENCH_PAUSE:-60}"; echo; echo "bench: run $r of $runs"; fi
  build-bench/bench/nn2-bench --reps "$reps" --csv "bench-results/nn2.run$r.csv" | tee "bench-results/nn2.run$r.txt"
done
cp bench-results/nn2.run1.csv bench-results/nn2.csv
cp bench-results/nn2.run1.txt bench-results/nn2.txt
ncores=$(nproc)
: > bench-results/torch.txt
for c in B1 B2 B3 B4; do
  for t in 1 "$ncores"; do /usr/bin/python3 scripts/bench_torch.py data/mnist "$c" "$t" 4 | tee -a bench-results/torch.txt; done
done
/usr/bin/time -v build-bench/nn2 train --quiet 2> bench-results/rss.txt >/dev/null
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' bench-results/rss.txt)
/usr/bin/python3 scripts/bench_summary.py bench-results "$ncores" "$rss_kb" "$runs"
if [ -n "$keep" ]; then
  mkdir -p "$keep.tmp"
  cp bench-results/nn2.run*.csv bench-results/torch.txt bench-results/rss.txt "$keep.tmp/"
  mv "$keep.tmp" "$keep"
  echo "bench: the set kept in $keep"
fi
