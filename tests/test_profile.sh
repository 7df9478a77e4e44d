#!/usr/bin/env bash
# test_profile.sh NN2 DATA [PLAIN_NN2]: the step profile of a -DNN2_PROFILE=ON build.
#  - one line per thread of the team, each with the steps it ran (epochs x mini-batches), six
#    phases and a total equal to their sum; the header names the phases;
#  - for 1, 2 and 3 threads, and for a network with two hidden layers (more barriers);
#  - the profile changes no result: the models equal those of PLAIN_NN2 (a build without it),
#    which prints no profile.
set -u
nn2=$1; data=$2; plain=${3:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0; checks=0
fail() { fails=$((fails+1)); echo "FAIL: $*"; }

# train BIN SIZES THREADS EPOCHS MODEL ERR: the fixture (5 samples, mini-batches of 2: 3 steps an
# epoch), the model saved to MODEL, stderr to ERR
train() {
  "$1" train --data "$data" --sizes "$2" --train-size 5 --validation-size 3 --batch-size 2 \
    --epochs "$4" --threads "$3" --quiet --save "$5" 2>"$6" >/dev/null
}

# check SIZES THREADS EPOCHS: trains and checks the report
check() {
  local sizes=$1 threads=$2 epochs=$3 steps=$(( $3 * 3 ))
  checks=$((checks+1))
  train "$nn2" "$sizes" "$threads" "$epochs" "$tmp/p-$sizes-$threads.json" "$tmp/err" \
    || { fail "$sizes on $threads threads: exit $?"; cat "$tmp/err"; return; }
  grep -q "^thread    steps   pixels  forward   window     wait   output   update    total$" "$tmp/err" \
    || { fail "$sizes on $threads threads: no profile header"; cat "$tmp/err"; return; }
  awk -v n="$threads" -v steps="$steps" '
    /^ *[0-9]+ +[0-9]+ / {
      rows++; if ($1 != rows - 1) { print "thread " $1 " in row " rows; bad = 1 }
      if ($2 != steps) { print "thread " $1 ": " $2 " steps, want " steps; bad = 1 }
      if (NF != 9) { print "thread " $1 ": " NF " fields"; bad = 1 }
      sum = 0; for (i = 3; i <= 8; i++) { if ($i < 0) bad = 1; sum += $i }
      if (sum - $9 > 4 || $9 - sum > 4) { print "thread " $1 ": total " $9 ", phases sum to " sum; bad = 1 }
    }
    END { if (rows != n) { print rows " rows, want " n; bad = 1 } exit bad }' "$tmp/err" \
    || { fail "$sizes on $threads threads"; cat "$tmp/err"; return; }
  if [ -n "$plain" ]; then
    checks=$((checks+1))
    train "$plain" "$sizes" "$threads" "$epochs" "$tmp/q.json" "$tmp/perr" || fail "plain nn2, $sizes on $threads threads"
    cmp -s "$tmp/p-$sizes-$threads.json" "$tmp/q.json" || fail "$sizes on $threads threads: the model differs from the plain build's"
    ! grep -q "nn2 profile" "$tmp/perr" || fail "the plain build printed a profile"
  fi
}

# first hidden layers of 3 slices of 16 units: a team of 3 gives every thread units of its own
# (with fewer, nn2 trains on fewer threads, and prints fewer rows)
check 16,48,10 1 3
check 16,48,10 2 3
check 16,48,10 3 3
check 16,48,5,10 2 2
check 16,48,5,10 3 2
echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
