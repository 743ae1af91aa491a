// known.js - the disagreement categories documented in KNOWN-DIFFERENCES.md.
//
// A disagreement counts as explained only when rewriting the case so that
// the documented AWS behaviour is spelled out in a form the peer handles
// makes the peer give keyhole's answer. Each category is such a rewrite;
// explain() returns the first category whose rewrite reconciles the two.
'use strict'

const clone = (x) => JSON.parse(JSON.stringify(x))

function hasKey (ctx, key) {
  return Object.keys(ctx).some((k) => k.toLowerCase() === key.toLowerCase())
}

// Applies fn(op, key, values) -> {op, values} | null (drop) to every condition.
function mapConditions (set, fn) {
  const out = clone(set)
  const policies = [...out.identity, out.boundary, ...out.scps, out.resource].filter(Boolean)
  for (const p of policies) {
    for (const st of [].concat(p.Statement)) {
      if (!st.Condition) continue
      const next = {}
      for (const [op, block] of Object.entries(st.Condition)) {
        for (const [key, values] of Object.entries(block)) {
          const r = fn(op, key, values)
          if (!r) continue
          next[r.op] = next[r.op] || {}
          next[r.op][key] = r.values
        }
      }
      st.Condition = next
    }
  }
  return out
}

const CATEGORIES = [
  {
    // AWS: "...IfExists: if the key is not present, evaluate the condition
    // element as true", with set operators as well. The peer returns false
    // for ForAnyValue:...IfExists on a missing key.
    name: 'set-operator-ifexists-missing-key',
    rewrite: (set, req) => mapConditions(set, (op, key, values) =>
      /^ForAnyValue:.*IfExists$/i.test(op) && !hasKey(req.context, key) ? null : { op, values })
  },
  {
    // 0.0.0.0/0 holds every IPv4 address; the peer's mask arithmetic makes
    // /0 match only 0.0.0.0. Split it into two /1 halves.
    name: 'ipv4-slash-zero',
    rewrite: (set) => mapConditions(set, (op, key, values) => ({
      op,
      values: [].concat(values).flatMap((v) => v === '0.0.0.0/0' ? ['0.0.0.0/1', '128.0.0.0/1'] : [v])
    }))
  },
  {
    // AWS date conditions take epoch seconds; the peer compares epoch values
    // as seconds but ISO 8601 dates as milliseconds. Rewrite epoch values as
    // ISO dates.
    name: 'date-epoch-vs-iso',
    rewrite: (set, req) => {
      const iso = (v) => /^\d+$/.test(v) ? new Date(Number(v) * 1000).toISOString() : v
      const out = mapConditions(set, (op, key, values) => ({
        op, values: /Date/i.test(op) ? [].concat(values).map(iso) : values
      }))
      out.__context = Object.fromEntries(Object.entries(req.context).map(([k, v]) =>
        [k, Array.isArray(v) ? v : iso(v)]))
      return out
    }
  }
]

// peer(set, req) decides with the peer; returns the category name or null.
function explain (set, req, ours, peer) {
  for (const c of CATEGORIES) {
    const rewritten = c.rewrite(set, req)
    const ctx = rewritten.__context
    delete rewritten.__context
    const r = ctx ? Object.assign({}, req, { context: ctx }) : req
    if (JSON.stringify(rewritten) === JSON.stringify(set) && r === req) continue
    if (peer(rewritten, r) === ours) return c.name
  }
  return null
}

module.exports = { explain }
