#!/usr/bin/env bash
# Browser tests of the web UI: Debian's Chromium driven by playwright-core
# (tests/peers) against the real `keyhole serve` ($1) on a free loopback
# port. Then the screenshots are taken again, to check that they still can
# be (they are written to a temporary directory, not docs/screenshots).
set -euo pipefail
bin=$(realpath "$1")
src=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
chromium=${KH_CHROMIUM:-/usr/bin/chromium}
command -v node >/dev/null || { echo "browser: node is required" >&2; exit 1; }
[ -x "$chromium" ] || { echo "browser: $chromium is missing; run scripts/bootstrap" >&2; exit 1; }
[ -d "$src/tests/peers/node_modules/playwright-core" ] ||
  { echo "browser: playwright-core is missing; run scripts/bootstrap" >&2; exit 1; }

tmp=$(mktemp -d /tmp/kh-browser.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export KH_BIN="$bin" KH_SOURCE_DIR="$src" KH_TMP="$tmp" KH_CHROMIUM="$chromium"
node --test --test-reporter=spec --test-concurrency=1 "$src"/tests/browser/*.test.mjs
node "$src/tests/browser/screenshots.mjs" "$tmp/screenshots"
