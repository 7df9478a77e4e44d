#!/usr/bin/env bash
# The benchmark of issue 4, in one command: builds nn2 with the benchmarks and the OpenBLAS
# backend (build-bench/), then in one invocation measures B1-B4 with nn2's kernels and the
# OpenBLAS backend at 1 thread and all cores (with the FMA peak measured in the same run), the
# PyTorch baseline at 1 thread and all cores (best taken), and the peak resident memory of the
# default `nn2 train` run, and prints the ratios. Results also go to bench-results/.
# Usage: scripts/bench.sh [REPS]   (epochs timed per configuration, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
scripts/setup.sh >/dev/null
dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed" || \
  { echo "bench: installing python3-torch for the PyTorch baseline"; apt-get install -y -q python3-torch >/dev/null; }
BUILD_DIR=build-bench scripts/build.sh -DNN2_BENCH=ON -DNN2_OPENBLAS=ON
scripts/fetch_mnist.sh data/mnist >/dev/null
mkdir -p bench-results
build-bench/bench/nn2-bench --reps "$reps" --csv bench-results/nn2.csv | tee bench-results/nn2.txt
ncores=$(nproc)
: > bench-results/torch.txt
for c in B1 B2 B3 B4; do
  for t in 1 "$ncores"; do /usr/bin/python3 scripts/bench_torch.py data/mnist "$c" "$t" 4 | tee -a bench-results/torch.txt; done
done
/usr/bin/time -v build-bench/nn2 train --quiet 2> bench-results/rss.txt >/dev/null
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' bench-results/rss.txt)
/usr/bin/python3 - "$ncores" "$rss_kb" <<'PY'
import csv, sys
ncores, rss_kb = int(sys.argv[1]), int(sys.argv[2])
nn2 = {(r["config"], r["kernels"], int(r["threads"])): float(r["sec_epoch_median"]) for r in csv.DictReader(open("bench-results/nn2.csv"))}
torch = {}
for line in open("bench-results/torch.txt"):
    c, t, s = line.split()
    torch.setdefault(c, []).append((float(s), int(t)))
best = [k for k in nn2 if k[1] not in ("openblas",)][0][1]
print("\nnn2 (%s) against the baselines, seconds per epoch (medians) and ratios:" % best)
print("%-3s %10s %10s %10s %12s %14s %16s" % ("cfg", "nn2 1t", "nn2 %dt" % ncores, "OpenBLAS %dt" % ncores, "vs OpenBLAS", "PyTorch best", "vs PyTorch"))
for c in ("B1", "B2", "B3", "B4"):
    a, b = nn2[(c, best, 1)], nn2[(c, best, ncores)]
    o = nn2.get((c, "openblas", ncores))
    nbest = min(a, b)
    tb, tt = min(torch[c])
    print("%-3s %10.4f %10.4f %10s %11s %10.4f (%dt) %15.1fx" % (c, a, b, "%.4f" % o if o else "-",
          "%.2fx" % (o / b) if o else "-", tb, tt, tb / nbest))
print("peak resident memory of the default `nn2 train` run: %.1f MB" % (rss_kb / 1024))
PY
