// lib.mjs - the browser tests' helpers: the real `keyhole serve` on a free
// loopback port, and Debian's Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// playwright-core is pinned with the other test peers.
const require = createRequire(new URL('../peers/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const SOURCE = resolve(process.env.KH_SOURCE_DIR || new URL('../..', import.meta.url).pathname);
export const BIN = process.env.KH_BIN;
export const CHROMIUM = process.env.KH_CHROMIUM || '/usr/bin/chromium';
export const VIEWPORT = { width: 1280, height: 800 };

export function tempDir(tag) {
  return mkdtempSync(join(process.env.KH_TMP || tmpdir(), `kh-${tag}-`));
}

// Starts the server with the example log root; resolves to {url, stop()}.
export function startServer(dir = tempDir('browser')) {
  if (!BIN) throw new Error('KH_BIN must name the keyhole binary');
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', join(dir, 'keyhole.db'),
    '--logs-root', `example=${join(SOURCE, 'examples/cloudtrail')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  let pending = '';
  const lines = [];
  return new Promise((resolveUrl, reject) => {
    proc.stderr.on('data', (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        try {
          const ev = JSON.parse(line);
          if (ev.event === 'listening') resolveUrl(ev.url);
        } catch { /* not JSON: ignored here */ }
      }
    });
    exited.then(({ code }) => reject(new Error(`keyhole serve exited with ${code}:\n${lines.join('\n')}`)));
  }).then((url) => ({
    url, lines,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  }));
}

// Launches Chromium headless with a fresh profile (one context, shared by
// the pages); never downloads a browser.
export async function launch() {
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// A page that fails the test on any script error or CSP violation. The
// theme the toggle remembered is forgotten first.
export async function newPage(context, { colorScheme = 'light' } = {}) {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
      page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

// The example trail files, recursively.
export function trailFiles(dir = join(SOURCE, 'examples/cloudtrail/AWSLogs')) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...trailFiles(p));
    else if (name.endsWith('.json.gz')) out.push(p);
  }
  return out;
}
