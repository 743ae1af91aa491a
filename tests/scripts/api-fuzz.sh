#!/usr/bin/env bash
# Bounded garbage run over the HTTP API ($1 is the keyhole binary):
# KH_FUZZ_SECONDS (default 20) of random requests; /healthz must keep
# answering, no 5xx but 501/503, and the server must stop cleanly.
set -euo pipefail
command -v node >/dev/null || { echo "api-fuzz: node is required" >&2; exit 1; }
tmp=$(mktemp -d /tmp/kh-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
KH_BIN=$(realpath "$1") KH_TMP="$tmp" node "$(dirname "$0")/../api/fuzz.mjs"
