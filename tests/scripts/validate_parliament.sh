#!/usr/bin/env bash
# Agreement with Parliament's expected findings (corpus policies-parliament-cases,
# found through KH_SHARED_DIR). Parliament's finding IDs that keyhole has a
# check for are compared per case; the others are out of scope. Prints the
# figures and fails below the floor. Skips cleanly without the corpus.
# usage: validate_parliament.sh KEYHOLE
set -uo pipefail
keyhole=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cases=${KH_SHARED_DIR:-/nonexistent}/corpus/policies-parliament-cases/cases.jsonl
FLOOR=${KH_PARLIAMENT_FLOOR:-85}
[ -f "$cases" ] || { echo "skipped: $cases is absent (set KH_SHARED_DIR)"; exit 0; }
command -v node >/dev/null || { echo "skipped: node is not installed"; exit 0; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

node - "$cases" "$work" <<'JS' || exit 1
const fs = require('fs');
const [file, dir] = process.argv.slice(2);
fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).forEach((l, i) => {
  const c = JSON.parse(l);
  fs.writeFileSync(`${dir}/c${String(i).padStart(3, '0')}.json`, c.policy);
  fs.writeFileSync(`${dir}/c${String(i).padStart(3, '0')}.expect`, JSON.stringify(c));
});
JS
(cd "$work" && "$keyhole" validate --json --fail-on none c*.json >out.json 2>/dev/null)
node - "$work" "$FLOOR" <<'JS'
const fs = require('fs');
const [dir, floor] = process.argv.slice(2);
// keyhole code -> Parliament finding ID, for the checks both have.
const map = {
  INVALID_ACTION: 'UNKNOWN_ACTION', INVALID_SERVICE_IN_ACTION: 'UNKNOWN_ACTION',
  UNMATCHED_ACTION_WILDCARD: 'UNKNOWN_ACTION', ACTION_RESOURCE_MISMATCH: 'RESOURCE_MISMATCH',
  ALLOW_WITH_NOT_RESOURCE: 'NOTRESOURCE_WITH_ALLOW', ALLOW_WITH_NOT_PRINCIPAL: 'NOTPRINCIPAL_WITH_ALLOW',
  PRIVILEGE_ESCALATION: 'PRIVILEGE_ESCALATION', UNSUPPORTED_SID: 'INVALID_SID',
  UNIQUE_SIDS_RECOMMENDED: 'DUPLICATE_SID', UNIQUE_SIDS_REQUIRED: 'DUPLICATE_SID',
  INVALID_CONDITION_OPERATOR: 'UNKNOWN_OPERATOR', TYPE_MISMATCH: 'MISMATCHED_TYPE',
  JSON_SYNTAX_ERROR: 'MALFORMED_JSON', INVALID_ARN_PREFIX: 'INVALID_ARN', MISSING_ARN_FIELD: 'INVALID_ARN',
  INVALID_PARTITION: 'INVALID_ARN', INVALID_ARN_REGION: 'INVALID_ARN', INVALID_ARN_ACCOUNT: 'INVALID_ARN',
  INVALID_ARN_SERVICE_CASE: 'INVALID_ARN', INVALID_ARN_RESOURCE: 'INVALID_ARN',
};
const scope = new Set(Object.values(map));
const results = JSON.parse(fs.readFileSync(`${dir}/out.json`, 'utf8'));
let compared = 0, agree = 0;
const per = {};
for (const r of results) {
  const c = JSON.parse(fs.readFileSync(`${dir}/${r.file.replace('.json', '.expect')}`, 'utf8'));
  if (!Array.isArray(c.expected_finding_ids)) continue; // count-only cases
  const want = new Set(c.expected_finding_ids.filter(id => scope.has(id)));
  const got = new Set(r.findings.map(f => map[f.code]).filter(Boolean));
  compared++;
  const same = want.size === got.size && [...want].every(x => got.has(x));
  if (same) agree++;
  else console.log(`differs: ${r.file} (${c.test}) parliament [${[...want]}] keyhole [${[...got]}]`);
  for (const id of scope) {
    per[id] = per[id] || { tp: 0, fn: 0, fp: 0 };
    if (want.has(id) && got.has(id)) per[id].tp++;
    else if (want.has(id)) per[id].fn++;
    else if (got.has(id)) per[id].fp++;
  }
}
for (const [id, v] of Object.entries(per).sort())
  if (v.tp + v.fn + v.fp) console.log(`${id.padEnd(24)} both ${v.tp}  parliament only ${v.fn}  keyhole only ${v.fp}`);
const pct = Math.round(1000 * agree / compared) / 10;
console.log(`parliament cases compared: ${compared}; agreement on in-scope findings: ${agree} (${pct}%)`);
if (pct < Number(floor)) { console.log(`FAIL: below the floor of ${floor}%`); process.exit(1); }
JS
