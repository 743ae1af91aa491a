// gen.js - seeded generator of well-formed (policy set, requests) groups.
//
// Values come from small pools so that conditions, patterns and principals
// match often enough for both outcomes to be exercised.
'use strict'

// mulberry32: a small deterministic PRNG.
function rng (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    some: (arr, max) => {
      const n = 1 + Math.floor(next() * max), out = []
      for (let i = 0; i < n; i++) out.push(r.pick(arr))
      return [...new Set(out)]
    }
  }
  return r
}

const A = '111111111111' // the resource's account
const B = '222222222222' // another account

// Actions whose service uses the peer's default authorizer, with ARNs.
const TARGETS = [
  { action: 'sqs:SendMessage', arns: [`arn:aws:sqs:us-east-1:${A}:orders`, `arn:aws:sqs:eu-west-1:${A}:jobs`] },
  { action: 'sqs:ReceiveMessage', arns: [`arn:aws:sqs:us-east-1:${A}:orders`] },
  { action: 'sqs:DeleteMessage', arns: [`arn:aws:sqs:us-east-1:${A}:jobs`] },
  { action: 'dynamodb:GetItem', arns: [`arn:aws:dynamodb:us-east-1:${A}:table/Users`, `arn:aws:dynamodb:us-east-1:${A}:table/alice`] },
  { action: 'dynamodb:PutItem', arns: [`arn:aws:dynamodb:us-east-1:${A}:table/Users`] },
  { action: 'sns:Publish', arns: [`arn:aws:sns:us-east-1:${A}:alerts`] },
  { action: 'lambda:InvokeFunction', arns: [`arn:aws:lambda:us-east-1:${A}:function:alice-fn`, `arn:aws:lambda:us-east-1:${A}:function:worker`] },
  { action: 'secretsmanager:GetSecretValue', arns: [`arn:aws:secretsmanager:us-east-1:${A}:secret:db-AbCdEf`] },
  { action: 'logs:PutLogEvents', arns: [`arn:aws:logs:us-east-1:${A}:log-group:app:log-stream:s1`] }
]

const ACTION_PATTERNS = [
  'sqs:*', 'sqs:Send*', 'sqs:?endMessage', 'SQS:sendmessage', 'dynamodb:Get*', 'dynamodb:*Item',
  'sns:Publish', 'lambda:Invoke*', 'secretsmanager:GetSecretValue', 'logs:Put*', '*', 's3:*',
  'sqs:ReceiveMessage', 'dynamodb:PutItem', 'sqs:Delete*'
]

const RESOURCE_PATTERNS = [
  '*', `arn:aws:sqs:*:${A}:*`, `arn:aws:sqs:us-east-1:${A}:orders`, `arn:aws:sqs:us-east-1:*:jobs`,
  `arn:aws:sqs:*:*:*`, `arn:aws:dynamodb:us-east-1:${A}:table/*`, `arn:aws:dynamodb:*:*:table/\${aws:username}`,
  `arn:aws:lambda:us-east-1:${A}:function:\${aws:username}-*`, `arn:aws:lambda:*:*:function:*`,
  `arn:aws:sns:us-east-1:${A}:alert?`, `arn:aws:secretsmanager:us-east-1:${A}:secret:db-*`,
  `arn:aws:logs:us-east-1:${A}:log-group:app:*`, `arn:aws:logs:us-east-1:${A}:log-group:*`,
  'arn:aws:*:us-east-1:*:*', `arn:aws:sqs:us-east-1:${A}:ord*`, `arn:aws:dynamodb:us-east-1:${A}:table/\${aws:PrincipalTag/team}`
]

const PRINCIPALS = [
  `arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:user/bob`,
  `arn:aws:sts::${A}:assumed-role/Worker/session1`, `arn:aws:iam::${B}:user/carol`,
  `arn:aws:sts::${B}:assumed-role/Partner/s2`
]

const RP_PRINCIPALS = [
  '*', { AWS: '*' }, { AWS: A }, { AWS: `arn:aws:iam::${A}:root` }, { AWS: B },
  { AWS: `arn:aws:iam::${A}:user/alice` }, { AWS: `arn:aws:iam::${A}:role/Worker` },
  { AWS: `arn:aws:sts::${A}:assumed-role/Worker/session1` }, { AWS: `arn:aws:iam::${B}:user/carol` },
  { AWS: [`arn:aws:iam::${A}:user/bob`, `arn:aws:iam::${B}:root`] }
]

// Condition keys, each with a value pool for requests and policies.
const KEYS = {
  'aws:username': { kind: 'str', pool: ['alice', 'bob', 'Alice', 'carol'] },
  'aws:PrincipalTag/team': { kind: 'str', pool: ['red', 'blue', 'Red', 'alice'] },
  'aws:RequestTag/env': { kind: 'str', pool: ['prod', 'dev', 'prod-eu', 'PROD'] },
  'aws:MultiFactorAuthAge': { kind: 'num', pool: ['0', '300', '3600', '4000', '12.5'] },
  'aws:CurrentTime': { kind: 'date', pool: ['2024-01-01T00:00:00Z', '2024-06-15T12:30:00Z', '2025-01-01', '2023-12-31T23:59:59Z'] },
  'aws:EpochTime': { kind: 'epoch', pool: ['1704067200', '1718454600', '1700000000'] },
  'aws:SecureTransport': { kind: 'bool', pool: ['true', 'false'] },
  'aws:MultiFactorAuthPresent': { kind: 'bool', pool: ['true', 'false'] },
  'aws:SourceIp': { kind: 'ip', pool: ['10.1.2.3', '192.168.0.10', '203.0.113.7', '2001:db8::1', '2001:db9::5'] },
  'aws:SourceArn': { kind: 'arn', pool: [`arn:aws:sns:us-east-1:${A}:alerts`, `arn:aws:s3:::bucket-1`, `arn:aws:lambda:us-east-1:${B}:function:x`] },
  'aws:PrincipalArn': { kind: 'arn', pool: [`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:role/Worker`] },
  'aws:TagKeys': { kind: 'set', pool: ['env', 'team', 'cost', 'Owner'] },
  'aws:PrincipalOrgID': { kind: 'str', pool: ['o-abc123', 'o-zzz999'] }
}

const POLICY_VALUES = {
  str: ['alice', 'bob', 'al*', '?ob', 'prod*', 'red', 'RED', 'o-abc123', 'prod', '${aws:username}'],
  num: ['0', '300', '3600', '100.5', '4000'],
  date: ['2024-01-01T00:00:00Z', '2024-06-01', '2024-12-31T23:59:59Z', '2023-06-01T00:00:00+02:00'],
  epoch: ['1704067200', '1710000000', '1800000000'],
  bool: ['true', 'false'],
  ip: ['10.0.0.0/8', '192.168.0.0/16', '203.0.113.7/32', '2001:db8::/32', '0.0.0.0/0', '203.0.113.0/24'],
  arn: [`arn:aws:sns:*:${A}:*`, `arn:aws:sns:us-east-1:${A}:alerts`, 'arn:aws:s3:::bucket-*', `arn:aws:iam::${A}:user/*`, `arn:aws:*:*:${B}:*`],
  set: ['env', 'team', 'cost', 'owner']
}

const OPS = {
  str: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'],
  num: ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'],
  date: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'],
  epoch: ['DateLessThan', 'DateGreaterThanEquals', 'DateEquals'],
  bool: ['Bool'],
  ip: ['IpAddress', 'NotIpAddress'],
  arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
  set: ['StringEquals', 'StringLike', 'StringNotEquals', 'StringEqualsIgnoreCase']
}

function condition (r) {
  const cond = {}
  const n = 1 + r.int(2)
  for (let i = 0; i < n; i++) {
    const key = r.pick(Object.keys(KEYS))
    const kind = KEYS[key].kind
    if (r.chance(0.08)) {
      cond.Null = Object.assign(cond.Null || {}, { [key]: r.pick(['true', 'false']) })
      continue
    }
    let op = r.pick(OPS[kind])
    if (kind === 'set') op = r.pick(['ForAllValues:', 'ForAnyValue:']) + op
    else if (r.chance(0.08)) op = r.pick(['ForAllValues:', 'ForAnyValue:']) + op
    if (r.chance(0.2)) op += 'IfExists'
    const values = r.some(POLICY_VALUES[kind], 2)
    cond[op] = Object.assign(cond[op] || {}, { [key]: values.length === 1 && r.chance(0.5) ? values[0] : values })
  }
  return cond
}

function statement (r, kind) {
  const st = { Effect: r.chance(kind === 'identity' ? 0.7 : 0.75) ? 'Allow' : 'Deny' }
  if (r.chance(0.15)) st.NotAction = r.some(ACTION_PATTERNS, 2)
  else st.Action = r.some(ACTION_PATTERNS, 3)
  if (kind === 'resource') {
    if (r.chance(0.1)) st.NotPrincipal = r.pick(RP_PRINCIPALS.slice(2))
    else st.Principal = r.pick(RP_PRINCIPALS)
  }
  if (r.chance(0.12)) st.NotResource = r.some(RESOURCE_PATTERNS.slice(1), 2)
  else st.Resource = r.some(RESOURCE_PATTERNS, 3)
  if (r.chance(0.45)) st.Condition = condition(r)
  return st
}

function policy (r, kind, max) {
  const n = 1 + r.int(max)
  const sts = []
  for (let i = 0; i < n; i++) sts.push(statement(r, kind))
  return { Version: '2012-10-17', Statement: sts }
}

function context (r) {
  const ctx = {}
  for (const [key, spec] of Object.entries(KEYS)) {
    if (!r.chance(0.55)) continue
    if (spec.kind === 'set') {
      const n = r.int(4)
      const vals = []
      for (let i = 0; i < n; i++) vals.push(r.pick(spec.pool))
      ctx[key] = [...new Set(vals)]
    } else {
      ctx[key] = r.pick(spec.pool)
    }
  }
  return ctx
}

function request (r) {
  const t = r.pick(TARGETS)
  return {
    principal: r.pick(PRINCIPALS),
    action: t.action,
    resource: r.pick(t.arns),
    resource_account: A,
    context: context(r)
  }
}

function randomGroups (seed, cases, perGroup) {
  const r = rng(seed)
  const groups = []
  for (let made = 0; made < cases;) {
    const set = {
      identity: [policy(r, 'identity', 4)],
      boundary: r.chance(0.25) ? policy(r, 'identity', 2) : null,
      scps: [],
      resource: r.chance(0.45) ? policy(r, 'resource', 3) : null
    }
    if (r.chance(0.3)) set.identity.push(policy(r, 'identity', 2))
    if (r.chance(0.25)) {
      const levels = 1 + r.int(2)
      for (let i = 0; i < levels; i++) {
        set.scps.push(r.chance(0.5)
          ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }].concat(policy(r, 'identity', 1).Statement.filter((s) => s.Effect === 'Deny')) }
          : policy(r, 'identity', 2))
      }
    }
    const n = Math.min(perGroup, cases - made)
    const requests = []
    for (let i = 0; i < n; i++) requests.push(request(r))
    groups.push({ set, requests })
    made += n
  }
  return groups
}

// A plausible ARN for an action: its service, region and account A.
function arnFor (r, action) {
  const service = action.split(':')[0]
  if (service === 's3') return r.pick(['arn:aws:s3:::bucket-1/key.txt', 'arn:aws:s3:::bucket-1'])
  if (service === 'iam') return r.pick([`arn:aws:iam::${A}:role/Worker`, `arn:aws:iam::${A}:user/alice`])
  return `arn:aws:${service}:us-east-1:${A}:${r.pick(['thing/x', 'item', 'table/Users'])}`
}

// Managed policies (their latest version) as identity policies, each
// against random catalog actions, from an IAM user in account A.
function managedGroups (seed, cases, managed, actions) {
  const r = rng(seed + 7919)
  const names = Object.keys(managed).sort()
  const groups = []
  for (let made = 0; made < cases;) {
    const m = managed[r.pick(names)]
    const doc = m.versions[m.latestVersionId].document
    const requests = []
    const n = Math.min(10, cases - made)
    for (let i = 0; i < n; i++) {
      // Half the actions come from the policy's own services, so that allows occur.
      const action = r.chance(0.5) ? r.pick(actions) : ownAction(r, doc, actions)
      requests.push({
        principal: `arn:aws:iam::${A}:user/alice`,
        action,
        resource: arnFor(r, action),
        resource_account: A,
        context: {}
      })
    }
    groups.push({ set: { identity: [doc], boundary: null, scps: [], resource: null }, requests })
    made += n
  }
  return groups
}

function ownAction (r, doc, actions) {
  const sts = [].concat(doc.Statement)
  const pats = [].concat(...sts.map((s) => [].concat(s.Action || [])))
  const pat = pats.length ? r.pick(pats) : '*'
  const prefix = pat.split(':')[0].toLowerCase()
  const cands = actions.filter((a) => a.toLowerCase().startsWith(prefix + ':'))
  return cands.length ? r.pick(cands) : r.pick(actions)
}

module.exports = { rng, randomGroups, managedGroups }
