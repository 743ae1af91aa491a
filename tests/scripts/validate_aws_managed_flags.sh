#!/usr/bin/env bash
# Agreement with iam-dataset's independent flags on every AWS managed policy
# (corpus policies-aws-managed, found through KH_SHARED_DIR): a policy with
# unknown_actions should get an unknown-action finding from keyhole, and a
# privesc policy a PRIVILEGE_ESCALATION or PASS_ROLE_* finding. Prints both
# confusion matrices; fails below the floors. Skips cleanly without the corpus.
# usage: validate_aws_managed_flags.sh KEYHOLE
set -uo pipefail
keyhole=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=${KH_SHARED_DIR:-/nonexistent}/corpus/policies-aws-managed/managedpolicies
[ -d "$dir" ] || { echo "skipped: $dir is absent (set KH_SHARED_DIR)"; exit 0; }
command -v node >/dev/null || { echo "skipped: node is not installed"; exit 0; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

node - "$dir" "$work" <<'JS' || exit 1
const fs = require('fs');
const [dir, out] = process.argv.slice(2);
const flags = {};
for (const f of fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort()) {
  const p = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
  const doc = typeof p.document === 'string' ? p.document : JSON.stringify(p.document, null, 2);
  fs.writeFileSync(`${out}/${f}`, doc);
  flags[f] = { unknown: (p.unknown_actions || []).length > 0, privesc: !!p.privesc };
}
fs.writeFileSync(`${out}/flags`, JSON.stringify(flags));
JS
(cd "$work" && ls *.json | xargs -n 300 "$keyhole" validate --json --fail-on none >out.jsonl 2>err.txt)
node - "$work" <<'JS'
const fs = require('fs');
const [dir] = process.argv.slice(2);
const flags = JSON.parse(fs.readFileSync(`${dir}/flags`, 'utf8'));
// xargs may run several processes: each prints a JSON array (or one object).
const text = fs.readFileSync(`${dir}/out.jsonl`, 'utf8').replace(/\n\]\n\[\n/g, ',\n');
let results = JSON.parse(text.trim().startsWith('[') ? text : `[${text}]`);
const unknownCodes = new Set(['INVALID_ACTION', 'INVALID_SERVICE_IN_ACTION', 'UNMATCHED_ACTION_WILDCARD']);
const m = { unknown: [0, 0, 0, 0], privesc: [0, 0, 0, 0] }; // both, theirs only, ours only, neither
for (const r of results) {
  const f = flags[r.file];
  if (!f) continue;
  const ours = {
    unknown: r.findings.some(x => unknownCodes.has(x.code)),
    privesc: r.findings.some(x => x.code === 'PRIVILEGE_ESCALATION' || x.code.startsWith('PASS_ROLE_')),
  };
  for (const k of ['unknown', 'privesc'])
    m[k][f[k] && ours[k] ? 0 : f[k] ? 1 : ours[k] ? 2 : 3]++;
}
let fail = false;
for (const [k, floor] of [['unknown', 99], ['privesc', 85]]) {
  const [b, t, o, n] = m[k], total = b + t + o + n, agree = Math.round(1000 * (b + n) / total) / 10;
  console.log(`${k}: policies ${total}; flagged by both ${b}, iam-dataset only ${t}, keyhole only ${o}, neither ${n}; agreement ${agree}% (floor ${floor}%)`);
  if (agree < floor) fail = true;
}
if (results.length < 1500) { console.log(`FAIL: only ${results.length} results`); fail = true; }
process.exit(fail ? 1 : 0);
JS
