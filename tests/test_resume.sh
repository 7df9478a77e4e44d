#!/usr/bin/env bash
# test_resume.sh NN2 DATA_DIR: checkpoint and resume on real MNIST (skipped, 77, without it).
#  - a run killed with SIGKILL at six random moments (one of them while the checkpoint is being
#    written) and resumed each time ends with a model byte-identical to an uninterrupted run's;
#  - SIGINT and SIGTERM stop after the mini-batch in progress, write the checkpoint, exit
#    130/143, and the resumed run is byte-identical too;
#  - a different batch size (maths) or training set is refused; a different thread count is
#    allowed;
#  - a corrupt or truncated checkpoint is refused with a message naming it.
set -u
nn2=$1; data=$2
[ -f "$data/train-images-idx3-ubyte" ] || [ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "no MNIST: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0; checks=0
fail() { fails=$((fails+1)); echo "FAIL: $*"; }
ARGS=(--data "$data" --no-fetch --sizes 784,100,10 --train-size 20000 --epochs 12 --momentum 0.5 --eta 0.1
      --dropout 0.2 --activation relu --quiet)

"$nn2" train "${ARGS[@]}" --save "$tmp/ref.json" || fail "reference run"

# SIGKILL at 6 random moments (the third while a checkpoint is being written), resuming each
# time, then a last resumed run to the end
kills=0; in_write=0; rounds=0
rm -f "$tmp/ck"
while [ $rounds -lt 7 ]; do
  rounds=$((rounds+1))
  resume=(); [ -f "$tmp/ck" ] && resume=(--resume "$tmp/ck")
  if [ $rounds = 7 ]; then
    "$nn2" train "${ARGS[@]}" --checkpoint "$tmp/ck" "${resume[@]}" --save "$tmp/out.json" || fail "final resumed run"
    break
  fi
  if [ $rounds = 3 ]; then
    # hold each checkpoint write open for 400 ms and kill inside it; a temporary file that an
    # earlier round's kill left is removed first (nn2 removes it too, when it starts: the loop
    # below could see it, and then not see it, and let this round run to its end)
    rm -f "$tmp"/ck.tmp.*
    NN2_TEST_SLOW_WRITE_MS=400 "$nn2" train "${ARGS[@]}" --checkpoint "$tmp/ck" "${resume[@]}" --save "$tmp/out.json" &
    pid=$!
    # (until the write begins or the run ends, however slow the machine: 5 s were too few for
    # the first epoch's write under emulation, qemu-aarch64)
    for _ in $(seq 1 30000); do
      ls "$tmp"/ck.tmp.* >/dev/null 2>&1 && break
      kill -0 $pid 2>/dev/null || break
      sleep 0.01
    done
    if ls "$tmp"/ck.tmp.* >/dev/null 2>&1 && kill -9 $pid 2>/dev/null; then in_write=1; kills=$((kills+1)); fi
    wait $pid 2>/dev/null
    continue
  fi
  # each checkpoint write (one per epoch) is held back 250 ms and the kill comes within 0.45 s,
  # so a round finishes at most two epochs of the 12 however fast training is: the run is
  # still going when it is killed
  NN2_TEST_SLOW_WRITE_MS=250 "$nn2" train "${ARGS[@]}" --checkpoint "$tmp/ck" "${resume[@]}" --save "$tmp/out.json" &
  pid=$!
  sleep "$(printf '0.%02d' $(( 5 + RANDOM % 40 )))"
  if kill -9 $pid 2>/dev/null; then kills=$((kills+1)); fi
  wait $pid 2>/dev/null
done
checks=$((checks+1))
echo "SIGKILL: $kills kills ($in_write during a checkpoint write) over $rounds runs"
[ $kills -ge 4 ] && [ $in_write = 1 ] || fail "too few kills ($kills, in write: $in_write)"
checks=$((checks+1))
cmp -s "$tmp/ref.json" "$tmp/out.json" && echo "killed and resumed: model byte-identical to the uninterrupted run" || fail "resumed model differs"

# SIGINT and SIGTERM
for sig in INT TERM; do
  rm -f "$tmp/ck2"
  NN2_TEST_SLOW_WRITE_MS=250 "$nn2" train "${ARGS[@]}" --checkpoint "$tmp/ck2" --save "$tmp/s.json" 2>"$tmp/err" &
  pid=$!; sleep 0.6; kill -$sig $pid; wait $pid; rc=$?
  want=$([ $sig = INT ] && echo 130 || echo 143)
  checks=$((checks+1))
  [ $rc = $want ] && grep -q -- "--resume $tmp/ck2" "$tmp/err" || { fail "SIG$sig: exit $rc, want $want"; cat "$tmp/err"; }
  "$nn2" train "${ARGS[@]}" --checkpoint "$tmp/ck2" --resume "$tmp/ck2" --threads 1 --save "$tmp/s.json" || fail "resume after SIG$sig"
  checks=$((checks+1))
  cmp -s "$tmp/ref.json" "$tmp/s.json" && echo "SIG$sig (exit $rc), resumed with another thread count: byte-identical" || fail "SIG$sig resumed model differs"
done

# refusals
checks=$((checks+1))
"$nn2" train "${ARGS[@]}" --batch-size 20 --resume "$tmp/ck" > "$tmp/o" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "batch-size" "$tmp/o" || { fail "changed batch size: exit $rc"; cat "$tmp/o"; }
checks=$((checks+1))
"$nn2" train "${ARGS[@]}" --train-size 19000 --resume "$tmp/ck" > "$tmp/o" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "$tmp/ck: the checkpoint was written with a different training set (--data, --train-size" "$tmp/o" || \
  { fail "changed training set: exit $rc"; cat "$tmp/o"; }
checks=$((checks+1))
cp "$tmp/ck" "$tmp/bad"; printf '\x55' | dd of="$tmp/bad" bs=1 seek=5000 conv=notrunc 2>/dev/null
"$nn2" train "${ARGS[@]}" --resume "$tmp/bad" > "$tmp/o" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "$tmp/bad: checksum mismatch" "$tmp/o" || { fail "corrupt checkpoint: exit $rc"; cat "$tmp/o"; }
checks=$((checks+1))
head -c 3000 "$tmp/ck" > "$tmp/short"
"$nn2" train "${ARGS[@]}" --resume "$tmp/short" > "$tmp/o" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "$tmp/short: truncated" "$tmp/o" || { fail "truncated checkpoint: exit $rc"; cat "$tmp/o"; }
checks=$((checks+1))
ls "$tmp"/ck.tmp.* >/dev/null 2>&1 && fail "temporary checkpoint files left behind"

echo "$((checks-fails)) passed, $fails failed"
[ "$fails" = 0 ]
