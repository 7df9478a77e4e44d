#!/usr/bin/env bash
# test_bench_flags.sh NN2_BENCH DATA: nn2-bench refuses bad flags with a message naming the flag
# and exit status 2, before loading anything; with MNIST in DATA, a short run writes its csv
# (header and one row per kernel set and thread count; on 2 threads of an x86 machine with 2
# cores, the hand-over probed beside the row), and a csv that cannot be written is refused up
# front.
set -u
bench=$1; data=$2
fails=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect() { # expect CODE PATTERN -- command...
  local code=$1 pat=$2; shift 3
  "$@" >"$tmp/out" 2>&1; local rc=$?
  if [ "$rc" != "$code" ] || ! grep -q -- "$pat" "$tmp/out"; then
    fails=$((fails+1)); echo "FAIL: $* -> exit $rc (want $code), output:"; sed 's/^/  | /' "$tmp/out"
  fi
}

for r in 0 61 -3 abc 3x ""; do expect 2 "\-\-reps takes an integer from 1 to 60, not '$r'" -- "$bench" --reps "$r"; done
expect 2 "\-\-reps needs a value" -- "$bench" --reps
for t in 0 1,,2 1,2, abc 2x 5000 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17; do
  expect 2 "\-\-threads takes .*not '$t'" -- "$bench" --threads "$t"
done
for c in B6 B1,B b1 , "" B1,,B2; do expect 2 "\-\-configs takes .*not '$c'" -- "$bench" --configs "$c"; done
expect 2 "\-\-csv '$tmp/no/such/dir/x.csv'" -- "$bench" --csv "$tmp/no/such/dir/x.csv"
expect 2 "\-\-csv '$tmp': not a file" -- "$bench" --csv "$tmp"
expect 2 "unknown argument '\-\-bogus'" -- "$bench" --bogus
expect 1 "$tmp/none/train-images" -- "$bench" --data "$tmp/none"
expect 2 "\-\-data '': an empty path" -- "$bench" --data ""

if [ -f "$data/train-images-idx3-ubyte" ] || [ -f "$data/train-images-idx3-ubyte.gz" ]; then
  expect 0 "^B1 " -- "$bench" --data "$data" --reps 1 --configs B1 --threads 1,2 --csv "$tmp/b.csv"
  rows=$(grep -c '^B1,[a-z0-9]*,[12],' "$tmp/b.csv" 2>/dev/null)
  sets=$(grep -c '^B1  \[' "$tmp/out")
  if ! head -1 "$tmp/b.csv" 2>/dev/null | grep -q '^config,kernels,threads,.*,handover_ns$' || [ "${rows:-0}" != "$sets" ]; then
    fails=$((fails+1)); echo "FAIL: the csv should have a header and $sets rows:"; cat "$tmp/b.csv"
  fi
  # handover_ns: empty on 1 thread; on 2, a number of nanoseconds where nn2-bench probes it
  if grep '^B1,[a-z0-9]*,1,' "$tmp/b.csv" 2>/dev/null | grep -qv ',$'; then
    fails=$((fails+1)); echo "FAIL: a 1-thread row has a hand-over:"; cat "$tmp/b.csv"
  fi
  if [ "$(uname -m)" = x86_64 ] && [ "$(nproc)" -ge 2 ] &&
     grep '^B1,[a-z0-9]*,2,' "$tmp/b.csv" | grep -qv ',[1-9][0-9]*$'; then
    fails=$((fails+1)); echo "FAIL: a 2-thread row has no hand-over:"; cat "$tmp/b.csv"
  fi
  ls "$tmp" | grep -v '^b.csv$\|^out$\|^none$' && { fails=$((fails+1)); echo "FAIL: a temporary file was left"; }
else
  echo "MNIST not in $data: the csv run is skipped"
fi
[ "$fails" = 0 ] && echo "nn2-bench flags: all checks passed"
exit $((fails > 0))
