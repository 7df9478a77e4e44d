#!/usr/bin/env bash
# test_cli.sh NN2 DATA: the command line's exit codes and messages, and a small end-to-end run
# on the IDX fixtures (train -> save -> eval, metrics files).
set -u
nn2=$1; data=$2
fails=0; checks=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect() { # expect CODE PATTERN -- command...
  local code=$1 pat=$2; shift 3
  checks=$((checks+1))
  "$@" >"$tmp/out" 2>&1; local rc=$?
  if [ "$rc" != "$code" ] || ! grep -q -- "$pat" "$tmp/out"; then
    fails=$((fails+1)); echo "FAIL: $* -> exit $rc (want $code), output:"; sed 's/^/  | /' "$tmp/out"
  fi
}

expect 0 "--batch-size" -- "$nn2" --help
expect 0 "nn2 " -- "$nn2" --version
expect 0 "kernels:" -- "$nn2" info
expect 0 "^built with: .*zlib" -- "$nn2" info # the fixtures below are partly gzip files
expect 2 "no command" -- "$nn2"
expect 2 "unknown command" -- "$nn2" fly
expect 2 "\-\-epochs -1" -- "$nn2" train --epochs -1
expect 2 "\-\-eta abc" -- "$nn2" train --eta abc
expect 2 "\-\-lr nan" -- "$nn2" train --lr nan
expect 2 "\-\-bogus" -- "$nn2" train --bogus
expect 2 "needs a value" -- "$nn2" train --epochs
expect 2 "\-\-sizes" -- "$nn2" train --sizes 784,0,10
expect 2 "\-\-sizes" -- "$nn2" train --sizes 784
expect 2 "\-\-sizes 784,,10: an empty entry" -- "$nn2" train --sizes 784,,10
expect 2 "\-\-sizes 784,30,10,: an empty entry" -- "$nn2" train --sizes 784,30,10,
expect 2 "\-\-activation relu,,tanh: an empty entry" -- "$nn2" train --sizes 784,30,30,10 --activation relu,,tanh
expect 2 "\-\-dropout ,0.5: an empty entry" -- "$nn2" train --dropout ,0.5
expect 2 "\-\-batch-size 0" -- "$nn2" train --batch-size 0
for flag in --data --save --metrics --metrics-json --checkpoint --resume; do
  expect 2 "^nn2: $flag \"\": an empty path" -- "$nn2" train $flag ""
done
expect 2 "^nn2: --model \"\": an empty path" -- "$nn2" eval --model=
expect 2 "\-\-threads" -- "$nn2" train --threads 100000
expect 2 "\-\-cost hinge" -- "$nn2" train --cost hinge
expect 2 "\-\-init" -- "$nn2" train --init tiny
expect 2 "\-\-model" -- "$nn2" eval
expect 2 "unexpected argument" -- "$nn2" train extra
expect 1 "/nonexistent-nn2/train-images" -- "$nn2" train --data /nonexistent-nn2 --no-fetch
expect 1 "$tmp/none.json" -- "$nn2" eval --model "$tmp/none.json" --data "$data/idx"
expect 2 "784 inputs" -- "$nn2" train --data "$data/idx" --train-size 5 --validation-size 3
expect 2 "\-\-train-size" -- "$nn2" train --data "$data/idx" --train-size 7 --validation-size 3 --sizes 16,10

# chapter-3 flags: nonsense combinations are refused
expect 2 "log-likelihood cost needs a softmax output" -- "$nn2" train --cost log-likelihood --output sigmoid
expect 2 "cross-entropy cost needs a sigmoid output" -- "$nn2" train --output softmax
# the network's flags are refused before the data are looked at (no data here: otherwise exit 1)
expect 2 "cross-entropy cost needs a sigmoid output" -- "$nn2" train --output softmax --data "$tmp/none"
expect 2 "\-\-activation: give one activation, or one per hidden layer" -- "$nn2" train --sizes 784,30,10 --activation relu,tanh --data "$tmp/none"
expect 2 "\-\-activation" -- "$nn2" train --activation relu,tanh
expect 2 "\-\-activation swish" -- "$nn2" train --activation swish
expect 2 "\-\-dropout 1.5" -- "$nn2" train --dropout 1.5
expect 2 "\-\-dropout: the network has no hidden layer" -- "$nn2" train --sizes 784,10 --dropout 0.5
expect 2 "\-\-nesterov" -- "$nn2" train --nesterov
expect 2 "\-\-momentum 1" -- "$nn2" train --momentum 1
expect 2 "\-\-schedule cosine" -- "$nn2" train --schedule cosine
expect 2 "\-\-reg l3" -- "$nn2" train --reg l3
expect 2 "\-\-bind tight" -- "$nn2" train --bind tight
# more threads than get units of their own: training runs on those that do, and says so
expect 0 "Epoch 0: .*\[2 threads: the network's units go to at most 2 of the 4 threads\]" -- "$nn2" train \
  --data "$data/idx" --sizes 16,30,10 --train-size 5 --validation-size 3 --epochs 1 --threads 4
expect 0 "thread  1 -> PU  8 (core  4) -> NUMA node 1" -- env HWLOC_SYNTHETIC="pack:2 numa:1 l3:1 core:4 pu:2" "$nn2" info --threads 4 --bind spread
expect 2 "need evaluation data" -- "$nn2" train --data "$data/idx" --sizes 16,10 --train-size 8 --validation-size 0 --no-monitor-evaluation-accuracy --early-stop 3
expect 0 "Epoch 2:.*accuracy on evaluation data: [0-9]* / 3" -- "$nn2" train --data "$data/idx" --sizes 16,6,5,10 \
  --activation relu,tanh --cost log-likelihood --dropout 0.5,0.2 --momentum 0.9 --nesterov --reg l1 --init he \
  --schedule plateau --plateau 1 --expand --train-size 5 --validation-size 3 --epochs 3 --batch-size 4 --save "$tmp/c3.json"
checks=$((checks+1))
/usr/bin/python3 - "$tmp/c3.json" <<'PY' || { fails=$((fails+1)); echo "FAIL: chapter-3 model file"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "nn2" and d["version"] == 1 and d["cost"] == "LogLikelihoodCost", d.keys()
assert d["activations"] == ["relu", "tanh"] and d["output"] == "softmax" and d["dropout"] == [0.5, 0.2], d
PY
expect 0 "accuracy on test data" -- "$nn2" eval --model "$tmp/c3.json" --data "$data/idx"

# divergence: exit 3 naming layer and epoch; the model and checkpoint of an earlier run are
# left as they were
"$nn2" train --data "$data/idx" --sizes 16,6,10 --train-size 5 --validation-size 3 --epochs 1 --quiet \
  --save "$tmp/good.json" --checkpoint "$tmp/good.ck" >/dev/null 2>&1
cp "$tmp/good.json" "$tmp/good.json.orig"; rm -f "$tmp/good.ck"
# eta 10 diverges after some good epochs under every kernel set (in epoch 3 with the scalar and
# AVX2 kernels, here and on aarch64, 6 with AVX-512); eta 1e6 diverged in epoch 0 except with
# AVX-512, which left no checkpoint to resume below on a CPU without it
expect 3 "diverged in epoch [1-9].*layer" -- "$nn2" train --data "$data/idx" --sizes 16,6,10 --activation relu \
  --cost log-likelihood --eta 10 --train-size 5 --validation-size 3 --epochs 10 --batch-size 1 \
  --save "$tmp/good.json" --checkpoint "$tmp/good.ck"
checks=$((checks+1))
cmp -s "$tmp/good.json" "$tmp/good.json.orig" || { fails=$((fails+1)); echo "FAIL: model file touched by a diverged run"; }
# the checkpoint holds the last good epoch: resuming from it reads fine (and diverges again)
expect 3 "diverged" -- "$nn2" train --data "$data/idx" --sizes 16,6,10 --activation relu \
  --cost log-likelihood --eta 10 --train-size 5 --validation-size 3 --epochs 10 --batch-size 1 \
  --resume "$tmp/good.ck"

# --checkpoint-every 0: no checkpoint at the epochs or at the end; 2: at epoch 2 and the end (3)
for every in 0 2; do
  rm -f "$tmp/e.ck"
  "$nn2" train --data "$data/idx" --sizes 16,6,10 --train-size 5 --validation-size 3 --epochs 3 --quiet \
    --checkpoint "$tmp/e.ck" --checkpoint-every $every >/dev/null 2>&1
  checks=$((checks+1))
  if [ "$every" = 0 ] && [ -e "$tmp/e.ck" ]; then fails=$((fails+1)); echo "FAIL: --checkpoint-every 0 wrote a checkpoint"; fi
  if [ "$every" = 2 ] && [ ! -s "$tmp/e.ck" ]; then fails=$((fails+1)); echo "FAIL: --checkpoint-every 2 wrote no checkpoint"; fi
done

# fewer: refused before training, naming the flag and the data
expect 2 "^nn2: --sizes ends in 9 outputs but the labels in $data/idx/\* have 10 classes (0-9)" -- "$nn2" train \
  --data "$data/idx" --sizes 16,5,9 --train-size 5 --validation-size 3
# more outputs than the data has classes: legal, with a note naming the unused outputs
expect 0 "^nn2: note: --sizes ends in 12 outputs but the data has 10 classes; outputs 10-11 are never a target" -- \
  "$nn2" train --data "$data/idx" --sizes 16,5,12 --train-size 5 --validation-size 3 --epochs 1 --quiet
expect 0 "^nn2: note: --sizes ends in 11 outputs but the data has 10 classes; output 10 is never a target" -- \
  "$nn2" train --data "$data/idx" --sizes 16,5,11 --train-size 5 --validation-size 3 --epochs 1 --quiet
checks=$((checks+1))
if "$nn2" train --data "$data/idx" --sizes 16,5,10 --train-size 5 --validation-size 3 --epochs 1 --quiet 2>&1 | grep -q "note: --sizes"; then
  fails=$((fails+1)); echo "FAIL: the outputs note printed for 10 outputs on 10 classes"
fi

# end to end on the fixtures
expect 0 "Epoch 1:.*accuracy on evaluation data: [0-9]* / 3" -- "$nn2" train --data "$data/idx" --sizes 16,5,10 \
  --train-size 5 --validation-size 3 --epochs 2 --batch-size 2 --monitor-training-cost \
  --save "$tmp/m.json" --metrics "$tmp/m.csv" --metrics-json "$tmp/m.json.metrics"
expect 0 "accuracy on test data: [0-9]* / 3" -- "$nn2" eval --model "$tmp/m.json" --data "$data/idx"
expect 0 "accuracy on validation data: [0-9]* / 3" -- "$nn2" eval --model "$tmp/m.json" --data "$data/idx" --set validation --train-size 5 --validation-size 3
checks=$((checks+1))
if /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sorted(d) == ['biases','cost','sizes','weights'] else 1)" "$tmp/m.json"; then :; else
  fails=$((fails+1)); echo "FAIL: a sigmoid model must have exactly network2's four keys"; fi
checks=$((checks+1))
if [ "$(wc -l < "$tmp/m.csv")" != 3 ] || ! head -1 "$tmp/m.csv" | grep -q '^epoch,seconds,eta,evaluation_cost,evaluation_accuracy,training_cost,training_accuracy$'; then
  fails=$((fails+1)); echo "FAIL: metrics CSV"; cat "$tmp/m.csv"
fi
checks=$((checks+1))
/usr/bin/python3 - "$tmp/m.json.metrics" <<'PY' || { fails=$((fails+1)); echo "FAIL: metrics JSON"; }
import json, sys
ec, ea, tc, ta = json.load(open(sys.argv[1]))
assert ec == [] and len(ea) == 2 and len(tc) == 2 and ta == [], (ec, ea, tc, ta)
assert all(isinstance(v, (int, float)) for v in ea + tc)
PY
# nn2 eval --confusion and nn2 predict on the fixtures' test set (3 images)
expect 0 "^confusion matrix (rows: true label, columns: answer):" -- "$nn2" eval --model "$tmp/m.json" --data "$data/idx" --confusion
checks=$((checks+1))
correct=$(sed -n 's/^accuracy on test data: \([0-9]*\) .*/\1/p' "$tmp/out")
# rows of the matrix: "label count_0 ... count_9 recall"; the diagonal is the correct count
read -r diag total <<<"$(awk '$1 ~ /^[0-9]+$/ && NF == 12 {d += $($1 + 2); for (i = 2; i <= 11; i++) t += $i} END {print d + 0, t + 0}' "$tmp/out")"
if [ -z "$correct" ] || [ "$diag" != "$correct" ] || [ "$total" != 3 ] || ! grep -q "^precision" "$tmp/out"; then
  fails=$((fails+1)); echo "FAIL: confusion matrix: diagonal $diag, total $total, accuracy's count '$correct'"; cat "$tmp/out"
fi
# --out: the matrix as CSV, the printed one's counts
expect 0 "^nn2: confusion matrix written to $tmp/c.csv" -- "$nn2" eval --model "$tmp/m.json" --data "$data/idx" --confusion --out "$tmp/c.csv"
checks=$((checks+1))
/usr/bin/python3 - "$tmp/c.csv" "$tmp/out" <<'PY' || { fails=$((fails+1)); echo "FAIL: confusion CSV"; cat "$tmp/c.csv"; }
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["label"] + ["answer_%d" % p for p in range(10)], rows[0]
printed = [l.split() for l in open(sys.argv[2]) if re.match(r"^ +[0-9]+ ", l) and "recall" not in l]
assert len(rows) == 11 and len(printed) == 10, (rows, printed)
for r, q in zip(rows[1:], printed):
    assert r == q[:11], (r, q)
assert sum(int(v) for r in rows[1:] for v in r[1:]) == 3
PY
expect 2 "^nn2: --out $tmp/c.csv: only for nn2 predict and nn2 eval --confusion" -- "$nn2" eval --model "$tmp/m.json" --data "$data/idx" --out "$tmp/c.csv"
expect 2 "^nn2: --out $data/idx/t10k-labels.idx1-ubyte.gz: the same file as --labels" -- "$nn2" eval --model "$tmp/m.json" \
  --images "$data/idx/t10k-images-idx3-ubyte.gz" --labels "$data/idx/t10k-labels.idx1-ubyte.gz" --confusion --out "$data/idx/t10k-labels.idx1-ubyte.gz"
expect 1 "^nn2: --out $tmp/no-dir/c.csv: cannot create" -- "$nn2" eval --model "$tmp/m.json" --data "$data/idx" --confusion --out "$tmp/no-dir/c.csv"
expect 0 "3 predictions written to $tmp/p.csv" -- "$nn2" predict --model "$tmp/m.json" --images "$data/idx/t10k-images-idx3-ubyte.gz" --out "$tmp/p.csv"
checks=$((checks+1))
/usr/bin/python3 - "$tmp/p.csv" "$data/idx/t10k-labels.idx1-ubyte.gz" "$correct" <<'PY' || { fails=$((fails+1)); echo "FAIL: predictions CSV"; cat "$tmp/p.csv"; }
import csv, gzip, math, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["index", "prediction"] + ["output_%d" % j for j in range(10)], rows[0]
assert len(rows) == 4 and [int(r[0]) for r in rows[1:]] == [0, 1, 2], rows
labels = gzip.open(sys.argv[2]).read()[8:]
for r in rows[1:]:
    out = [float(v) for v in r[2:]]
    assert all(0.0 < v < 1.0 for v in out), out  # sigmoid outputs
    assert int(r[1]) == out.index(max(out)), r  # the answer is the largest output
assert sum(int(r[1]) == labels[i] for i, r in enumerate(rows[1:])) == int(sys.argv[3]), (rows, list(labels))
PY
# to standard output, and on any thread count: the same bytes
checks=$((checks+1))
"$nn2" predict --model "$tmp/m.json" --images "$data/idx/t10k-images-idx3-ubyte.gz" --threads 1 > "$tmp/p1.csv" 2>/dev/null
"$nn2" predict --model "$tmp/m.json" --images "$data/idx/t10k-images-idx3-ubyte.gz" --threads 3 > "$tmp/p3.csv" 2>/dev/null
if ! cmp -s "$tmp/p1.csv" "$tmp/p.csv" || ! cmp -s "$tmp/p3.csv" "$tmp/p.csv"; then
  fails=$((fails+1)); echo "FAIL: nn2 predict to stdout or on 1 and 3 threads differs from --out's file"
fi
rm -f "$tmp/p1.csv" "$tmp/p3.csv"
expect 2 "^nn2: --images: predict needs --images FILE" -- "$nn2" predict --model "$tmp/m.json"
expect 2 "^nn2: --model: predict needs --model FILE" -- "$nn2" predict --images "$data/idx/t10k-images-idx3-ubyte.gz"
expect 2 "^nn2: --images x: only for nn2 predict and nn2 eval" -- "$nn2" train --images x
expect 2 "^nn2: --out x: only for nn2 predict and nn2 eval --confusion" -- "$nn2" train --out x
expect 2 "^nn2: --confusion: only for nn2 eval" -- "$nn2" predict --model "$tmp/m.json" --images x --confusion
expect 2 "^nn2: --out \"\": an empty path" -- "$nn2" predict --model "$tmp/m.json" --images x --out ""
expect 2 "^nn2: --out $tmp/./m.json: the same file as --model" -- "$nn2" predict --model "$tmp/m.json" \
  --images "$data/idx/t10k-images-idx3-ubyte.gz" --out "$tmp/./m.json"
expect 1 "^nn2: $tmp/none-idx3: cannot open" -- "$nn2" predict --model "$tmp/m.json" --images "$tmp/none-idx3"
expect 1 "^nn2: $data/idx/t10k-labels.idx1-ubyte.gz: bad magic number" -- "$nn2" predict --model "$tmp/m.json" \
  --images "$data/idx/t10k-labels.idx1-ubyte.gz" --out "$tmp/bad.csv"
expect 1 "^nn2: $data/idx_bad/truncated-idx3-ubyte: truncated" -- "$nn2" predict --model "$tmp/m.json" \
  --images "$data/idx_bad/truncated-idx3-ubyte" --out "$tmp/bad.csv"
expect 1 "^nn2: --out $tmp/no-dir/p.csv: cannot create" -- "$nn2" predict --model "$tmp/m.json" \
  --images "$data/idx/t10k-images-idx3-ubyte.gz" --out "$tmp/no-dir/p.csv"
# images of another size than the network's inputs: refused, naming both files and sizes
printf '{"sizes": [9, 2], "weights": [[[0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0]]], "biases": [[[0],[0]]], "cost": "CrossEntropyCost"}' > "$tmp/nine.json"
expect 2 "^nn2: $data/idx/t10k-images-idx3-ubyte.gz (4x4) against $tmp/nine.json: .*16 pixels but the network has 9 inputs" -- \
  "$nn2" predict --model "$tmp/nine.json" --images "$data/idx/t10k-images-idx3-ubyte.gz" --out "$tmp/bad.csv"
checks=$((checks+1))
if [ -e "$tmp/bad.csv" ] || [ -e "$tmp/no-dir" ]; then fails=$((fails+1)); echo "FAIL: a failed nn2 predict left an output file"; fi
# nn2 eval on an image file and a label file of any names: the same figures as --data's test set
expect 0 "^accuracy on $data/idx/t10k-images-idx3-ubyte.gz: $correct / 3 " -- "$nn2" eval --model "$tmp/m.json" \
  --images "$data/idx/t10k-images-idx3-ubyte.gz" --labels "$data/idx/t10k-labels.idx1-ubyte.gz" --confusion
checks=$((checks+1))
"$nn2" eval --model "$tmp/m.json" --data "$data/idx" --confusion > "$tmp/dir.txt" 2>&1
same_set() { sed 's/^\(accuracy\|cost\) on [^:]*:/\1:/' "$1"; }
if ! diff <(same_set "$tmp/out") <(same_set "$tmp/dir.txt") >/dev/null || [ "$(wc -l < "$tmp/out")" != 15 ]; then
  fails=$((fails+1)); echo "FAIL: eval on the files differs from eval on --data's test set"; cat "$tmp/out" "$tmp/dir.txt"
fi
expect 2 "^nn2: --images $data/idx/t10k-images-idx3-ubyte.gz: nn2 eval needs --labels FILE" -- "$nn2" eval --model "$tmp/m.json" \
  --images "$data/idx/t10k-images-idx3-ubyte.gz"
expect 2 "^nn2: --labels x: only for nn2 eval, with --images" -- "$nn2" eval --model "$tmp/m.json" --labels x
expect 2 "^nn2: --labels x: only for nn2 eval, with --images" -- "$nn2" predict --model "$tmp/m.json" --images y --labels x
expect 2 "^nn2: --set: not with --images" -- "$nn2" eval --model "$tmp/m.json" --images x --labels y --set test
expect 1 "^nn2: $data/idx_bad/count-mismatch-idx1-ubyte: 7 labels but" -- "$nn2" eval --model "$tmp/m.json" \
  --images "$data/idx/train-images-idx3-ubyte" --labels "$data/idx_bad/count-mismatch-idx1-ubyte"
printf '{"sizes": [16, 5], "weights": [[%s]], "biases": [[[0],[0],[0],[0],[0]]], "cost": "CrossEntropyCost"}' \
  "$(printf '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],%.0s' 1 2 3 4 | sed 's/,$//'),[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]" > "$tmp/five.json"
expect 2 "^nn2: $data/idx/t10k-labels.idx1-ubyte.gz: label 7 of item 0, but $tmp/five.json has 5 outputs" -- "$nn2" eval \
  --model "$tmp/five.json" --images "$data/idx/t10k-images-idx3-ubyte.gz" --labels "$data/idx/t10k-labels.idx1-ubyte.gz"
rm -f "$tmp/p.csv" "$tmp/nine.json" "$tmp/five.json" "$tmp/dir.txt"
# a dataset of the MNIST family named as EMNIST names its files (a prefix, "test" for "t10k"),
# with 47 classes (labels 0-46): trained and scored with --data-prefix
em="$tmp/em"; mkdir -p "$em"
cp "$data/idx/train-images-idx3-ubyte" "$em/emnist-t-train-images-idx3-ubyte"
cp "$data/idx/t10k-images-idx3-ubyte.gz" "$em/emnist-t-test-images-idx3-ubyte.gz"
printf '\x00\x00\x08\x01\x00\x00\x00\x08\x00\x2e\x03\x0c\x05\x01\x14\x06' > "$em/emnist-t-train-labels-idx1-ubyte"
printf '\x00\x00\x08\x01\x00\x00\x00\x03\x02\x1e\x09' > "$em/emnist-t-test-labels-idx1-ubyte"
expect 0 "Epoch 1: accuracy on evaluation data: [0-9]* / 3" -- "$nn2" train --data "$em" --data-prefix emnist-t- \
  --sizes 16,8,47 --train-size 5 --validation-size 3 --epochs 2 --save "$tmp/em.json"
expect 2 "^nn2: --sizes ends in 10 outputs but the labels in $em/emnist-t-\* have 47 classes (0-46)" -- "$nn2" train --data "$em" \
  --data-prefix emnist-t- --train-size 5 --validation-size 3 --sizes 16,8,10
expect 0 "^accuracy on test data: [0-9]* / 3" -- "$nn2" eval --model "$tmp/em.json" --data "$em" --data-prefix emnist-t- --confusion
checks=$((checks+1))
if [ "$(awk '$1 ~ /^[0-9]+$/ && NF == 49' "$tmp/out" | wc -l)" != 47 ]; then
  fails=$((fails+1)); echo "FAIL: the 47-class confusion matrix has not 47 rows of 47 answers"; fi
expect 1 "^nn2: $em/emnist-u-train-images-idx3-ubyte\[.gz\]: not found" -- "$nn2" train --data "$em" --data-prefix emnist-u-
rm "$em/emnist-t-test-images-idx3-ubyte.gz"
expect 1 "^nn2: $em/emnist-t-t10k-images-idx3-ubyte\[.gz\]: not found (nor the '.idx3' spelling, nor 'test' for 't10k')" -- \
  "$nn2" eval --model "$tmp/em.json" --data "$em" --data-prefix emnist-t-
expect 2 "^nn2: --data-prefix a/b: a prefix of file names" -- "$nn2" train --data-prefix a/b
expect 2 "^nn2: --fetch: fetches MNIST" -- "$nn2" train --data-prefix x- --fetch
expect 2 "^nn2: --data-prefix x-: only for nn2 train and nn2 eval" -- "$nn2" predict --model m --images i --data-prefix x-
rm -rf "$em" "$tmp/em.json"
# a failed save exits 1 naming the path, and leaves nothing half-written
expect 1 "$tmp/no-dir/m.json" -- "$nn2" train --data "$data/idx" --sizes 16,5,10 --train-size 5 --validation-size 3 --epochs 1 --save "$tmp/no-dir/m.json"
# ... and every output path is checked before any training: no epoch runs for a bad one
for flag in --save --metrics --metrics-json --checkpoint; do
  expect 1 "^nn2: $flag $tmp/no-dir/out: cannot create" -- "$nn2" train --data "$data/idx" --sizes 16,5,10 \
    --train-size 5 --validation-size 3 --epochs 1 $flag "$tmp/no-dir/out"
  checks=$((checks+1))
  if grep -q "Epoch" "$tmp/out"; then fails=$((fails+1)); echo "FAIL: $flag to a missing directory trained first"; fi
done
expect 1 "^nn2: --save $tmp: is a directory" -- "$nn2" train --data "$data/idx" --sizes 16,5,10 --train-size 5 \
  --validation-size 3 --epochs 1 --save "$tmp"
expect 2 "^nn2: --checkpoint $tmp/x: the same file as --metrics" -- "$nn2" train --metrics "$tmp/x" --checkpoint "$tmp/x"
expect 2 "^nn2: --metrics-json $tmp/x: the same file as --save" -- "$nn2" train --save "$tmp/x" --metrics-json "$tmp/x"
# ... however it is spelled: ./, dir/../, a symbolic link to it
mkdir -p "$tmp/d1" "$tmp/d2"
expect 2 "^nn2: --metrics $tmp/./x: the same file as --save" -- "$nn2" train --save "$tmp/x" --metrics "$tmp/./x"
expect 2 "^nn2: --checkpoint $tmp/d1/../x: the same file as --save" -- "$nn2" train --save "$tmp/x" --checkpoint "$tmp/d1/../x"
: > "$tmp/d1/real.csv"; ln -s "$tmp/d1/real.csv" "$tmp/link.csv"
expect 2 "^nn2: --metrics $tmp/link.csv: the same file as --save" -- "$nn2" train --save "$tmp/d1/real.csv" --metrics "$tmp/link.csv"
rm -f "$tmp/d1/real.csv" "$tmp/link.csv"
# ... while the same name in two directories is two files
expect 0 "Epoch 0" -- "$nn2" train --data "$data/idx" --sizes 16,5,10 --train-size 5 --validation-size 3 --epochs 1 \
  --save "$tmp/d1/m.json" --metrics-json "$tmp/d2/m.json"
checks=$((checks+1))
if [ ! -s "$tmp/d1/m.json" ] || [ ! -s "$tmp/d2/m.json" ]; then fails=$((fails+1)); echo "FAIL: d1/m.json and d2/m.json not both written"; fi
rm -rf "$tmp/d1" "$tmp/d2"
checks=$((checks+1))
if ls "$tmp" | grep -q tmp; then fails=$((fails+1)); echo "FAIL: temporary files left: $(ls "$tmp")"; fi

echo "$((checks-fails)) passed, $fails failed"
[ "$fails" = 0 ]
