# check.sh, sourced by the shell tests that count named checks (install, manpage, completion):
# `source check.sh NAME` makes a temporary directory $tmp (removed at exit) and
# check DESCRIPTION COMMAND..., which runs COMMAND, prints "ok: DESCRIPTION" or "FAIL:
# DESCRIPTION" and the command's output, and counts $checks and $fails.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nn2-$1.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
# table_options SOURCE_DIR [required_argument|no_argument]: the long options of nn2's option
# table (src/cli_args.c), all or those of one kind, one a line, without their dashes
table_options() {
  sed -n "s/^ *{\"\([a-z][a-z-]*\)\", ${2:-[a-z_]*}, 0, O_[A-Z_]*},\$/\1/p" "$1/src/cli_args.c"
}
check() { # check DESCRIPTION COMMAND...
  checks=$((checks + 1))
  if "${@:2}" >"$tmp/out" 2>&1; then echo "ok: $1"; else echo "FAIL: $1"; sed 's/^/    /' "$tmp/out"; fails=$((fails + 1)); fi
}
