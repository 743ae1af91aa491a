// fuzz.mjs - a bounded garbage run over the HTTP routes: random methods,
// paths, headers and bodies through fetch and through raw sockets, while
// /healthz must keep answering and the server must never die.
// Usage: node fuzz.mjs (KH_BIN, KH_FUZZ_SECONDS; starts its own server).
import assert from 'node:assert/strict';
import net from 'node:net';
import { call, startServer, fixture } from './lib.mjs';

const seconds = Number(process.env.KH_FUZZ_SECONDS || 20);
let seed = Number(process.env.KH_FUZZ_SEED || Date.now() % 100000);
console.log(`fuzz: ${seconds} s, seed ${seed}`);
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));

const paths = ['/healthz', '/metrics', '/openapi.json', '/docs', '/v1/policies/generate', '/v1/policies/validate',
  '/v1/uploads', '/v1/rightsize', '/v1/rightsize/job_x', '/v1/catalog/services', '/v1/catalog/services/s3',
  '/v1/feedback', '/', '/v1/', '/v1/rightsize/../../etc/passwd', '/v1/catalog/services/%00', '/%ff%fe',
  '/v1/catalog/services/' + 'a'.repeat(300), '//v1//rightsize', '/v1/rightsize/?x=1', '/' + 'x/'.repeat(500)];
const seeds = [fixture('orders.intent.json').toString(), fixture('typo.policy.json').toString(),
  fixture('trail-3.json').toString(), '{"principal_arn":"arn:aws:iam::1:role/x","sources":["prod","s3://b/"]}',
  '{"rating":"up","comment":"x"}', '{"policy":{"Version":"2012-10-17","Statement":[]},"fix":true}'];

function mutate(s) {
  const b = Buffer.from(s);
  const n = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < n && b.length; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  return rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
}

function body() {
  const r = rnd();
  if (r < 0.15) return undefined;
  if (r < 0.3) return bytes(Math.floor(rnd() * 4096));
  if (r < 0.4) return '['.repeat(5000) + ']'.repeat(5000);
  if (r < 0.45) return '{"a":' .repeat(2000);
  if (r < 0.7) return mutate(pick(seeds));
  return pick(seeds);
}

async function viaFetch(url) {
  const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
  const headers = {};
  if (rnd() < 0.3) headers.authorization = pick(['Bearer ', 'Bearer kh_1_x', 'Bearer ' + 'a'.repeat(5000), 'Basic x', 'kh_1_abc']);
  if (rnd() < 0.3) headers['content-type'] = pick(['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']);
  const b = method === 'GET' || method === 'HEAD' ? undefined : body();
  const res = await fetch(url + pick(paths), { method, headers, body: b, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  assert.ok(res.status < 500 || res.status === 501 || res.status === 503, `${method}: ${res.status}`);
}

function viaSocket(port) {
  const garbage = [
    () => bytes(200 + Math.floor(rnd() * 2000)),
    () => Buffer.from(`${pick(['GET', 'BREW', 'P\0ST', ''])} ${pick(paths)} HTTP/1.1\r\nHost: x\r\n${'X-A: ' + 'b'.repeat(Math.floor(rnd() * 20000))}\r\n\r\n`),
    () => Buffer.from(`POST /v1/rightsize HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n{`),
    () => Buffer.from(`POST /v1/feedback HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`),
    () => Buffer.from(`POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"rating":`),
    () => Buffer.from(`GET /healthz HTTP/1.1\r\n`.repeat(50)),
  ];
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(pick(garbage)());
      setTimeout(() => s.destroy(), Math.floor(rnd() * 200));
    });
    s.on('error', () => {});
    s.on('close', resolve);
    s.on('data', () => {});
  });
}

const srv = await startServer({ env: { KEYHOLE_TEST_SLOW_JOBS: '1' }, args: ['--max-body', '65536', '--max-upload', '262144', '--rate-limit', '100000'] });
const port = Number(new URL(srv.url).port);
const end = Date.now() + seconds * 1000;
let requests = 0, health = 0, failures = [];

async function worker() {
  while (Date.now() < end) {
    try {
      if (rnd() < 0.25) await viaSocket(port); else await viaFetch(srv.url);
    } catch (e) {
      if (e.code === 'ERR_ASSERTION') failures.push(e.message);
    }
    requests++;
  }
}
async function watchdog() {
  while (Date.now() < end) {
    const r = await call(srv.url, 'GET', '/healthz').catch((e) => ({ status: String(e) }));
    assert.equal(r.status, 200, '/healthz stopped answering');
    health++;
    await new Promise((res) => setTimeout(res, 200));
  }
}
try {
  await Promise.all([watchdog(), ...Array.from({ length: 8 }, worker)]);
  assert.equal(srv.proc.exitCode, null, 'the server died');
  assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
  assert.deepEqual(failures.slice(0, 5), [], 'server errors (5xx)');
} finally {
  const { code, signal } = await srv.stop();
  console.log(`fuzz: ${requests} requests, ${health} health checks, exit ${code ?? signal}`);
  if (code !== 0) { console.log(srv.logs.slice(-20).join('\n')); process.exitCode = 1; }
}
console.log('1 passed, 0 failed');
