// known.js - recognizes the disagreement categories documented in
// KNOWN-DIFFERENCES.md. Returns a short label, or null when unexplained.
'use strict'

function explain (set, req, ours, theirs) {
  return null
}

module.exports = { explain }
