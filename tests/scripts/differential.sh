#!/usr/bin/env bash
# Differential test (bounded sample): keyhole's evaluation engine against
# @cloud-copilot/iam-simulate on ~2,000 seeded cases. The full run is
# `make differential-full`. Skips (exit 0 with a note) when node or the
# pinned peers are missing.
set -u
keyhole=$1
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${KH_PEERS_DIR:-$here/peers}
if ! command -v node >/dev/null || [ ! -d "$peers/node_modules/@cloud-copilot/iam-simulate" ]; then
  echo "differential: skipped (node or tests/peers/node_modules missing; run scripts/bootstrap)"
  exit 0
fi
KH_PEERS_DIR=$peers exec node "$here/differential/run.js" "$keyhole" \
  --cases "${KH_DIFF_CASES:-1600}" --managed "${KH_DIFF_MANAGED:-400}" --seed "${KH_DIFF_SEED:-1}"
