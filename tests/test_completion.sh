#!/usr/bin/env bash
# completion: scripts/install/nn2.bash (installed as share/bash-completion/completions/nn2)
# completes the commands, every long option of the table in src/cli_args.c, the values nn2
# accepts after --activation, --cost, ... (each one checked against nn2 itself), directories
# after --data and files after the options that name one; after an option that takes a number
# it offers nothing.
# Usage: test_completion.sh NN2 SOURCE_DIR
set -uo pipefail
nn2=$(realpath "$1") src=$(realpath "$2")
source "$(dirname "$0")/check.sh" comp # $tmp, check
# complete WORD...: the completions of the last word of `nn2 WORD...`, one a line, sorted
complete_words() {
  (cd "$tmp/cwd" && bash -c '
    source "$1"; shift
    complete -p nn2 >/dev/null || exit 9
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _nn2
    printf "%s\n" "${COMPREPLY[@]}" | sed "/^\$/d" | sort' _ "$src/scripts/install/nn2.bash" "$nn2" "$@")
}
expect() { # expect "EXPECTED (space-separated)" WORD...
  local want=$1; shift
  [ "$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')" = "$want" ]
}
mkdir -p "$tmp/cwd/dir1/sub" && touch "$tmp/cwd/file1" "$tmp/cwd/dir1/file2"

check "the commands: nn2 <TAB>" expect "eval info predict train" ""
check "nn2 tr<TAB> -> train" expect "train" tr
table_options "$src" | sed 's/^/--/' | sort >"$tmp/table"
complete_words train -- >"$tmp/opts"
check "the option table read ($(wc -l <"$tmp/table") long options)" test "$(wc -l <"$tmp/table")" -ge 40
check "nn2 train --<TAB>: every long option of the table ($(wc -l <"$tmp/table")), no other" diff "$tmp/table" "$tmp/opts"
check "nn2 train --ep<TAB> -> --epochs" expect "--epochs" train --ep
check "nn2 eval --model m.json --conf<TAB> -> --confusion" expect "--confusion" eval --model m.json --conf
check "nn2 train --data <TAB>: directories only" expect "dir1" train --data ""
check "nn2 predict --model <TAB>: files" expect "dir1 file1" predict --model ""
check "nn2 train --epochs <TAB>: nothing" expect "" train --epochs ""

# after each option that takes a value, not the option list; after one that takes none, it
table_options "$src" required_argument >"$tmp/valued"
bad=""
while read -r o; do
  complete_words train "--$o" -- | grep -q -- '^--' && bad="$bad --$o"
done <"$tmp/valued"
check "no option offered after any of the $(wc -l <"$tmp/valued") options that take a value${bad:+ (offered after$bad)}" test -z "$bad"
offers_epochs() { complete_words "$@" | grep -qx -- --epochs; }
check "options offered after --quiet, which takes none" offers_epochs train --quiet --

# every value offered is one nn2 accepts (a usage error is exit 2; with no data, exit 1 comes
# after the flags were accepted), and a made-up one is refused
for o in activation output cost init reg schedule bind eval-set; do
  vals=$(complete_words train "--$o" "")
  with="" # a softmax output needs a cost other than the default cross-entropy
  [ "$o" = output ] && with="--cost quadratic"
  rej=""
  for v in $vals; do
    "$nn2" train "--$o" "$v" $with --data "$tmp/nodata" --no-fetch --epochs 1 >/dev/null 2>&1
    [ $? = 2 ] && rej="$rej $v"
  done
  "$nn2" train "--$o" bogus --data "$tmp/nodata" --no-fetch --epochs 1 >/dev/null 2>&1
  rc=$?
  check "--$o: $(echo $vals | tr ' ' ','), each accepted by nn2${rej:+ (refused:$rej)}; bogus refused (exit $rc)" \
    test -n "$vals" -a -z "$rej" -a "$rc" = 2
done
check "nn2 train --activation r<TAB> -> relu" expect "relu" train --activation r

echo "completion: $checks checks, $fails failed"
[ "$fails" = 0 ]
