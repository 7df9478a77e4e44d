#!/usr/bin/env bash
# bench_mpi.sh [REPS]: seconds per epoch of B1-B4 (the speed benchmark's configurations) on the
# whole 50,000-image training set, for 1 rank x 1 thread, 2 ranks x 1 thread and 1 rank x 2
# threads, REPS times each (default 5), interleaved, medians reported; parallel efficiency
# against 1 x 1; the bytes each rank receives per step; and a check that the three runs saved
# the same model; then the exchange alone (nn2-mpi-exchange, 2 ranks) and the cross-node model
# (scripts/mpi_model.py). Builds build-mpi/ (-DNN2_MPI=ON); needs MNIST in data/mnist.
# Writes bench-results/mpi.csv, mpi_exchange.txt, mpi_model.md and prints them.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
case "$reps" in ""|*[!0-9]*|0) echo "bench_mpi: REPS must be a positive integer, not '$reps'" >&2; exit 2;; esac
cmake -S . -B build-mpi -DNN2_MPI=ON >/dev/null
cmake --build build-mpi -j"$(nproc)" --target nn2 nn2-mpi-exchange >/dev/null
scripts/fetch_mnist.sh data/mnist >/dev/null
out=bench-results; mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mpirun=(mpirun --allow-run-as-root)
declare -A cfg=(
  [B1]="--sizes 784,30,10 --batch-size 10 --eta 0.5"
  [B2]="--sizes 784,100,10 --batch-size 10 --eta 0.5"
  [B3]="--sizes 784,100,10 --batch-size 100 --eta 0.5"
  [B4]="--sizes 784,800,10 --activation relu --cost log-likelihood --init default --batch-size 128 --eta 0.1"
)
modes=("1x1:1:1" "2x1:2:1" "1x2:1:2")
csv=$tmp/mpi.csv # moved to $out/mpi.csv once every configuration has run: never half a file
echo "config,mode,ranks,threads,median_s_per_epoch,runs,bytes_per_step_per_rank,collectives_per_step" >"$csv"
for b in B1 B2 B3 B4; do
  for m in "${modes[@]}"; do : >"$tmp/$b.${m%%:*}.times"; done
  for r in $(seq "$reps"); do
    for m in "${modes[@]}"; do
      IFS=: read -r name np th <<<"$m"
      # shellcheck disable=SC2086
      # mpirun binds a lone rank to one core: a rank with 2 threads needs --bind-to none
      bind=(); [ "$th" -gt 1 ] && bind=(--bind-to none)
      "${mpirun[@]}" -np "$np" "${bind[@]}" build-mpi/nn2 train --data data/mnist --no-fetch ${cfg[$b]} --epochs 1 \
        --threads "$th" --no-monitor-evaluation-accuracy --metrics "$tmp/m.csv" --save "$tmp/$b.$name.json" \
        >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
      tail -1 "$tmp/m.csv" | cut -d, -f2 >>"$tmp/$b.$name.times"
      sed -n 's/.*MPI: \([0-9]*\) bytes received per step by rank 0 in \([0-9.]*\) collectives.*/\1 \2/p' "$tmp/log" >"$tmp/$b.$name.traffic"
    done
  done
  cmp -s "$tmp/$b.1x1.json" "$tmp/$b.2x1.json" && cmp -s "$tmp/$b.1x1.json" "$tmp/$b.1x2.json" ||
    { echo "bench_mpi: $b: the three runs saved different models"; exit 1; }
  for m in "${modes[@]}"; do
    IFS=: read -r name np th <<<"$m"
    med=$(sort -g "$tmp/$b.$name.times" | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}')
    read -r bytes calls <"$tmp/$b.$name.traffic" || { bytes=0; calls=0; }
    echo "$b,$name,$np,$th,$med,$reps,$bytes,$calls" >>"$csv"
  done
done
mv "$csv" "$out/mpi.csv.tmp" && mv "$out/mpi.csv.tmp" "$out/mpi.csv"
echo "bench_mpi: medians of $reps runs; efficiency = t(1x1) / (2 t); same model in all three modes"
awk -F, 'NR == 1 {next}
  $2 == "1x1" {base[$1] = $5}
  {eff = $3 * $4 > 1 ? sprintf("%.0f%%", 100 * base[$1] / ($3 * $4 * $5)) : "-"
   printf "%-3s %-4s %8.4f s/epoch  speed-up %5.2fx  efficiency %5s  %9s bytes/step/rank\n",
          $1, $2, $5, base[$1] / $5, eff, $7}' "$out/mpi.csv"
echo
"${mpirun[@]}" -np 2 build-mpi/nn2-mpi-exchange | tee "$out/mpi_exchange.txt"
echo
scripts/mpi_model.py "$out/mpi.csv" | tee "$out/mpi_model.md"
