#!/usr/bin/env bash
# Runs one golden case: tests/run-case.sh KEYHOLE CASE_DIR
# The case directory holds:
#   cmd       keyhole's arguments, one line, in shell syntax, run from CASE_DIR
#   stdin     optional standard input
#   expected  the expected standard output, byte for byte
#   status    optional expected exit status (default 0)
#   stderr    optional expected standard error
# KH_UPDATE_GOLDEN=1 rewrites expected (and stderr, when present) instead.
set -u
keyhole=$1 dir=$2
cd "$dir" || exit 1
input=/dev/null
[ -f stdin ] && input=stdin
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
eval "\"$keyhole\" $(cat cmd)" <"$input" >"$out" 2>"$err"
status=$?
want_status=0
[ -f status ] && want_status=$(cat status)
if [ "${KH_UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$out" expected
  [ -f stderr ] && cp "$err" stderr
  if [ "$status" = 0 ]; then rm -f status; else echo "$status" >status; fi
  exit 0
fi
fail=0
if [ "$status" != "$want_status" ]; then
  echo "exit status $status, expected $want_status"; fail=1
fi
if ! diff -u expected "$out"; then fail=1; fi
if [ -f stderr ] && ! diff -u stderr "$err"; then fail=1; fi
[ $fail = 0 ] || { echo "--- stderr:"; cat "$err"; }
exit $fail
