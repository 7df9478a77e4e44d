# check.sh, sourced by the shell tests that count named checks (install, manpage, completion):
# `source check.sh NAME` makes a temporary directory $tmp (removed at exit) and
# check DESCRIPTION COMMAND..., which runs COMMAND, prints "ok: DESCRIPTION" or "FAIL:
# DESCRIPTION" and the command's output, and counts $checks and $fails.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nn2-$1.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
check() { # check DESCRIPTION COMMAND...
  checks=$((checks + 1))
  if "${@:2}" >"$tmp/out" 2>&1; then echo "ok: $1"; else echo "FAIL: $1"; sed 's/^/    /' "$tmp/out"; fails=$((fails + 1)); fi
}
