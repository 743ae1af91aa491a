#!/usr/bin/env bash
# Reading s3://: the example trail uploaded to a local S3 server (npm
# s3rver on 127.0.0.1) right-sizes to the same policy as the local files,
# and --region prunes keys before they are fetched.
set -euo pipefail
keyhole=$1
src=${KH_SOURCE_DIR:?}
s3rver=$src/tests/peers/node_modules/s3rver/bin/s3rver.js
[ -f "$s3rver" ] || { echo "s3rver missing: run scripts/bootstrap"; exit 1; }
work=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# s3rver hashes continuation tokens with a digest Node 20 keeps in its legacy provider.
node --openssl-legacy-provider "$s3rver" -d "$work/data" -a 127.0.0.1 -p "$port" -s \
  --configure-bucket trail >"$work/s3rver.log" 2>&1 &
pid=$!
cleanup() {
  local status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
unset AWS_SESSION_TOKEN AWS_PROFILE
cd "$src/examples/cloudtrail"
n=0
while IFS= read -r f; do
  curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u S3RVER:S3RVER \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT --data-binary "@$f" \
    "http://127.0.0.1:$port/trail/$f" >/dev/null
  n=$((n + 1))
done < <(find AWSLogs -type f | sort)
role=arn:aws:iam::111122223333:role/orders-fn-role
common=(--since 2026-09-01 --until 2026-11-01 --principal "$role" --quiet)
"$keyhole" rightsize --logs "s3://trail/AWSLogs/" --endpoint-url "http://127.0.0.1:$port" \
  "${common[@]}" --report json --out-report "$work/s3.report" >"$work/s3.policy"
"$keyhole" rightsize --logs "$src/examples/cloudtrail" "${common[@]}" --report json \
  --out-report "$work/local.report" >"$work/local.policy"
cmp "$work/s3.policy" "$work/local.policy"
grep -q '"files":4,"files_skipped":0' "$work/s3.report"
# eu-west-1 keys are pruned by region; us-east-1 stays for global services.
"$keyhole" usage --logs "s3://trail/AWSLogs/" --endpoint-url "http://127.0.0.1:$port" \
  --since 2026-09-01 --until 2026-11-01 --region ap-south-1 --json --quiet >"$work/pruned.json"
if grep -q eu-west-1 "$work/pruned.json"; then echo "eu-west-1 was not pruned"; exit 1; fi
grep -q 'GetCallerIdentity\|orders-fn-role' "$work/pruned.json"
# Wrong credentials: a clear error, exit 2.
set +e
AWS_ACCESS_KEY_ID=NOPE "$keyhole" usage --logs "s3://trail/AWSLogs/" \
  --endpoint-url "http://127.0.0.1:$port" --quiet 2>"$work/err"
status=$?
set -e
[ "$status" = 2 ] || { echo "expected exit 2 with a bad key, got $status"; exit 1; }
grep -q InvalidAccessKeyId "$work/err"
echo "rightsize s3: $n objects uploaded; s3:// and local files give the same policy"
echo "3 passed, 0 failed"
