// routes.test.mjs - every route and error case against the server that
// tests/scripts/api.sh started (no tokens, slow test runner, small limits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, fixture, waitJob } from './lib.mjs';

const URL_ = process.env.KH_URL;
const MAX_BODY = Number(process.env.KH_MAX_BODY);
const MAX_UPLOAD = Number(process.env.KH_MAX_UPLOAD);
// Events the server counts in tests/api/fixtures/trail-3.json.
const TRAIL_EVENTS = 3;

test('healthz', async () => {
  const r = await call(URL_, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { status: 'ok' });
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
});

test('catalog: services and one service by level', async () => {
  let r = await call(URL_, 'GET', '/v1/catalog/services');
  assert.equal(r.status, 200);
  assert.ok(r.body.services.length > 400);
  assert.ok(r.body.services.some((s) => s.prefix === 's3' && s.actions > 100));
  r = await call(URL_, 'GET', '/v1/catalog/services/s3');
  assert.equal(r.status, 200);
  assert.equal(r.body.prefix, 's3');
  assert.ok(r.body.actions_by_level.Read.includes('GetObject'));
  assert.ok(r.body.actions_by_level.List.includes('ListBucket'));
  assert.ok(r.body.actions_by_level.Write.includes('PutObject'));
  r = await call(URL_, 'GET', '/v1/catalog/services/S3');
  assert.equal(r.status, 200, 'prefixes match case-insensitively');
  assertError(await call(URL_, 'GET', '/v1/catalog/services/nosuch'), 404, 'not_found');
});

test('generate: intent to policy', async () => {
  const r = await call(URL_, 'POST', '/v1/policies/generate', { body: fixture('orders.intent.json') });
  assert.equal(r.status, 200, r.text);
  for (const k of ['policy', 'format', 'rendered', 'warnings', 'added_dependent_actions', 'removed_actions'])
    assert.ok(k in r.body, `missing ${k}`);
  assert.equal(r.body.policy.Version, '2012-10-17');
  assert.ok(JSON.stringify(r.body.policy).includes('s3:GetObject'));
});

test('generate: bad input is a 400 with a position', async () => {
  const r = await call(URL_, 'POST', '/v1/policies/generate', { body: '{\n  "name": "x",\n  "grants": [\n' });
  assertError(r, 400);
  assert.match(r.body.error.message, /^4:1: /);
  const u = await call(URL_, 'POST', '/v1/policies/generate',
    { json: { name: 'x', grants: [{ service: 'nosuchservice', access: ['read'] }] } });
  assertError(u, 400);
});

test('validate: findings and fix', async () => {
  const text = fixture('typo.policy.json').toString();
  const r = await call(URL_, 'POST', '/v1/policies/validate', { json: { policy: JSON.parse(text), fix: true } });
  assert.equal(r.status, 200, r.text);
  assert.ok(Array.isArray(r.body.findings));
  const typo = r.body.findings.find((f) => f.message.includes('GetObjekt'));
  assert.ok(typo, r.text);
  assert.equal(typo.severity, 'ERROR');
  assert.ok(!JSON.stringify(r.body.fixed_policy).includes('GetObjekt'));
  assert.ok(JSON.stringify(r.body.fixed_policy).includes('s3:GetObject'));
  // As text, positions refer to the text sent.
  const t = await call(URL_, 'POST', '/v1/policies/validate', { json: { policy: text } });
  assert.equal(t.status, 200, t.text);
  const at = t.body.findings.find((f) => f.message.includes('GetObjekt'));
  assert.equal(at.line, text.split('\n').findIndex((l) => l.includes('GetObjekt')) + 1);
  assert.equal(t.body.fixed_policy, undefined);
  // Not a policy at all: a finding, not a failure.
  const j = await call(URL_, 'POST', '/v1/policies/validate', { json: { policy: '{"Version": ' } });
  assert.equal(j.status, 200);
  assert.equal(j.body.findings[0].code, 'JSON_SYNTAX_ERROR');
  assertError(await call(URL_, 'POST', '/v1/policies/validate', { json: { fix: true } }), 400);
  assertError(await call(URL_, 'POST', '/v1/policies/validate', { json: { policy: 5 } }), 400);
  assertError(await call(URL_, 'POST', '/v1/policies/validate', { json: { policy: {}, fix: 'yes' } }), 400);
  assertError(await call(URL_, 'POST', '/v1/policies/validate', { json: { policy: {}, policy_type: 'nope' } }), 400);
});

test('bad JSON reports line and column', async () => {
  const r = await call(URL_, 'POST', '/v1/rightsize', { body: '{\n  "principal_arn": "arn:aws:iam::1:role/x",\n  "sources": [,]\n}' });
  assertError(r, 400, 'invalid_json');
  assert.match(r.body.error.message, /^3:15: invalid JSON/);
  assertError(await call(URL_, 'POST', '/v1/rightsize', { body: '' }), 400);
  assertError(await call(URL_, 'POST', '/v1/rightsize', { body: '[1,2]' }), 400);
  assertError(await call(URL_, 'POST', '/v1/rightsize', { body: '{"a":1,"a":2}' }), 400);
  assertError(await call(URL_, 'POST', '/v1/feedback', { body: '\xff\xfe' }), 400);
});

test('unknown route is 404, wrong method is 405 with Allow', async () => {
  // '/' is the web UI (tests/api/ui.test.mjs).
  for (const p of ['/index.html', '/assets/', '/assets/a/b', '/v1', '/v1/nope', '/v2/policies/generate', '/healthz/', '/v1/rightsize/a/b'])
    assertError(await call(URL_, 'GET', p), 404, 'not_found');
  let r = await call(URL_, 'GET', '/v1/policies/generate');
  assertError(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'POST');
  r = await call(URL_, 'POST', '/v1/rightsize/job_x');
  assertError(r, 405);
  assert.equal(r.headers.get('allow'), 'GET, DELETE');
  assertError(await call(URL_, 'DELETE', '/healthz'), 405);
});

test('oversized bodies are 413', async () => {
  const big = 'x'.repeat(MAX_BODY + 1);
  assertError(await call(URL_, 'POST', '/v1/policies/validate', { body: big }), 413, 'payload_too_large');
  assertError(await call(URL_, 'POST', '/v1/rightsize', { body: big }), 413);
  // Uploads have their own, larger limit.
  const ok = await call(URL_, 'POST', '/v1/uploads', { body: '{"Records":[]}' + ' '.repeat(MAX_BODY) });
  assert.equal(ok.status, 201, ok.text);
  assertError(await call(URL_, 'POST', '/v1/uploads', { body: 'x'.repeat(MAX_UPLOAD + 1) }), 413);
  // Chunked bodies (no Content-Length) are limited too.
  const stream = new ReadableStream({
    start(c) { c.enqueue(new TextEncoder().encode('y'.repeat(MAX_BODY + 10))); c.close(); },
  });
  const res = await fetch(URL_ + '/v1/feedback', { method: 'POST', body: stream, duplex: 'half' });
  assert.equal(res.status, 413);
  assert.equal((await call(URL_, 'GET', '/healthz')).status, 200);
});

test('uploads: stored, counted, referenced by jobs', async () => {
  const r = await call(URL_, 'POST', '/v1/uploads', { body: fixture('trail-3.json') });
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.upload_id, /^up_[0-9a-f]{32}$/);
  assert.equal(r.body.bytes, fixture('trail-3.json').length);
  assert.equal(r.body.events, TRAIL_EVENTS);
  assertError(await call(URL_, 'POST', '/v1/uploads', { body: '' }), 400);
  // gzip'd files are read too; files in no CloudTrail format are refused.
  const { gzipSync } = await import('node:zlib');
  const gz = await call(URL_, 'POST', '/v1/uploads', { body: gzipSync(fixture('trail-3.json')) });
  assert.equal(gz.status, 201, gz.text);
  assert.equal(gz.body.events, TRAIL_EVENTS);
  assertError(await call(URL_, 'POST', '/v1/uploads', { body: 'hello, world' }), 400);
  assertError(await call(URL_, 'POST', '/v1/uploads', { body: Buffer.from([0x1f, 0x8b, 1, 2, 3]) }), 400);
  const job = await call(URL_, 'POST', '/v1/rightsize', {
    json: { principal_arn: 'arn:aws:iam::123456789012:role/orders-fn', sources: [r.body.upload_id, 'prod'] },
  });
  assert.equal(job.status, 202, job.text);
});

test('rightsize: queued, running with progress, done with result', async () => {
  const r = await call(URL_, 'POST', '/v1/rightsize', {
    json: { principal_arn: 'arn:aws:iam::123456789012:role/a', sources: ['s3://bucket/AWSLogs/'], since: '2026-01-01', regions: ['us-east-1'], format: 'terraform' },
  });
  assert.equal(r.status, 202, r.text);
  assert.match(r.body.job_id, /^job_[0-9a-f]{32}$/);
  const running = await waitJob(URL_, r.body.job_id, ['running']);
  assert.equal(running.progress.files_total, 10);
  const done = await waitJob(URL_, r.body.job_id, ['done']);
  assert.equal(done.progress.files_done, 10);
  assert.equal(done.result.principal_arn, 'arn:aws:iam::123456789012:role/a');
  assert.equal(done.error, undefined);
  assertError(await call(URL_, 'DELETE', `/v1/rightsize/${r.body.job_id}`), 409, 'conflict');
});

test('rightsize: cancel', async () => {
  const r = await call(URL_, 'POST', '/v1/rightsize', { json: { principal_arn: 'arn:aws:iam::1:role/c', sources: ['prod'] } });
  assert.equal(r.status, 202);
  await waitJob(URL_, r.body.job_id, ['running']);
  const d = await call(URL_, 'DELETE', `/v1/rightsize/${r.body.job_id}`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.status, 'canceled');
  await new Promise((res) => setTimeout(res, 700));
  const after = await call(URL_, 'GET', `/v1/rightsize/${r.body.job_id}`);
  assert.equal(after.body.status, 'canceled');
  assert.ok(after.body.progress.files_done < 10);
  assertError(await call(URL_, 'GET', '/v1/rightsize/job_00000000000000000000000000000000'), 404);
  assertError(await call(URL_, 'DELETE', '/v1/rightsize/job_nope'), 404);
});

test('rightsize: request validation', async () => {
  const arn = 'arn:aws:iam::1:role/x';
  const bad = [
    {},
    { principal_arn: 'role/x', sources: ['prod'] },
    { principal_arn: arn },
    { principal_arn: arn, sources: [] },
    { principal_arn: arn, sources: [1] },
    { principal_arn: arn, sources: ['up_ffffffffffffffffffffffffffffffff'] },
    { principal_arn: arn, sources: ['prod'], format: 'yaml' },
    { principal_arn: arn, sources: ['prod'], regions: 'us-east-1' },
    { principal_arn: arn, sources: ['prod'], since: 5 },
    { principal_arn: arn, sources: ['prod'], extra: true },
  ];
  for (const json of bad) assertError(await call(URL_, 'POST', '/v1/rightsize', { json }), 400);
});

test('log roots are named, never paths: traversal is refused', async () => {
  const arn = 'arn:aws:iam::1:role/x';
  const attempts = ['../prod', 'prod/..', '/etc', '..', '.', 'prod/../../etc', '%2e%2e', 'prod\u0000',
    'file:///etc/passwd', process.env.KH_LOGROOT_DIR, 'PROD', 'up_../../keyhole.db', 'up_/etc/passwd'];
  for (const s of attempts) {
    const r = await call(URL_, 'POST', '/v1/rightsize', { json: { principal_arn: arn, sources: [s] } });
    assertError(r, 400);
    assert.ok(!r.text.includes(process.env.KH_LOGROOT_DIR), 'no server path in the answer');
  }
  // The route argument cannot escape either.
  for (const p of ['/v1/rightsize/..%2f..%2fetc', '/v1/catalog/services/..%2F..', '/v1/rightsize/%2e%2e'])
    assert.ok([400, 404].includes((await call(URL_, 'GET', p)).status));
});

test('feedback is stored', async () => {
  const r = await call(URL_, 'POST', '/v1/feedback', { json: { rating: 'up', comment: 'works', intent: { name: 'x' }, output: 'policy' } });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.body.id >= 1);
  assertError(await call(URL_, 'POST', '/v1/feedback', { json: { rating: 'meh' } }), 400);
  assertError(await call(URL_, 'POST', '/v1/feedback', { json: { rating: 'down', comment: 7 } }), 400);
});

test('metrics in Prometheus text', async () => {
  const r = await call(URL_, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.text, /keyhole_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(r.text, /keyhole_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
  assert.match(r.text, /keyhole_jobs\{status="queued"\} \d+/);
  assert.match(r.text, /keyhole_scan_bytes_total \d+/);
});

test('docs page lists every operation', async () => {
  const spec = (await call(URL_, 'GET', '/openapi.json')).body;
  const r = await call(URL_, 'GET', '/docs');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  for (const [path, ops] of Object.entries(spec.paths))
    for (const m of Object.keys(ops).filter((k) => k !== 'parameters'))
      assert.ok(r.text.includes(`${m.toUpperCase()} ${path}`), `${m} ${path} missing from /docs`);
});

test('no error response leaks a path or a stack', async () => {
  const r = await call(URL_, 'POST', '/v1/rightsize', { json: { principal_arn: 'arn:aws:iam::1:role/x', sources: ['nope'] } });
  assert.ok(!r.text.includes(process.env.KH_TMP));
  assert.ok(!/\.c:\d+/.test(r.text));
});
