#!/usr/bin/env bash
# HTTP API tests: starts `keyhole serve` ($1) on a free loopback port and
# runs the node:test suites in tests/api/ against it (some start their own
# servers), then stops it with SIGTERM and checks the access log.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")/../api" && pwd)
command -v node >/dev/null || { echo "api: node is required" >&2; exit 1; }

tmp=$(mktemp -d /tmp/kh-api.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$tmp/logs/prod" "$tmp/main"
max_body=65536 max_upload=1048576
KEYHOLE_TEST_SLOW_JOBS=1 "$bin" serve --listen "127.0.0.1:$port" --db "$tmp/main/keyhole.db" \
  --logs-root "prod=$tmp/logs/prod" --max-body $max_body --max-upload $max_upload \
  --workers 2 2>"$tmp/main/stderr" &
pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  node -e "fetch('http://127.0.0.1:$port/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && break
  sleep 0.1
done

export KH_BIN="$bin" KH_URL="http://127.0.0.1:$port" KH_TMP="$tmp" KH_MAX_BODY=$max_body \
  KH_MAX_UPLOAD=$max_upload KH_LOGROOT_DIR="$tmp/logs/prod"
status=0
node --test --test-reporter=spec "$here"/*.test.mjs || status=$?

kill -TERM "$pid" 2>/dev/null || echo "api: the server had died" >&2
wait "$pid" || { echo "api: server exited with $? after SIGTERM" >&2; status=1; }
if [ $status -ne 0 ]; then echo "api: server stderr (last lines):" >&2; grep -v '"request_id"' "$tmp/main/stderr" | tail -40 >&2; fi
pid=
# Every stderr line is JSON; request lines carry exactly the access-log fields.
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
let n = 0;
for (const l of lines) {
  const o = JSON.parse(l);
  if (o.event) continue;
  n++;
  const keys = Object.keys(o).sort().join(",");
  if (keys !== "latency_ms,method,path,request_id,status") throw new Error("bad access-log line: " + l);
  if (/Bearer|kh_\d+_/.test(l)) throw new Error("token in access log: " + l);
}
if (n < 50) throw new Error("only " + n + " access-log lines");
console.log("api: " + n + " access-log lines checked");
' "$tmp/main/stderr" || status=1
exit $status
