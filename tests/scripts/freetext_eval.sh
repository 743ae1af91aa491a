#!/usr/bin/env bash
# The offline free-text parser against tests/freetext/cases.jsonl: prints
# precision and recall per grant and the exact-intent match rate, and fails
# under 90% exact matches. Then the same figures, for information only, on
# tests/freetext/holdout.jsonl: sentences written after the parser, never
# tuned against. Usage: freetext_eval.sh KEYHOLE (env KH_SOURCE_DIR).
set -eu
keyhole=$1
src=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 0; }
echo "== evaluation set"
node "$src/tests/freetext/eval.js" "$keyhole" "$src/tests/freetext/cases.jsonl" \
  --min-exact 90 ${KH_EVAL_VERBOSE:+--verbose} -- --offline
echo "== held-out set (not asserted)"
node "$src/tests/freetext/eval.js" "$keyhole" "$src/tests/freetext/holdout.jsonl" \
  ${KH_EVAL_VERBOSE:+--verbose} -- --offline
