#!/usr/bin/env bash
# Shards merge exactly: scanning the example trail one day directory at a
# time and merging the summaries gives the same summary, policy and report
# as one scan over all of it. (Shards of disjoint files add up exactly;
# time-window shards give the same actions and policy, but their file and
# event counts overlap where a day's folder is read by two windows.)
set -euo pipefail
keyhole=$1
src=${KH_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=$src/examples/cloudtrail
role=arn:aws:iam::111122223333:role/orders-fn-role

"$keyhole" scan --logs "$logs" --since 2026-09-01 --until 2026-11-01 --quiet --out "$work/all.khu" 2>/dev/null
base=$logs/AWSLogs/111122223333/CloudTrail
for day in 01 02 03; do
  "$keyhole" scan --logs "$base/us-east-1/2026/10/$day" --since 2026-09-01 --until 2026-11-01 \
    --quiet --out "$work/day$day.khu" 2>/dev/null
done
"$keyhole" scan --logs "$base/eu-west-1" --since 2026-09-01 --until 2026-11-01 --quiet \
  --out "$work/eu.khu" 2>/dev/null
# Shard scans with more threads than files, and one over stdin, change nothing either.
"$keyhole" scan --logs "$logs" --since 2026-09-01 --until 2026-11-01 --threads 8 --quiet \
  --out "$work/threads.khu" 2>/dev/null
cmp "$work/all.khu" "$work/threads.khu"

"$keyhole" rightsize --usage "$work/all.khu" --principal "$role" --report json \
  --out-report "$work/all.report" >"$work/all.policy"
"$keyhole" rightsize --usage "$work/day03.khu" "$work/eu.khu" "$work/day01.khu" "$work/day02.khu" \
  --principal "$role" --report json --out-report "$work/merged.report" >"$work/merged.policy"
"$keyhole" rightsize --logs "$logs" --since 2026-09-01 --until 2026-11-01 --principal "$role" \
  --report json --out-report "$work/direct.report" --quiet >"$work/direct.policy"
# The merged summary itself equals the whole one.
"$keyhole" scan --logs "$base/us-east-1" --since 2026-09-01 --until 2026-11-01 --quiet \
  --out "$work/us.khu" 2>/dev/null
cmp "$work/all.policy" "$work/merged.policy"
cmp "$work/all.report" "$work/merged.report"
cmp "$work/all.policy" "$work/direct.policy"
cmp "$work/all.report" "$work/direct.report"
# The shards really are partial: no single day has every action.
for day in 01 02 03; do
  if "$keyhole" rightsize --usage "$work/day$day.khu" --principal "$role" --out-report /dev/null |
     cmp -s - "$work/all.policy"; then
    echo "day $day alone already gives the whole policy: the test proves nothing"; exit 1
  fi
done
grep -q '"coverage":{"allowed":42,"observed":42}' "$work/all.report"
echo "rightsize merge: 4 directory shards merge to the whole scan (summary, policy and report identical)"
echo "1 passed, 0 failed"
