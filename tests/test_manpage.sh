#!/usr/bin/env bash
# manpage: scripts/install/nn2.1 (installed as share/man/man1/nn2.1) names every long option of
# nn2's option table (src/cli_args.c) and none that is not there, as does `nn2 --help`; it gives
# the defaults that --help gives, which nn2 trains with (tests/manpage_defaults.py); its version is
# nn2.h's; groff reads it without a warning.
# Usage: test_manpage.sh NN2 SOURCE_DIR
set -uo pipefail
nn2=$1 src=$2
page=$src/scripts/install/nn2.1
source "$(dirname "$0")/check.sh" man # $tmp, check
table_options "$src" | sort -u >"$tmp/table"
n=$(wc -l <"$tmp/table")
check "the option table read ($n long options)" test "$n" -ge 40
# the page writes a dash as \- ; a name ends at anything but a letter, digit or dash
sed 's/\\-/-/g' "$page" | grep -o -- '--[a-z][a-z0-9-]*[a-z0-9]' | sed 's/^--//' | sort -u >"$tmp/page"
check "nn2.1 names every long option and no other" diff "$tmp/table" "$tmp/page"
"$nn2" --help >"$tmp/helptext" 2>&1
grep -o -- '--[a-z][a-z0-9-]*[a-z0-9]' "$tmp/helptext" | sed 's/^--//' | sort -u >"$tmp/help"
check "nn2 --help names every long option and no other" diff "$tmp/table" "$tmp/help"
# the defaults in --help's brackets: the page's entries say them, and a run given none of the
# header's flags but --sizes (the fixtures have 16 inputs) trains with them
check "a run with the defaults on the fixtures" "$nn2" train --data "$src/tests/data/idx" --no-fetch \
  --sizes 16,30,10 --train-size 5 --validation-size 3
grep -m1 "^nn2: sizes" "$tmp/out" >"$tmp/header"
check "nn2.1 and that run have the defaults that nn2 --help gives" \
  /usr/bin/python3 "$src/tests/manpage_defaults.py" "$tmp/helptext" "$page" "$tmp/header"
version=$(sed -n 's/^#define NN2_VERSION_STRING "\(.*\)"/\1/p' "$src/include/nn2.h")
check "nn2.1's version is nn2.h's ($version)" grep -q "^\.TH NN2 1 \"[0-9-]*\" \"nn2 $version\"" "$page"
if command -v groff >/dev/null; then
  check "groff reads nn2.1 without a warning" bash -c "groff -man -Tutf8 -ww -z '$page' 2>&1 | tee /dev/stderr | [ \$(wc -c) = 0 ]"
  check "the rendered page has its sections" bash -c "groff -man -Tutf8 -P-cbou '$page' 2>/dev/null | grep -c -E '^(NAME|SYNOPSIS|DESCRIPTION|COMMANDS|OPTIONS|ENVIRONMENT|FILES|EXIT STATUS|EXAMPLES|SEE ALSO)\$' | grep -qx 10"
else
  echo "manpage: no groff; the page's syntax not checked"
fi
echo "manpage: $checks checks, $fails failed"
[ "$fails" = 0 ]
