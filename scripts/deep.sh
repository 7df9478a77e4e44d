#!/usr/bin/env bash
# Deeper networks on several threads (README, "Speed" / "Deeper networks"): for each network,
# seconds per epoch of `nn2 train` on 1 thread and on THREADS threads with each of the two ways a
# step of a network with two or more hidden layers is shared (NN2_DEEP_SPLIT=first: the first
# layer's units shared out, the later layers computed by every thread; all: every layer's units
# shared out), RUNS runs of each alternated, the median of each run's last epochs, then the
# median over the runs; and whether every saved model is byte-identical to the 1-thread one.
# Writes bench-results/deep.txt. Usage: scripts/deep.sh [RUNS] [EPOCHS] [DATA_DIR]
#   env: NETS="784,30,30,10:10 784,100,100,10:10 ..." (sizes:mini-batch), THREADS (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; epochs=${2:-2}; data=${3:-data/mnist}
for v in "$runs" "$epochs"; do
  case "$v" in ""|*[!0-9]*|0) echo "deep: RUNS and EPOCHS must be positive integers, not '$v'" >&2; exit 2;; esac
done
threads=${THREADS:-$(nproc)}
nets=${NETS:-"784,30,30,10:10 784,100,100,10:10 784,300,300,10:10 784,100,100,100,10:10 784,100,100,10:30 784,300,300,10:100"}
if [ ! -x build/nn2 ]; then scripts/setup.sh >/dev/null; scripts/build.sh >/dev/null; fi
[ "$data" != data/mnist ] || scripts/fetch_mnist.sh data/mnist >/dev/null
mkdir -p bench-results
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
{
  echo "nn2 deeper networks: median s/epoch over $runs runs ($epochs epochs each, the first left out when there are more); $threads threads"
  printf '%-24s %6s %10s %24s %24s %8s\n' network batch "1 thread" "first layer shared" "every layer shared" models
  for spec in $nets; do
    sizes=${spec%%:*}; batch=${spec#*:}
    for r in $(seq 1 "$runs"); do
      for mode in one first all; do
        t=$threads; split=$mode; [ "$mode" = one ] && { t=1; split=first; }
        NN2_DEEP_SPLIT=$split build/nn2 train --data "$data" --sizes "$sizes" --batch-size "$batch" \
          --epochs "$epochs" --threads "$t" --quiet --no-monitor-evaluation-accuracy \
          --metrics "$tmp/$mode.$r.csv" --save "$tmp/$mode.json" >/dev/null
      done
      same=yes
      cmp -s "$tmp/one.json" "$tmp/first.json" && cmp -s "$tmp/one.json" "$tmp/all.json" || same=DIFFER
      echo "$same" >> "$tmp/same"
    done
    /usr/bin/python3 - "$tmp" "$runs" "$sizes" "$batch" "$(grep -c DIFFER "$tmp/same" || true)" <<'PY'
import statistics, sys
tmp, runs, sizes, batch, differ = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
def run_median(mode, r):
    rows = [l.split(",") for l in open(f"{tmp}/{mode}.{r}.csv").read().split("\n")[1:] if l]
    secs = [float(x[1]) for x in rows]
    return statistics.median(secs[1:] if len(secs) > 1 else secs)
med = {m: statistics.median(run_median(m, r) for r in range(1, runs + 1)) for m in ("one", "first", "all")}
cell = lambda m: f"{med[m]:.4f} ({med['one'] / med[m]:.2f}x)"
print(f"{'[' + sizes + ']':24s} {batch:>6s} {med['one']:10.4f} {cell('first'):>24s} {cell('all'):>24s} {'same' if differ == 0 else 'DIFFER':>8s}")
PY
    rm -f "$tmp/same"
  done
} | tee bench-results/deep.txt
! grep -q DIFFER bench-results/deep.txt
