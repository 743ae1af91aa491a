#!/usr/bin/env bash
# Load benchmark of `keyhole serve` (not a test): wrk on loopback against
# POST /v1/policies/generate with an example intent.
# Usage: bench/http-load.sh [keyhole-binary] [seconds] [connections] [intent.json]
# Installs wrk (Debian) when missing. Prints wrk's report and a summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/keyhole}
secs=${2:-15}
conns=${3:-64}
intent=${4:-examples/ingest-ecs.intent.json}
threads=${KH_BENCH_THREADS:-2}

if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
[ -x "$bin" ] || { echo "http-load: build first (make build)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin" serve --listen 127.0.0.1:0 --db "$tmp/keyhole.db" --threads "$threads" 2>"$tmp/log" &
pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/log" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$tmp/log" | head -1)
curl -sf -o /dev/null -X POST --data-binary @"$intent" "$url/v1/policies/generate" \
  || { echo "http-load: the generate route does not answer 200" >&2; exit 1; }

echo "http-load: $(nproc) CPUs, server threads $threads, wrk -t2 -c$conns -d${secs}s, body $intent ($(wc -c <"$intent") bytes)"
# Baselines: the server core alone (no body, no library work).
for path in /healthz /v1/catalog/services/sqs; do
  echo "--- GET $path"
  wrk -t2 -c"$conns" -d5s --latency "$url$path" | grep -E "Requests/sec|99%"
done
echo "--- POST /v1/policies/generate"
KH_INTENT="$(realpath "$intent")" wrk -t2 -c"$conns" -d"${secs}s" --latency \
  -s bench/http-load.lua "$url/v1/policies/generate"
