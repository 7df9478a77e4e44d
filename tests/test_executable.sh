#!/usr/bin/env bash
# executable: every file under scripts/, tests/ and .ci/ whose first line is #! is executable,
# so that the README's commands (`scripts/bench_record.py DIR...`, `scripts/reproduce all`) run
# as shown; scripts/bench_record.py and bench_summary.py were not until the fiftieth session.
# Usage: test_executable.sh SOURCE_DIR
set -uo pipefail
src=$1
n=0 bad=0
while IFS= read -r -d '' f; do
  [ "$(head -c2 "$f" | tr -d '\000')" = '#!' ] || continue
  n=$((n + 1))
  if [ ! -x "$f" ]; then
    echo "FAIL: ${f#"$src"/} starts with #! but is not executable"
    bad=$((bad + 1))
  fi
done < <(find "$src/scripts" "$src/tests" "$src/.ci" -type f -print0)
echo "executable: $n files with #!, $bad not executable"
[ "$n" -ge 20 ] && [ "$bad" = 0 ]
