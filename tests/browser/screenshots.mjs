// screenshots.mjs - screenshots of every page of the web UI, light and
// dark, at 1280x800, into docs/screenshots/ (or the directory given).
// Needs KH_BIN (the keyhole binary); run by `make screenshots` and, into a
// temporary directory, by tests/scripts/browser.sh.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SOURCE, startServer, launch, newPage } from './lib.mjs';

const out = resolve(process.argv[2] || join(SOURCE, 'docs/screenshots'));
mkdirSync(out, { recursive: true });

const scenes = {
  async home() {},
  async create(page) {
    await page.fill('#c-name', 'orders-fn');
    await page.fill('#describe-text', 'my lambda reads the orders bucket and writes to the audit queue');
    await page.click('#describe-btn');
    await page.waitForFunction(() => document.querySelectorAll('#dest-rows > li').length === 2);
  },
  async generated(page) {
    await scenes.create(page);
    await page.click('#generate-btn');
    await page.locator('#create-result').waitFor();
  },
  async rightsize(page) {
    await page.check('#rs-src-root');
    await page.fill('#rs-principal', 'arn:aws:iam::111122223333:role/orders-fn-role');
    await page.fill('#rs-since', '2026-09-01');
    await page.fill('#rs-until', '2026-11-01');
    await page.fill('#rs-current', readFileSync(join(SOURCE, 'examples/orders-fn.current-policy.json'), 'utf8'));
    await page.click('#rs-start');
    await page.locator('#rs-result').waitFor({ timeout: 30000 });
    await page.locator('#rs-report .stats').scrollIntoViewIfNeeded();
    await page.evaluate(() => document.querySelector('#rs-result').scrollIntoView({ block: 'start' }));
  },
  async validate(page) {
    await page.fill('#v-policy', readFileSync(join(SOURCE, 'examples/hallucinated.policy.json'), 'utf8'));
    await page.click('#v-btn');
    await page.locator('#v-result').waitFor();
    await page.evaluate(() => document.querySelector('#v-result').scrollIntoView({ block: 'start' }));
  },
  async catalog(page) {
    await page.fill('#cat-search', 'sqs');
    await page.locator('#cat-services button', { hasText: /^sqs/ }).click();
    await page.locator('#cat-detail h2').waitFor();
  },
};
const routes = { home: '', create: '#/create', generated: '#/create', rightsize: '#/rightsize',
  validate: '#/validate', catalog: '#/catalog' };

const server = await startServer();
const chrome = await launch();
const written = [];
try {
  for (const scheme of ['light', 'dark']) {
    for (const [name, scene] of Object.entries(scenes)) {
      const page = await newPage(chrome.context, { colorScheme: scheme });
      await page.goto(`${server.url}/${routes[name]}`);
      await page.locator('.page:not([hidden]) h1').waitFor();
      await page.waitForLoadState('networkidle');
      await scene(page);
      // No caret or focus ring in the pictures.
      await page.evaluate(() => document.activeElement?.blur());
      const file = join(out, `${name}-${scheme}.png`);
      await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
      if (page.problems.length) throw new Error(`${name}: ${page.problems.join('; ')}`);
      written.push(file);
      await page.close();
    }
  }
} finally {
  await chrome.close();
  await server.stop();
}
console.log(`screenshots: ${written.length} written to ${out}`);
