#!/usr/bin/env bash
# Every intent that `keyhole describe` writes for the evaluation set must be
# accepted by `keyhole generate --intent -` (with the trust policy, so the
# source is checked too). Usage: freetext_generate.sh KEYHOLE
set -u
keyhole=$1
src=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 0; }
fail=0 n=0
while IFS= read -r text; do
  intent=$("$keyhole" describe --offline "$text" 2>/dev/null) || continue
  n=$((n + 1))
  trust=
  jq -e .source >/dev/null <<<"$intent" && trust=--with-trust
  err=$("$keyhole" generate --intent - $trust <<<"$intent" 2>&1 >/dev/null) && continue
  # A service-wide list grant ("list all SQS queues") names only actions that
  # take Resource "*", which generate leaves out unless include_wildcard_only:
  # the intent itself was accepted.
  grep -q "allows no actions" <<<"$err" && continue
  {
    echo "FAIL: generate rejected the intent of: $text"
    echo "$err" | grep -v WILDCARD_ONLY_OMITTED | head -3
    fail=1
  }
done < <(jq -r .text "$src/tests/freetext/cases.jsonl")
echo "$n intents given to generate"
exit $fail
