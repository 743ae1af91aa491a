// ui.test.mjs - the routes the web UI adds: the embedded assets, the
// free-text preview, generate with "describe", and the log-root names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError } from './lib.mjs';

const URL_ = process.env.KH_URL;
const SENTENCE = 'my lambda reads the orders bucket and writes to the audit queue';

test('web UI: index and assets with types, ETag and a strict CSP', async () => {
  const page = await call(URL_, 'GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.text, /<script type="module" src="\/assets\/app\.js"><\/script>/);
  assert.doesNotMatch(page.text, /<script>|<style|style="|\son[a-z]+="/i, 'no inline code or styles');
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  for (const [name, type] of [['app.js', /^text\/javascript/], ['app.css', /^text\/css/]]) {
    const r = await call(URL_, 'GET', `/assets/${name}`);
    assert.equal(r.status, 200, name);
    assert.match(r.headers.get('content-type'), type, name);
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    const again = await call(URL_, 'GET', `/assets/${name}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304, name);
    assert.equal(again.text, '');
  }
  assertError(await call(URL_, 'GET', '/assets/nosuch.js'), 404, 'not_found');
  assertError(await call(URL_, 'GET', '/assets/..%2Fkeyhole.db'), 404, 'not_found');
  assertError(await call(URL_, 'POST', '/'), 405, 'method_not_allowed');
});

test('intents/describe: text to an editable intent', async () => {
  const r = await call(URL_, 'POST', '/v1/intents/describe', { json: { text: SENTENCE, name: 'orders' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.intent.name, 'orders');
  assert.equal(r.body.intent.source, 'lambda');
  // "reads" and "writes to" mean particular actions of S3 and SQS, not whole levels
  assert.deepEqual(r.body.intent.grants.map((g) => [g.service, g.access, g.actions]),
    [['s3', undefined, ['s3:GetObject']], ['sqs', undefined, ['sqs:SendMessage']]]);
  assert.deepEqual(r.body.unparsed, []);
  assert.ok(Array.isArray(r.body.notes));
  const vague = await call(URL_, 'POST', '/v1/intents/describe', { json: { text: 'hello there' } });
  assert.equal(vague.status, 200, 'nothing placed is not an error here');
  assert.equal(vague.body.intent.grants?.length ?? 0, 0);
  assert.ok(vague.body.unparsed.length > 0);
  assertError(await call(URL_, 'POST', '/v1/intents/describe', { json: {} }), 400, 'bad_request');
  assertError(await call(URL_, 'POST', '/v1/intents/describe', { json: { text: 5 } }), 400, 'bad_request');
  assertError(await call(URL_, 'POST', '/v1/intents/describe', { json: { text: 'x', extra: 1 } }), 400, 'bad_request');
  assertError(await call(URL_, 'POST', '/v1/intents/describe', { body: '{"text": ' }), 400, 'invalid_json');
});

test('generate: "describe" in the intent, and the intent comes back', async () => {
  const r = await call(URL_, 'POST', '/v1/policies/generate',
    { json: { name: 'orders', describe: SENTENCE, format: 'terraform' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.format, 'terraform');
  assert.equal(r.body.intent.name, 'orders');
  assert.equal(r.body.intent.describe, undefined);
  assert.equal(r.body.intent.grants.length, 2);
  assert.deepEqual(r.body.unparsed, []);
  const actions = JSON.stringify(r.body.policy);
  assert.ok(actions.includes('s3:GetObject') && actions.includes('sqs:SendMessage'), actions);
  assert.equal(Object.keys(r.body.policy)[0], 'Version', 'the policy keeps its order');
  // A structured intent is echoed as given, with empty parser fields.
  const plain = await call(URL_, 'POST', '/v1/policies/generate',
    { json: { name: 'q', grants: [{ service: 'sqs', access: ['read'] }] } });
  assert.equal(plain.status, 200, plain.text);
  assert.deepEqual(plain.body.intent, { name: 'q', grants: [{ service: 'sqs', access: ['read'] }] });
  assert.deepEqual(plain.body.unparsed, []);
  assert.deepEqual(plain.body.notes, []);
  // Nothing placeable, both describe and grants, describe not a string: 400.
  const none = await call(URL_, 'POST', '/v1/policies/generate', { json: { name: 'x', describe: 'blah blah' } });
  assertError(none, 400, 'bad_request');
  assert.match(none.body.error.message, /blah blah/);
  assertError(await call(URL_, 'POST', '/v1/policies/generate',
    { json: { name: 'x', describe: SENTENCE, grants: [{ service: 'sqs', access: ['read'] }] } }), 400, 'bad_request');
  assertError(await call(URL_, 'POST', '/v1/policies/generate', { json: { name: 'x', describe: 7 } }), 400, 'bad_request');
});

test('log-roots: names only', async () => {
  const r = await call(URL_, 'GET', '/v1/log-roots');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { log_roots: [{ name: 'prod' }] });
  assert.doesNotMatch(r.text, /\//, 'no paths');
  assertError(await call(URL_, 'POST', '/v1/log-roots', { json: {} }), 405, 'method_not_allowed');
});
