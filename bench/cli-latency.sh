#!/usr/bin/env bash
# Start-to-exit time of `keyhole generate` and `keyhole validate`, catalog
# load included (target: under 10 ms each). Not a test: figures only.
# usage: bench/cli-latency.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} runs=${2:-200}
k=$build/keyhole
tool=$(mktemp)
cc -O2 -o "$tool" bench/cli_latency.c
policy=$(mktemp --suffix=.json)
"$k" generate --intent examples/orders-fn.intent.json >"$policy"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(date -u +%F)"
printf '%-44s ' "keyhole --version (catalog load)"; "$tool" "$runs" "$k" --version
printf '%-44s ' "keyhole generate (README example)"
"$tool" "$runs" "$k" generate --name orders-fn --source lambda \
  --allow 's3:read,list@arn:aws:s3:::orders-bucket/*' \
  --allow 'sns:write@arn:aws:sns:us-east-1:123456789012:alerts' \
  --allow 'dynamodb:read,write'
printf '%-44s ' "keyhole generate --format terraform"
"$tool" "$runs" "$k" generate --intent examples/orders-fn.intent.json --format terraform --with-trust
printf '%-44s ' "keyhole validate (generated policy)"; "$tool" "$runs" "$k" validate "$policy"
printf '%-44s ' "keyhole validate (hallucinated example)"; "$tool" "$runs" "$k" validate examples/hallucinated.policy.json
printf '%-44s ' "/bin/true (process start floor)"; "$tool" "$runs" /bin/true
rm -f "$tool" "$policy"
