#!/usr/bin/env bash
# Checks `keyhole generate` against independent peers (tests/peers):
#  - every Terraform output parses with the real HCL parser (hcl2json), has
#    its data sources, variables and resources, and the same statements and
#    actions as the JSON policy;
#  - every CloudFormation output (YAML and JSON) parses and matches the
#    CloudFormation resource specification (@aws-cdk/cfnspec);
#  - every JSON policy passes `keyhole validate` with nothing at WARNING or
#    above (skipped, saying so, while validate is not implemented).
# Usage: emit_peers.sh KEYHOLE   (env KH_SOURCE_DIR: the source tree)
set -uo pipefail
keyhole=$1
src=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
peers=$src/tests/peers
if ! command -v node >/dev/null || [ ! -d "$peers/node_modules/yaml" ] ||
   [ ! -d "$peers/node_modules/@cdktf/hcl2json" ]; then
  echo "SKIP: node or the test peers are missing (run scripts/bootstrap)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The intents: the examples, and a spread of --allow sets.
intents=("$src"/examples/*.intent.json)
allows=(
  "--allow s3:read,list@arn:aws:s3:::orders-bucket/* --allow sns:write@arn:aws:sns:us-east-1:123456789012:alerts --allow dynamodb:read,write"
  "--allow sns:write --allow sqs:read --allow s3:list"
  "--allow apigateway:read --compact"
  "--allow iam:list --allow ec2:read@arn:aws:ec2:us-east-1:123456789012:instance/* --compact"
  "--allow kms:read,write --allow secretsmanager:read"
  "--allow s3:read@arn:aws:s3:::home/\${aws:username}/* --allow logs:write"
  "--allow read@arn:aws:sqs:eu-west-1:123456789012:jobs --condition StringEquals:aws:RequestedRegion=eu-west-1 --include-wildcard-only"
  "--allow states:read,write@arn:aws:states:us-east-1:123456789012:stateMachine:orders --allow lambda:describe@arn:aws:lambda:us-east-1:123456789012:function:orders --condition ForAnyValue:StringLike:aws:TagKeys=team*"
)

gen() { "$keyhole" generate --quiet "$@"; }
bases=()
i=0
for intent in "${intents[@]}"; do
  b=$tmp/intent$i; i=$((i + 1))
  gen --intent "$intent" --format json --name peers-check >"$b.json" 2>>"$tmp/err" ||
    { echo "generate failed: $intent"; fail=1; continue; }
  # An intent with with_trust writes the combined JSON: keep its policy only.
  node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));
    if (d.PolicyDocument) require("fs").writeFileSync(process.argv[1], JSON.stringify(d.PolicyDocument));' "$b.json"
  touch "$b.intent"
  gen --intent "$intent" --format terraform --name peers-check >"$b.tf"
  gen --intent "$intent" --format cloudformation --name peers-check >"$b.cfn.yaml"
  bases+=("$b")
done
for a in "${allows[@]}"; do
  b=$tmp/allow$i; i=$((i + 1))
  # shellcheck disable=SC2086 # the sets are word lists on purpose
  set -f
  gen $a --name peers-check >"$b.json" 2>>"$tmp/err" || { echo "generate failed: $a"; fail=1; set +f; continue; }
  gen $a --name peers-check --format terraform >"$b.tf"
  gen $a --name peers-check --format cloudformation >"$b.cfn.yaml"
  gen $a --name peers-check --format cloudformation --cfn-json >"$b.cfn.json"
  gen $a --name peers-check --source lambda --with-trust --format terraform >"$b.trust.tf"
  gen $a --name peers-check --source lambda --with-trust --format cloudformation >"$b.trust.cfn.yaml"
  set +f
  bases+=("$b")
done
(cd "$peers" && node check-emit.js set "${bases[@]}") || fail=1

# The golden outputs of generate, parse and structure only.
golden=()
for d in "$src"/tests/cases/generate*/*/; do
  [ -f "$d/status" ] && continue
  grep -q '|' "$d/cmd" && continue # filtered output, not a rendering
  [ -s "$d/expected" ] && golden+=("$d/expected")
done
(cd "$peers" && node check-emit.js file "${golden[@]}") || fail=1

# keyhole validate on every JSON policy, once it exists.
probe=$("$keyhole" validate "$tmp/allow${#intents[@]}.json" 2>&1)
if printf '%s' "$probe" | grep -qi "not implemented"; then
  echo "SKIP: keyhole validate is not implemented yet; policies not validated"
else
  for b in "${bases[@]}"; do
    if ! out=$("$keyhole" validate --fail-on WARNING "$b.json" 2>&1); then
      echo "validate finds problems at WARNING or above in $b.json:"; echo "$out" | head -20
      fail=1
    fi
  done
  echo "validated ${#bases[@]} generated policies"
fi
exit $fail
