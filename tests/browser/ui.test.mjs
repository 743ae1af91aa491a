// ui.test.mjs - the web UI in a real browser against the real server:
// create (form and plain English), right-size (uploads and a named log
// root), validate, the theme toggle and keyboard navigation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCE, startServer, launch, newPage, trailFiles } from './lib.mjs';

let server, chrome;

before(async () => {
  server = await startServer();
  chrome = await launch();
});
after(async () => {
  await chrome?.close();
  await server?.stop();
});

async function open(hash, opts) {
  const page = await newPage(chrome.context, opts);
  await page.goto(`${server.url}/${hash}`);
  await page.locator('.page:not([hidden]) h1').waitFor();
  return page;
}

function noProblems(page) {
  assert.deepEqual(page.problems, [], 'no script errors or CSP violations');
}

function actionsOf(policy) {
  return policy.Statement.flatMap((s) => [].concat(s.Action));
}

// Reads each tab of a result and checks the three formats.
async function checkTabs(page, prefix, wantActions) {
  const json = JSON.parse(await page.locator(`#${prefix}-panel-json pre`).textContent());
  for (const a of wantActions) assert.ok(actionsOf(json).includes(a), `${a} in ${JSON.stringify(json)}`);
  await page.click(`#${prefix}-tab-terraform`);
  await page.locator(`#${prefix}-panel-terraform`).waitFor();
  const tf = page.locator(`#${prefix}-panel-terraform pre`);
  await page.waitForFunction((el) => !el.textContent.startsWith('Rendering'), await tf.elementHandle());
  assert.match(await tf.textContent(), /data "aws_iam_policy_document"/);
  await page.click(`#${prefix}-tab-cloudformation`);
  const cfn = page.locator(`#${prefix}-panel-cloudformation pre`);
  await page.waitForFunction((el) => !el.textContent.startsWith('Rendering'), await cfn.elementHandle());
  assert.match(await cfn.textContent(), /AWS::IAM::ManagedPolicy/);
  assert.equal(await page.locator(`#${prefix}-panel-json`).isHidden(), true, 'one panel at a time');
  return json;
}

test('home: four cards', async () => {
  const page = await open('');
  const cards = await page.locator('.cards .card h2').allTextContents();
  assert.deepEqual(cards, ['Create policy', 'Right-size policy', 'Validate policy', 'Catalog browser']);
  await page.click('text=Validate policy');
  await page.locator('#page-validate h1').waitFor();
  noProblems(page);
});

test('create: the form, ARN checks, all three tabs, feedback', async () => {
  const page = await open('#/create');
  await page.fill('#c-name', 'orders-fn');
  await page.fill('#c-source', 'lambda');
  const first = page.locator('#dest-rows > li').nth(0);
  await first.locator('.svc').fill('s3');
  await first.getByLabel('Only one resource (ARN)').check();
  // Wrong service, then bad syntax, then right.
  await first.locator('.arn').fill('arn:aws:sqs:us-east-1:123456789012:audit');
  await page.click('#generate-btn');
  assert.match(await first.locator('.arn-box .error').textContent(), /for sqs, not s3/);
  assert.equal(await first.locator('.arn').getAttribute('aria-invalid'), 'true');
  await first.locator('.arn').fill('not-an-arn');
  await page.click('#generate-btn');
  assert.match(await first.locator('.arn-box .error').textContent(), /not an ARN/);
  await first.locator('.arn').fill('arn:aws:s3:::orders-bucket/*');
  await first.locator('.arn').press('Tab'); // checked on change: the error goes
  assert.equal(await first.locator('.arn-box .error').textContent(), '');
  await first.getByLabel('list', { exact: true }).check();
  await page.click('#add-dest');
  const second = page.locator('#dest-rows > li').nth(1);
  await second.locator('.svc').fill('sqs');
  // Neither levels nor actions: an error; then named actions alone.
  await page.click('#generate-btn');
  assert.match(await second.locator('.levels .error').textContent(), /name actions/);
  await second.getByLabel(/Only these actions/).fill('SendMessage, GetQueueUrl');
  await page.click('#add-dest');
  const third = page.locator('#dest-rows > li').nth(2);
  await third.locator('.svc').fill('dynamodb');
  await third.getByRole('button', { name: /^describe/ }).click();
  assert.equal(await third.getByLabel('read', { exact: true }).isChecked(), true, 'describe = list + read');
  assert.equal(await third.getByLabel('write', { exact: true }).isChecked(), false);
  await page.click('#generate-btn');
  await page.locator('#create-result').waitFor();
  const policy = await checkTabs(page, 'create', ['s3:GetObject', 's3:ListMultipartUploadParts', 'sqs:SendMessage', 'dynamodb:GetItem']);
  assert.ok(!actionsOf(policy).includes('dynamodb:PutItem'));
  assert.deepEqual(actionsOf(policy).filter((a) => a.startsWith('sqs:')), ['sqs:GetQueueUrl', 'sqs:SendMessage'],
    'the named actions alone, not every sqs write');
  assert.ok(JSON.stringify(policy).includes('arn:aws:s3:::orders-bucket/*'));
  assert.match(await page.locator('#create-lists').textContent(), /Removed/);
  assert.match(await page.locator('#create-lists').textContent(), /wildcard only/);
  // Copy and Download exist on every panel.
  assert.equal(await page.locator('#create-tabs [role="tabpanel"] button', { hasText: 'Download' }).count(), 3);
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.locator('#create-panel-cloudformation button', { hasText: 'Download' }).click()]);
  assert.equal(download.suggestedFilename(), 'orders-fn.yaml');
  // Feedback.
  await page.click('#feedback .vote[data-rating="up"]');
  await page.fill('#fb-comment', 'looks right');
  const [fb] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/feedback')),
    page.click('#feedback button[type="submit"]')]);
  assert.equal(fb.status(), 201);
  const sent = JSON.parse(fb.request().postData());
  assert.equal(sent.rating, 'up');
  assert.equal(sent.comment, 'looks right');
  assert.equal(sent.intent.name, 'orders-fn');
  assert.ok(actionsOf(sent.output).includes('sqs:SendMessage'));
  await page.locator('#fb-status', { hasText: 'Thank you' }).waitFor();
  noProblems(page);
});

test('create: describe it, edit the rows, generate', async () => {
  const page = await open('#/create');
  await page.fill('#c-name', 'described-fn');
  await page.fill('#describe-text', 'my lambda reads the orders bucket and writes to the audit queue');
  await page.click('#describe-btn');
  const rows = page.locator('#dest-rows > li');
  await page.waitForFunction(() => document.querySelectorAll('#dest-rows > li').length === 2);
  assert.equal(await rows.nth(0).locator('.svc').inputValue(), 's3');
  assert.equal(await rows.nth(0).locator('.arn').inputValue(), 'arn:aws:s3:::orders/*');
  // The verbs mean particular actions: they fill the actions field, no level.
  assert.equal(await rows.nth(0).locator('.actions').inputValue(), 's3:GetObject');
  assert.equal(await rows.nth(0).getByLabel('read', { exact: true }).isChecked(), false);
  assert.equal(await rows.nth(1).locator('.svc').inputValue(), 'sqs');
  assert.equal(await rows.nth(1).locator('.actions').inputValue(), 'sqs:SendMessage');
  assert.equal(await page.locator('#c-source').inputValue(), 'lambda');
  // Edit: the queue only needs to be read from, not written to.
  await rows.nth(1).locator('.actions').fill('ReceiveMessage, DeleteMessage');
  await page.click('#generate-btn');
  await page.locator('#create-result').waitFor();
  const policy = await checkTabs(page, 'create', ['s3:GetObject', 'sqs:ReceiveMessage']);
  assert.deepEqual(actionsOf(policy), ['s3:GetObject', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
    'exactly the named actions, the edit used');
  noProblems(page);
});

async function rightsize(page, useRoot) {
  if (useRoot) {
    await page.check('#rs-src-root');
    assert.equal(await page.locator('#rs-root').inputValue(), 'example');
  } else {
    await page.setInputFiles('#rs-files', trailFiles());
    await page.waitForFunction((n) => [...document.querySelectorAll('#rs-uploads li')]
      .filter((li) => !li.textContent.endsWith('uploading…')).length === n, trailFiles().length);
    assert.ok(await page.locator('#rs-uploads li[data-upload]').count() >= 4);
  }
  await page.fill('#rs-principal', 'arn:aws:iam::111122223333:role/orders-fn-role');
  await page.fill('#rs-since', '2026-09-01');
  await page.fill('#rs-until', '2026-11-01');
  await page.fill('#rs-current', readFileSync(join(SOURCE, 'examples/orders-fn.current-policy.json'), 'utf8'));
  const jobPosts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/v1/rightsize')) jobPosts.push(r.url()); });
  await page.click('#rs-start');
  await page.locator('#rs-progress-box').waitFor();
  await page.locator('#rs-result').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#rs-progress').evaluate((p) => p.value === p.max), true, 'progress reached the end');
  assert.equal(await page.locator('[data-stat="coverage"] b').textContent(), '42/42');
  const used = await page.locator('#rs-used').textContent();
  assert.match(used, /s3:GetObject/);
  assert.match(await page.locator('#rs-report').textContent(), /Granted but unused \(\d+\)/);
  assert.match(await page.locator('#rs-report').textContent(), /s3:DeleteObject/, 'denied call listed');
  await checkTabs(page, 'rs', ['s3:GetObject', 'dynamodb:GetItem']);
  assert.equal(jobPosts.length, 1, 'one job renders every tab');
}

test('right-size: uploaded example trail to completion', async () => {
  const page = await open('#/rightsize');
  await rightsize(page, false);
  noProblems(page);
});

test('right-size: the named log root', async () => {
  const page = await open('#/rightsize');
  await rightsize(page, true);
  noProblems(page);
});

test('validate: an invented action is found and its line marked', async () => {
  const page = await open('#/validate');
  const text = readFileSync(join(SOURCE, 'examples/hallucinated.policy.json'), 'utf8');
  await page.fill('#v-policy', text);
  await page.click('#v-btn');
  await page.locator('#v-result').waitFor();
  const finding = page.locator('#v-findings li', { hasText: 's3:GetObjectContents' });
  await finding.waitFor();
  const line = text.split('\n').findIndex((l) => l.includes('s3:GetObjectContents')) + 1;
  assert.match(await finding.textContent(), new RegExp(`line ${line}:\\d+`));
  const marked = page.locator(`#v-line-${line}`);
  assert.match(await marked.getAttribute('class'), /flagged/);
  assert.equal(await marked.locator('.mark').textContent(), '"s3:GetObjectContents"');
  assert.equal(await page.locator('.ln.flagged').count(), 3);
  const bg = await marked.evaluate((e) => getComputedStyle(e).backgroundColor);
  const plain = await page.locator('#v-view .ln').first().evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(bg, plain, 'the line is highlighted');
  noProblems(page);
});

test('catalog: search and filter by level', async () => {
  const page = await open('#/catalog');
  await page.fill('#cat-search', 'sqs');
  await page.locator('#cat-services button', { hasText: /^sqs/ }).click();
  await page.locator('#cat-detail h2').waitFor();
  await page.selectOption('#cat-level', 'Write');
  const text = await page.locator('#cat-detail').textContent();
  assert.match(text, /sqs:SendMessage/);
  assert.doesNotMatch(text, /sqs:ReceiveMessage/);
  await page.fill('#cat-search', 'sqs:delete');
  await page.waitForFunction(() => !document.querySelector('#cat-detail').textContent.includes('sqs:SendMessage'));
  assert.match(await page.locator('#cat-detail').textContent(), /sqs:DeleteMessage/);
  noProblems(page);
});

test('theme: follows the system, toggles, and is remembered', async () => {
  const page = await open('', { colorScheme: 'dark' });
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await bg();
  assert.equal(await page.getAttribute('#theme-toggle', 'aria-label'), 'Switch to light theme');
  await page.click('#theme-toggle');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  const light = await bg();
  assert.notEqual(light, dark);
  await page.reload();
  await page.locator('#page-home h1').waitFor();
  assert.equal(await bg(), light, 'remembered across loads');
  await page.click('#theme-toggle');
  assert.equal(await bg(), dark);
  await page.evaluate(() => localStorage.removeItem('keyhole-theme'));
  noProblems(page);
});

test('keyboard: Tab reaches Generate; focus is visible; inputs are labelled', async () => {
  const page = await open('#/create');
  await page.locator('#dest-rows > li').first().waitFor();
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'generate-btn');
  }
  assert.ok(reached, 'Generate is reachable with Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  // Enter on the focused button generates.
  await page.keyboard.press('Enter');
  await page.locator('#create-result').waitFor();
  // Every form control on every page has a label.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, []);
  // Tabs switch with the arrow keys.
  await page.focus('#create-tab-json');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'create-tab-terraform');
  assert.equal(await page.locator('#create-panel-terraform').isVisible(), true);
  noProblems(page);
});
