#!/usr/bin/env bash
# keyhole describe with a model endpoint, against a local stand-in server
# (tests/freetext/llm-standin.js: a test double that answers canned replies
# and records request bodies). Checks the request shape, anonymization,
# scrubbing of invented services, levels and fields, actions mode, and the
# fallback when the endpoint is down or slow. Usage: llm_describe.sh KEYHOLE
set -u
keyhole=$1
src=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 0; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }

# start_standin NAME [DELAY_MS]: starts a stand-in, sets $port.
start_standin() {
  node "$src/tests/freetext/llm-standin.js" --replies "$src/tests/freetext/llm-replies.json" \
    --log "$tmp/$1.log" --port-file "$tmp/$1.port" --delay-ms "${2:-0}" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/$1.port" ] && break; sleep 0.05; done
  port=$(cat "$tmp/$1.port")
}

text='my lambda reads the bucket orders-bucket and publishes to arn:aws:sns:us-east-1:123456789012:alerts; the audit account is 210987654321'
unset KEYHOLE_LLM_URL KEYHOLE_LLM_MODEL KEYHOLE_LLM_API_KEY
start_standin main
url="http://127.0.0.1:$port"

# 1. A good reply: placeholders map back to the original ARNs.
"$keyhole" describe --json --llm-url "$url" --llm-model test-model "$text" >"$tmp/1.json" 2>"$tmp/1.err"
check "exit 0 with the model" '[ $? = 0 ]'
check "model reply used" 'jq -e ".used_model == true" "$tmp/1.json" >/dev/null'
check "bucket name restored" 'jq -e "[.intent.grants[].arn] | index(\"arn:aws:s3:::orders-bucket/*\")" "$tmp/1.json" >/dev/null'
check "topic ARN restored" 'jq -e "[.intent.grants[].arn] | index(\"arn:aws:sns:us-east-1:123456789012:alerts\")" "$tmp/1.json" >/dev/null'
check "source kept" 'jq -e ".intent.source == \"lambda\"" "$tmp/1.json" >/dev/null'
check "operations become the actions they mean" 'jq -e "[.intent.grants[] | [.service, .access, .actions]] == [[\"s3\", null, [\"s3:GetObject\"]], [\"sns\", null, [\"sns:Publish\"]]]" "$tmp/1.json" >/dev/null'

# 2. The request: model, messages, response_format with schema enums.
req=$(head -n1 "$tmp/main.log")
check "model field" 'jq -e ".model == \"test-model\"" <<<"$req" >/dev/null'
check "system then user message" 'jq -e "[.messages[].role] == [\"system\",\"user\"]" <<<"$req" >/dev/null'
check "json_schema response format" 'jq -e ".response_format.type == \"json_schema\" and .response_format.json_schema.strict == true" <<<"$req" >/dev/null'
sch='.response_format.json_schema.schema'
check "service enum from the catalog" 'jq -e "($sch.properties.grants.items.properties.service.enum | length > 400) and ($sch.properties.grants.items.properties.service.enum | index(\"s3\"))" <<<"$req" >/dev/null'
check "access level enum" 'jq -e "$sch.properties.grants.items.properties.access.items.enum == [\"list\",\"read\",\"write\",\"tagging\",\"permissions\"]" <<<"$req" >/dev/null'
check "operation enum from the lexicon" 'jq -e "$sch.properties.grants.items.properties.operations.items.enum | index(\"publish\") and index(\"consume\") and (index(\"s3:GetObject\") | not)" <<<"$req" >/dev/null'
check "source enum" 'jq -e "$sch.properties.source.enum | index(\"lambda\") and index(\"ecs-tasks\")" <<<"$req" >/dev/null'
check "no invented fields allowed" 'jq -e "$sch.additionalProperties == false and $sch.properties.grants.items.additionalProperties == false" <<<"$req" >/dev/null'
check "the model is never asked for actions" '! jq -e ".messages[1].content" <<<"$req" | grep -qi "s3:Get"'

# 3. Nothing identifying leaves the machine, in any request.
for secret in 123456789012 210987654321 orders-bucket alerts 'arn:aws:sns:us-east-1:123456789012'; do
  check "request bodies omit '$secret'" '! grep -qF -- "$secret" "$tmp/main.log"'
done
check "placeholders sent instead" 'grep -qF "111111111111" "$tmp/main.log" && grep -qF "name-1" "$tmp/main.log"'

# 4. A reply with an invented service, level, field and a mismatched ARN.
"$keyhole" describe --json --llm-url "$url" --llm-model test-model "$text" >"$tmp/4.json" 2>/dev/null
notes=$(jq -r '.notes[]' "$tmp/4.json")
check "unknown service dropped" 'grep -q "unknown service .quantumdb." <<<"$notes"'
check "unknown level dropped" 'grep -q "dropped access level .superuser." <<<"$notes"'
check "unknown operation dropped" 'grep -q "dropped operation .teleport." <<<"$notes"'
check "a grant without operations keeps its levels" 'jq -e "[.intent.grants[] | select(.service == \"sns\") | .access] == [[\"write\"]]" "$tmp/4.json" >/dev/null'
check "invented grant field reported" 'grep -q "invented field .priority." <<<"$notes"'
check "invented top-level field reported" 'grep -q "invented field .explanation." <<<"$notes"'
check "ARN of another service dropped" 'grep -q "is not a s3 ARN" <<<"$notes"'
check "ARN shorter than arn: dropped" 'grep -q "'"'"'g'"'"' is not a logs ARN" <<<"$notes"'
check "grant without a valid level dropped" 'grep -q "no valid access level" <<<"$notes"'
check "only the valid grants stay" 'jq -e "[.intent.grants[].service] == [\"s3\",\"sns\"]" "$tmp/4.json" >/dev/null'

# 5. A reply that is not JSON: the offline parser answers.
"$keyhole" describe --json --llm-url "$url" --llm-model test-model "$text" >"$tmp/5.json" 2>/dev/null
check "invalid reply falls back" 'jq -e ".used_model == false and (.notes[0] | test(\"offline parser\"))" "$tmp/5.json" >/dev/null'

# 6. Actions mode: the model's actions are scrubbed against the catalog.
"$keyhole" describe --json --actions-mode --llm-url "$url" --llm-model test-model "$text" >"$tmp/6.json" 2>/dev/null
check "known actions kept" 'jq -e ".actions == [\"s3:GetObject\",\"sns:Publish\",\"s3:List*\"]" "$tmp/6.json" >/dev/null'
check "invented actions scrubbed" 'jq -e ".scrubbed == [\"s3:GetObjekt\",\"dynamodb:ReadEverything\"]" "$tmp/6.json" >/dev/null'
check "actions request asks for actions" 'tail -n1 "$tmp/main.log" | jq -e ".response_format.json_schema.name == \"keyhole_actions\"" >/dev/null'

# 7. Endpoint down: fall back, say so, still exit 0.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null
"$keyhole" describe --json --llm-url "$url" --llm-model test-model --llm-timeout 2000 "$text" >"$tmp/7.json" 2>/dev/null
check "down endpoint falls back" '[ $? = 0 ] && jq -e ".used_model == false and (.notes[0] | test(\"offline parser\"))" "$tmp/7.json" >/dev/null'
check "fallback still parses" 'jq -e "[.intent.grants[].arn] | index(\"arn:aws:s3:::orders-bucket/*\")" "$tmp/7.json" >/dev/null'

# 8. A slow endpoint: bounded by the timeout.
start_standin slow 5000
start=$(date +%s%N)
KEYHOLE_LLM_URL="http://127.0.0.1:$port" KEYHOLE_LLM_MODEL=test-model \
  "$keyhole" describe --json --llm-timeout 300 "$text" >"$tmp/8.json" 2>/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "timeout falls back (${ms} ms)" '[ "$ms" -lt 4000 ] && jq -e ".used_model == false and (.notes[0] | test(\"[Tt]ime\"))" "$tmp/8.json" >/dev/null'
check "--offline ignores KEYHOLE_LLM_URL" 'KEYHOLE_LLM_URL="http://127.0.0.1:$port" KEYHOLE_LLM_MODEL=m "$keyhole" describe --json --offline "$text" | jq -e ".used_model == false and (.notes | length == 0)" >/dev/null'

[ $fail = 0 ] && echo "all llm checks passed"
exit $fail
