#!/usr/bin/env bash
# Evaluations per second of the policy engine on one core: a batch of
# requests (default 1,000,000) against a 20-statement policy. Target: at
# least 1,000,000/s. Not a test: prints the figure.
# usage: bench/eval.sh [BUILD_DIR] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} n=${2:-1000000}
tool=$(mktemp)
trap 'rm -f "$tool"' EXIT
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -o "$tool" bench/eval_bench.c "$build/libkeyhole.a" \
  $(pkg-config --libs jansson) -lm
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(date -u +%F)"
taskset -c 0 "$tool" "$n" 2>/dev/null || "$tool" "$n"
