// lib.mjs - helpers for the HTTP API tests: spawn `keyhole serve`, talk to it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const BIN = process.env.KH_BIN;
if (!BIN) throw new Error('KH_BIN must name the keyhole binary');

export function tempDir(tag) {
  return mkdtempSync(join(process.env.KH_TMP || tmpdir(), `kh-${tag}-`));
}

// Runs a keyhole command to completion.
export function keyhole(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Starts `keyhole serve` on a free loopback port; resolves once listening.
export function startServer({ dir, args = [], env = {}, listen = '127.0.0.1:0' } = {}) {
  dir = dir || tempDir('srv');
  const proc = spawn(BIN, ['serve', '--listen', listen, '--db', join(dir, 'keyhole.db'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs = [];
  let pending = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    proc.stderr.on('data', (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        logs.push(line);
        try {
          const ev = JSON.parse(line);
          if (ev.event === 'listening') resolve(ev.url);
        } catch { /* a non-JSON line fails the access-log test, not this */ }
      }
    });
    exited.then(({ code }) => reject(new Error(`server exited with ${code}: ${logs.join('\n')}`)));
  });
  const server = {
    dir, proc, logs, exited,
    db: join(dir, 'keyhole.db'),
    url: null,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  return ready.then((url) => { server.url = url; return server; });
}

// fetch with a JSON body (when given) that resolves to {status, headers, body, text}.
export async function call(base, method, path, { json, body, headers = {}, token } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    body = JSON.stringify(json);
    h['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, { method, headers: h, body });
  const text = await res.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.body?.error?.message, 'string', r.text);
  if (code) assert.equal(r.body.error.code, code, r.text);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls a job until its status is one of `want` (or times out).
export async function waitJob(base, id, want, { token, timeoutMs = 20000 } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(base, 'GET', `/v1/rightsize/${id}`, { token });
    if (r.status === 200 && want.includes(r.body.status)) return r.body;
    if (Date.now() > end) throw new Error(`job ${id} never reached ${want}: ${r.text}`);
    await sleep(100);
  }
}

export function fixture(name) {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}
