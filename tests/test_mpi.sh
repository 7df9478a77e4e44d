#!/usr/bin/env bash
# test_mpi.sh NN2_MPI DATA_DIR [NN2_PLAIN]: nn2 built with -DNN2_MPI=ON under mpirun, on real
# MNIST subsets (skipped, 77, without MNIST or mpirun).
#  - the saved model is byte-identical for 1, 2, 3 and 4 ranks (with 1 or 2 threads each), to
#    the same binary run alone, and to the build without MPI (NN2_PLAIN), for a deep sigmoid
#    network, for ReLU + softmax + dropout + Nesterov momentum + L1, on the expanded set, and
#    for a network without a hidden layer, for one whose first of two hidden layers has 2
#    slices, and for mini-batches of more than 128 samples (trained in blocks);
#  - a rank killed with SIGKILL ends the job with an error and no model; the checkpoint written
#    before resumes with 3 ranks to the model of an uninterrupted single-process run;
#  - SIGUSR1 to mpirun stops every rank at the end of the epoch with a checkpoint, which resumes
#    alone to the same model;
#  - errors: missing data (one message, naming the file), ranks given different data, the
#    non-MPI build started by mpirun.
set -u
nn2=$1; data=$2; plain=${3:-}
[ -f "$data/train-images-idx3-ubyte" ] || [ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "no MNIST: skipped"; exit 77; }
command -v mpirun >/dev/null || { echo "no mpirun: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0; checks=0
fail() { fails=$((fails+1)); echo "FAIL: $*"; }
# two cores here: oversubscribed ranks must sleep rather than spin while they wait
export OMP_WAIT_POLICY=passive
mpirun=(mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1)
common=(--data "$data" --no-fetch --quiet --validation-size 300)

same() { # same NAME REF FILE
  checks=$((checks+1))
  if ! cmp -s "$2" "$3"; then fail "$1: $3 differs from $2"; fi
}

# 0. the MPI build says so, the build without MPI does not
checks=$((checks+1))
"$nn2" info | grep -q '^built with: .*\bmpi\b' || fail "nn2 info does not list mpi: $("$nn2" info | head -2 | tail -1)"
if [ -n "$plain" ]; then
  checks=$((checks+1))
  if "$plain" info | grep -q '^built with: .*\bmpi\b'; then fail "the build without MPI lists mpi"; fi
fi

# 1. byte identity
cfgA=(--sizes 784,40,30,10 --epochs 2 --train-size 1500)
cfgB=(--sizes 784,70,33,10 --activation relu --cost log-likelihood --dropout 0.3 --momentum 0.9
      --nesterov --eta 0.05 --reg l1 --lambda 0.5 --epochs 2 --train-size 1200 --monitor-training-cost)
cfgC=(--sizes 784,24,10 --expand --epochs 1 --train-size 600 --batch-size 7)
# 100 hidden units: the last 16-unit slice is computed in two halves (trainer.c), by the last rank
cfgD=(--sizes 784,100,10 --dropout 0.2 --epochs 1 --train-size 1000 --batch-size 12)
# no hidden layer: every rank computes all of it, in its two halves of the inputs
cfgE=(--sizes 784,10 --cost log-likelihood --epochs 2 --train-size 1000 --momentum 0.5 --eta 0.1)
cfgF=(--sizes 784,10 --epochs 2 --train-size 1000 --batch-size 7) # the lazy decay, sparse inputs
# a first hidden layer of 2 slices in a deeper network: its sums in two halves of the inputs
cfgG=(--sizes 784,24,20,10 --dropout 0.2 --epochs 1 --train-size 1000 --batch-size 10)
# mini-batches of more than 128 samples, trained in blocks (5 of 60, 10 of 60)
cfgH=(--sizes 784,100,10 --epochs 1 --train-size 1500 --batch-size 300 --momentum 0.5 --eta 0.1)
cfgI=(--sizes 784,40,30,10 --epochs 1 --train-size 1500 --batch-size 600 --eta 2)
for name in A B C D E F G H I; do
  declare -n cfg=cfg$name
  "$nn2" train "${common[@]}" "${cfg[@]}" --threads 2 --save "$tmp/$name.alone.json" || fail "$name: alone"
  if [ -n "$plain" ]; then
    "$plain" train "${common[@]}" "${cfg[@]}" --threads 1 --save "$tmp/$name.plain.json" || fail "$name: plain build"
    same "$name: MPI build alone vs build without MPI" "$tmp/$name.plain.json" "$tmp/$name.alone.json"
  fi
  for np in 1 2 3 4; do
    threads=$(( np <= 2 ? 2 : 1 ))
    "${mpirun[@]}" -np $np "$nn2" train "${common[@]}" "${cfg[@]}" --threads $threads \
      --save "$tmp/$name.np$np.json" >"$tmp/log" 2>&1 || { fail "$name: -np $np"; cat "$tmp/log"; }
    same "$name: -np $np x $threads threads" "$tmp/$name.alone.json" "$tmp/$name.np$np.json"
  done
done

# 2. a killed rank, then resuming its checkpoint with a different number of ranks
run=(--sizes 784,60,10 --epochs 6 --train-size 4000 --threads 1 --seed 5 --momentum 0.5 --eta 0.2)
"$nn2" train "${common[@]}" "${run[@]}" --save "$tmp/full.json" || fail "uninterrupted run"
# each checkpoint write is held back 400 ms, so the run lasts long enough to be killed
NN2_TEST_TAG=$tmp NN2_TEST_SLOW_WRITE_MS=400 "${mpirun[@]}" -np 2 "$nn2" train "${common[@]}" "${run[@]}" \
  --checkpoint "$tmp/ck" --save "$tmp/killed.json" >"$tmp/kill.log" 2>&1 &
job=$!
for _ in $(seq 600); do [ -f "$tmp/ck" ] && break; sleep 0.05; done
victim="" # rank 1 of this job: the process whose environment has both (no pgrep needed)
for env in /proc/[0-9]*/environ; do
  vars=$( { tr '\0' '\n' <"$env"; } 2>/dev/null ) || continue
  if grep -qx "OMPI_COMM_WORLD_RANK=1" <<<"$vars" && grep -qx "NN2_TEST_TAG=$tmp" <<<"$vars"; then
    victim=${env#/proc/}; victim=${victim%/environ}
  fi
done
checks=$((checks+1))
if [ -z "$victim" ] || [ ! -f "$tmp/ck" ]; then
  fail "kill: no checkpoint or no rank 1 to kill (job already over?)"; wait $job
else
  kill -9 "$victim"
  for _ in $(seq 600); do kill -0 $job 2>/dev/null || break; sleep 0.1; done
  kill -0 $job 2>/dev/null && { fail "kill: the job still runs 60 s after rank 1 died"; kill -9 $job; }
  wait $job; rc=$?
  [ $rc != 0 ] || fail "kill: mpirun exited 0 after rank 1 was killed"
  grep -qi "signal 9\|killed" "$tmp/kill.log" || { fail "kill: no message about the killed rank"; cat "$tmp/kill.log"; }
  sed "s/^/  kill.log: /" "$tmp/kill.log" | head -12
  [ ! -f "$tmp/killed.json" ] || fail "kill: a model was written by the killed job"
  "${mpirun[@]}" -np 3 "$nn2" train "${common[@]}" "${run[@]}" --resume "$tmp/ck" --checkpoint "$tmp/ck" \
    --save "$tmp/resumed.json" >"$tmp/log" 2>&1 || { fail "resume with 3 ranks"; cat "$tmp/log"; }
  same "killed at 2 ranks, resumed at 3" "$tmp/full.json" "$tmp/resumed.json"
fi

# 3. SIGUSR1 (which mpirun passes on): every rank stops at the end of the epoch, rank 0 writes
# the checkpoint, exit 128+10; resuming with 1 rank gives the uninterrupted model
rm -f "$tmp/ck"
NN2_TEST_SLOW_WRITE_MS=400 "${mpirun[@]}" -np 2 "$nn2" train "${common[@]}" "${run[@]}" \
  --checkpoint "$tmp/ck" --save "$tmp/stopped.json" >"$tmp/usr1.log" 2>&1 &
job=$!
for _ in $(seq 600); do [ -f "$tmp/ck" ] && break; sleep 0.05; done
kill -USR1 $job
wait $job; rc=$?
checks=$((checks+1))
if [ $rc != 138 ] || ! grep -q "SIGUSR1: stopped after epoch" "$tmp/usr1.log" || [ -f "$tmp/stopped.json" ]; then
  fail "SIGUSR1: exit $rc (want 138), model written: $([ -f "$tmp/stopped.json" ] && echo yes || echo no)"
  cat "$tmp/usr1.log"
fi
"$nn2" train "${common[@]}" "${run[@]}" --resume "$tmp/ck" --save "$tmp/resumed1.json" || fail "resume after SIGUSR1"
same "stopped by SIGUSR1 at 2 ranks, resumed alone" "$tmp/full.json" "$tmp/resumed1.json"

# 4. errors
expect() { # expect CODE PATTERN COUNT -- command...
  local code=$1 pat=$2 count=$3; shift 4
  checks=$((checks+1))
  "$@" >"$tmp/out" 2>&1; local rc=$?
  local n; n=$(grep -c -- "$pat" "$tmp/out")
  if [ "$rc" != "$code" ] || [ "$n" != "$count" ]; then
    fail "$* -> exit $rc (want $code), '$pat' seen $n times (want $count):"; sed 's/^/  | /' "$tmp/out"
  fi
}
expect 1 "$tmp/none/train-images" 1 -- "${mpirun[@]}" -np 2 "$nn2" train --data "$tmp/none" --no-fetch --threads 1
small=("${common[@]}" --sizes 784,20,10 --epochs 1 --threads 1)
expect 2 "do not have the same data" 1 -- "${mpirun[@]}" -np 1 "$nn2" train "${small[@]}" --train-size 1000 \
  : -np 1 "$nn2" train "${small[@]}" --train-size 1100
if [ -n "$plain" ]; then
  expect 2 "built without MPI" 2 -- "${mpirun[@]}" -np 2 "$plain" train "${small[@]}" --train-size 500
fi

echo "mpi: $checks checks, $fails failed"
[ $fails = 0 ]
