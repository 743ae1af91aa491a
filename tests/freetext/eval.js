#!/usr/bin/env node
// Scores `keyhole describe` on the evaluation set.
// usage: node eval.js KEYHOLE CASES.jsonl [--min-exact PCT] [--verbose] [-- describe args...]
// Prints precision and recall per grant and the exact-intent match rate;
// exits 1 when the exact rate is under --min-exact.
'use strict';
const fs = require('fs');
const { spawnSync } = require('child_process');

const argv = process.argv.slice(2);
const [bin, casesPath] = argv;
let minExact = 0, verbose = false, extra = [];
for (let i = 2; i < argv.length; i++) {
  if (argv[i] === '--min-exact') minExact = Number(argv[++i]);
  else if (argv[i] === '--verbose') verbose = true;
  else if (argv[i] === '--') { extra = argv.slice(i + 1); break; }
}
if (!bin || !casesPath) {
  console.error('usage: node eval.js KEYHOLE CASES.jsonl [--min-exact PCT] [--verbose] [-- args]');
  process.exit(2);
}

const BITS = { list: 1, read: 2, write: 4, tagging: 8, permissions: 16, describe: 3, admin: 31 };
const levels = (access) => (access || []).reduce((b, w) => b | (BITS[w] || 0), 0);
const key = (g) => `${g.service}|${g.arn || ''}|${levels(g.access)}|${[...(g.actions || [])].sort().join(',')}`;

const cases = fs.readFileSync(casesPath, 'utf8').split('\n').filter((l) => l.trim())
  .map((l) => JSON.parse(l));
let exact = 0, tp = 0, predicted = 0, expected = 0, sourceOk = 0, usedModel = 0, failed = [];

for (const c of cases) {
  const run = spawnSync(bin, ['describe', '--json', ...extra, c.text], { encoding: 'utf8' });
  let got;
  try { got = JSON.parse(run.stdout); if (!got || !got.intent) throw new Error(); } catch (e) {
    failed.push({ c, why: `no JSON (status ${run.status}): ${run.stderr.trim()}` });
    expected += c.grants.length;
    continue;
  }
  usedModel += got.used_model === true;
  const want = c.grants.map(key);
  const have = (got.intent.grants || []).map(key);
  const pool = [...want];
  let hits = 0;
  for (const h of have) {
    const i = pool.indexOf(h);
    if (i >= 0) { pool.splice(i, 1); hits++; }
  }
  tp += hits; predicted += have.length; expected += want.length;
  const srcOk = (got.intent.source || null) === (c.source || null);
  sourceOk += srcOk;
  const unparsedText = (got.unparsed || []).join(' | ').toLowerCase();
  const missingUnparsed = (c.unparsed || []).filter((w) => !unparsedText.includes(w.toLowerCase()));
  const ok = srcOk && hits === want.length && hits === have.length && missingUnparsed.length === 0;
  if (ok) exact++;
  else failed.push({ c, why: `source ${got.intent.source || null}; got [${have.join(', ')}]; ` +
    `want [${want.join(', ')}]; unparsed [${unparsedText}]` +
    (missingUnparsed.length ? `; missing unparsed ${missingUnparsed}` : '') });
}

const pct = (a, b) => (b ? (100 * a) / b : 100).toFixed(1);
const exactPct = (100 * exact) / cases.length;
for (const f of verbose ? failed : failed.slice(0, 0)) console.log(`MISS: ${f.c.text}\n      ${f.why}`);
console.log(`cases: ${cases.length}`);
console.log(`exact intent matches: ${exact}/${cases.length} (${exactPct.toFixed(1)}%)`);
console.log(`grant precision: ${pct(tp, predicted)}% (${tp}/${predicted})`);
console.log(`grant recall: ${pct(tp, expected)}% (${tp}/${expected})`);
console.log(`source accuracy: ${pct(sourceOk, cases.length)}%`);
if (extra.includes('--llm-url') || process.env.KEYHOLE_LLM_URL) console.log(`answered by the model: ${usedModel}/${cases.length} (the rest fell back to the offline parser)`);
if (!verbose && failed.length) console.log(`misses: ${failed.map((f) => JSON.stringify(f.c.text)).join(', ')}`);
if (exactPct < minExact) {
  console.log(`FAIL: exact match rate under ${minExact}%`);
  process.exit(1);
}
