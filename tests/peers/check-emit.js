#!/usr/bin/env node
// Checks keyhole generate's Terraform and CloudFormation outputs with real
// parsers: HCL through @cdktf/hcl2json, YAML through `yaml`, and the
// CloudFormation resource specification from @aws-cdk/cfnspec.
//
//   node check-emit.js set BASE     BASE.json (the policy, no trust) with
//                                   BASE.tf, BASE.cfn.yaml, BASE.cfn.json and
//                                   BASE.trust.{tf,cfn.yaml}: structure, and
//                                   the actions equal the JSON policy's
//   node check-emit.js file PATH... golden outputs: parse and structure only
//
// Prints one line per problem and exits 1 when there was any.
'use strict';
const fs = require('fs');
const { parse: parseHcl } = require('@cdktf/hcl2json');
const YAML = require('yaml');
const spec = require('@aws-cdk/cfnspec').specification();

let failures = 0;
const fail = (file, msg) => { failures++; console.log(`${file}: ${msg}`); };

// !Sub and !Ref read back as the long forms the JSON template uses.
const tags = [
  { tag: '!Sub', resolve: (v) => ({ 'Fn::Sub': v }) },
  { tag: '!Ref', resolve: (v) => ({ Ref: v }) },
];

const sorted = (a) => [...a].sort();
const sameList = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const asList = (v) => (Array.isArray(v) ? v : [v]);

// Statements of a JSON policy as [{sid, actions, nResources}].
const statementsOf = (doc) => asList(doc.Statement).map((s) => ({
  sid: s.Sid, actions: asList(s.Action), nResources: s.Resource ? asList(s.Resource).length : 0,
}));

async function terraform(file, text, policy, trust) {
  let tf;
  try {
    tf = await parseHcl(file, text);
  } catch (e) {
    return fail(file, `HCL does not parse: ${e.message || e}`);
  }
  const docs = (tf.data && tf.data.aws_iam_policy_document) || {};
  const res = tf.resource || {};
  const names = Object.keys(docs).filter((n) => !n.endsWith('_assume_role'));
  if (names.length !== 1) return fail(file, `expected one policy document, found ${names}`);
  if (!res.aws_iam_policy || !res.aws_iam_policy[names[0]]) fail(file, 'no aws_iam_policy');
  const sts = docs[names[0]][0].statement || [];
  // Every placeholder needs its declaration.
  for (const [ref, block] of [['data.aws_partition', 'aws_partition'],
    ['data.aws_region', 'aws_region'], ['data.aws_caller_identity', 'aws_caller_identity']]) {
    if (text.includes('${' + ref) && !(tf.data[block] && tf.data[block].current)) {
      fail(file, `uses ${ref} without declaring it`);
    }
  }
  for (const m of text.matchAll(/\$\{var\.([a-z0-9_]+)\}/g)) {
    if (!tf.variable || !tf.variable[m[1]]) fail(file, `var.${m[1]} is not declared`);
  }
  const hasTrust = Object.keys(docs).some((n) => n.endsWith('_assume_role'));
  if (trust !== undefined && hasTrust !== trust) fail(file, `trust document present: ${hasTrust}`);
  if (hasTrust && !(res.aws_iam_role && res.aws_iam_role_policy_attachment)) {
    fail(file, 'trust without aws_iam_role and aws_iam_role_policy_attachment');
  }
  if (!policy) return;
  const want = statementsOf(policy);
  if (sts.length !== want.length) return fail(file, `${sts.length} statements, JSON has ${want.length}`);
  sts.forEach((s, i) => {
    if (s.sid !== want[i].sid) fail(file, `statement ${i}: sid ${s.sid}, JSON ${want[i].sid}`);
    if (!sameList(s.actions, want[i].actions)) fail(file, `statement ${i}: actions differ from the JSON`);
    if ((s.resources || []).length !== want[i].nResources) fail(file, `statement ${i}: resource count differs`);
  });
}

// Checks a template's resources against the CloudFormation specification.
function checkTemplate(file, t, policy, trust) {
  if (!t || typeof t !== 'object' || !t.Resources) return fail(file, 'no Resources');
  const params = new Set(Object.keys(t.Parameters || {}));
  const types = [];
  for (const [id, r] of Object.entries(t.Resources)) {
    const rs = spec.ResourceTypes[r.Type];
    types.push(r.Type);
    if (!rs) { fail(file, `${id}: unknown resource type ${r.Type}`); continue; }
    const props = r.Properties || {};
    for (const [p, ps] of Object.entries(rs.Properties)) {
      if (ps.Required && !(p in props)) fail(file, `${id}: required property ${p} missing`);
    }
    for (const p of Object.keys(props)) {
      if (!(p in rs.Properties)) fail(file, `${id}: unknown property ${p} for ${r.Type}`);
    }
  }
  // Every ${Name} in Fn::Sub is a pseudo parameter, a Parameter or escaped.
  const subs = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (typeof v['Fn::Sub'] === 'string') subs.push(v['Fn::Sub']);
      Object.values(v).forEach(walk);
    }
  };
  walk(t.Resources);
  for (const s of subs) {
    for (const m of s.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      if (!m[1].startsWith('AWS::') && !params.has(m[1])) fail(file, `\${${m[1]}} is not a Parameter`);
    }
  }
  if (trust !== undefined && types.includes('AWS::IAM::Role') !== trust) fail(file, 'role presence differs');
  if (!types.includes('AWS::IAM::ManagedPolicy')) fail(file, 'no AWS::IAM::ManagedPolicy');
  if (!policy) return;
  const mp = Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::ManagedPolicy');
  const got = statementsOf(mp.Properties.PolicyDocument), want = statementsOf(policy);
  if (got.length !== want.length) return fail(file, `${got.length} statements, JSON has ${want.length}`);
  got.forEach((s, i) => {
    if (!sameList(s.actions, want[i].actions)) fail(file, `statement ${i}: actions differ from the JSON`);
    if (s.nResources !== want[i].nResources) fail(file, `statement ${i}: resource count differs`);
  });
}

function cloudformation(file, text, policy, trust) {
  let t;
  try {
    t = text.trimStart().startsWith('{') ? JSON.parse(text)
      : YAML.parse(text, { customTags: tags, strict: true, uniqueKeys: true });
  } catch (e) {
    return fail(file, `does not parse: ${e.message}`);
  }
  checkTemplate(file, t, policy, trust);
}

async function checkFile(file, policy, trust) {
  const text = fs.readFileSync(file, 'utf8');
  if (text.startsWith('# Least-privilege IAM policy')) return terraform(file, text, policy, trust);
  if (/^\{\s*"AWSTemplateFormatVersion"|^AWSTemplateFormatVersion/.test(text)) {
    return cloudformation(file, text, policy, trust);
  }
  try { JSON.parse(text); } catch (e) { fail(file, `not JSON: ${e.message}`); }
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  let n = 0;
  if (mode === 'set') {
    for (const base of args) {
      const policy = JSON.parse(fs.readFileSync(`${base}.json`, 'utf8'));
      const fromIntent = fs.existsSync(`${base}.intent`); // the intent decides on trust
      for (const [ext, trust] of [['tf', false], ['cfn.yaml', false], ['cfn.json', false],
        ['trust.tf', true], ['trust.cfn.yaml', true]]) {
        if (fs.existsSync(`${base}.${ext}`)) {
          await checkFile(`${base}.${ext}`, policy, fromIntent ? undefined : trust);
          n++;
        }
      }
    }
  } else if (mode === 'file') {
    for (const f of args) { await checkFile(f); n++; }
  } else {
    console.error('usage: check-emit.js set BASE... | file PATH...');
    process.exit(2);
  }
  console.log(`checked ${n} outputs, ${failures} problems`);
  process.exit(failures ? 1 : 0);
}
main();
