// auth.test.mjs - tokens (CLI create/list/revoke), bearer auth on /v1,
// the per-token rate limit, the bind policy, the default job runner and
// feedback export. Each test starts its own server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, keyhole, startServer, tempDir, waitJob, sleep } from './lib.mjs';
import { join } from 'node:path';

test('auth off without tokens, on as soon as one exists', async () => {
  const srv = await startServer({ args: ['--rate-limit', '1000'] });
  try {
    assert.equal((await call(srv.url, 'GET', '/v1/catalog/services')).status, 200);

    const created = keyhole(['token', 'create', '--name', 'ci', '--db', srv.db]);
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^kh_1_[A-Za-z0-9_-]{40,}$/);
    assert.ok(created.stderr.includes('only this once'));

    // /v1 needs the token now; /healthz, /metrics, /openapi.json, /docs stay open.
    let r = await call(srv.url, 'GET', '/v1/catalog/services');
    assertError(r, 401, 'unauthorized');
    assert.match(r.headers.get('www-authenticate'), /^Bearer/);
    for (const p of ['/healthz', '/metrics', '/openapi.json', '/docs'])
      assert.equal((await call(srv.url, 'GET', p)).status, 200, p);
    assertError(await call(srv.url, 'GET', '/v1/catalog/services', { token: token + 'x' }), 401);
    assertError(await call(srv.url, 'GET', '/v1/catalog/services', { token: 'kh_1_' }), 401);
    assertError(await call(srv.url, 'GET', '/v1/catalog/services', { token: 'kh_99_abc' }), 401);
    assertError(await call(srv.url, 'GET', '/v1/catalog/services', { headers: { authorization: 'Basic Y2k6eA==' } }), 401);
    assertError(await call(srv.url, 'POST', '/v1/uploads', { body: 'x'.repeat(1000) }), 401);
    r = await call(srv.url, 'GET', '/v1/catalog/services', { token });
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes(token));
    r = await call(srv.url, 'GET', '/v1/catalog/services', { headers: { authorization: `bearer ${token}` } });
    assert.equal(r.status, 200, 'the scheme is case-insensitive');

    // A second token; list shows both and never a secret.
    const t2 = keyhole(['token', 'create', '--name', 'ops', '--db', srv.db]).stdout.trim();
    let list = keyhole(['token', 'list', '--db', srv.db, '--json']);
    assert.equal(list.status, 0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((t) => [t.id, t.name, t.revoked]), [[1, 'ci', false], [2, 'ops', false]]);
    // the secret is everything after "kh_<id>_" (its alphabet has '_' too)
    const secret = token.replace(/^kh_\d+_/, '');
    assert.ok(secret.length >= 32 && !list.stdout.includes(secret));
    assert.ok(rows[0].last_used_at > 0);
    list = keyhole(['token', 'list', '--db', srv.db]);
    assert.match(list.stdout, /ID\s+NAME/);

    // Revoking takes effect at once.
    assert.equal(keyhole(['token', 'revoke', '1', '--db', srv.db]).status, 0);
    assertError(await call(srv.url, 'GET', '/v1/catalog/services', { token }), 401);
    assert.equal((await call(srv.url, 'GET', '/v1/catalog/services', { token: t2 })).status, 200);
    assert.equal(keyhole(['token', 'revoke', '1', '--db', srv.db]).status, 1);
    assert.equal(keyhole(['token', 'revoke', 'abc', '--db', srv.db]).status, 2);
    assert.equal(keyhole(['token', 'create', '--db', srv.db]).status, 2);
    // With every token revoked, auth is off again.
    assert.equal(keyhole(['token', 'revoke', '2', '--db', srv.db]).status, 0);
    assert.equal((await call(srv.url, 'GET', '/v1/catalog/services')).status, 200);
  } finally {
    await srv.stop();
  }
  for (const l of srv.logs) assert.ok(!/kh_\d+_[A-Za-z0-9_-]{20}/.test(l), 'no token in the log');
});

test('rate limit per token: 429 with Retry-After', async () => {
  const dir = tempDir('rate');
  const db = join(dir, 'keyhole.db');
  const a = keyhole(['token', 'create', '--name', 'a', '--db', db]).stdout.trim();
  const b = keyhole(['token', 'create', '--name', 'b', '--db', db]).stdout.trim();
  const srv = await startServer({ dir, args: ['--rate-limit', '2'] });
  try {
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push((await call(srv.url, 'GET', '/v1/catalog/services/s3', { token: a })).status);
    assert.deepEqual(codes.slice(0, 4), [200, 200, 200, 200], 'the burst is twice the rate');
    assert.ok(codes.includes(429), codes.join());
    const r = await call(srv.url, 'GET', '/v1/catalog/services/s3', { token: a });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    // Another token has its own bucket; /healthz is never limited.
    assert.equal((await call(srv.url, 'GET', '/v1/catalog/services/s3', { token: b })).status, 200);
    for (let i = 0; i < 10; i++) assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
    await sleep(1100);
    assert.equal((await call(srv.url, 'GET', '/v1/catalog/services/s3', { token: a })).status, 200);
  } finally {
    await srv.stop();
  }
});

test('a non-loopback address needs a token or --insecure-no-auth', async () => {
  const dir = tempDir('bind');
  const r = keyhole(['serve', '--listen', '0.0.0.0:0', '--db', join(dir, 'keyhole.db')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without any API token/);
  const srv = await startServer({ dir, listen: '0.0.0.0:0', args: ['--insecure-no-auth'] });
  assert.equal((await call(srv.url.replace('0.0.0.0', '127.0.0.1'), 'GET', '/healthz')).status, 200);
  await srv.stop();
  keyhole(['token', 'create', '--name', 'x', '--db', join(dir, 'keyhole.db')]);
  const srv2 = await startServer({ dir, listen: '0.0.0.0:0' });
  assertError(await call(srv2.url.replace('0.0.0.0', '127.0.0.1'), 'GET', '/v1/catalog/services'), 401);
  await srv2.stop();
  // Bad options are usage errors.
  assert.equal(keyhole(['serve', '--listen', 'nope']).status, 2);
  assert.equal(keyhole(['serve', '--logs-root', '../x=/tmp']).status, 2);
  assert.equal(keyhole(['serve', '--logs-root', 'x=/nonexistent/dir']).status, 2);
  assert.equal(keyhole(['serve', '--workers', '0']).status, 2);
});

test('right-sizing jobs: a log root and uploads give the CLI\'s policy and report', async () => {
  const root = join(process.env.KH_SOURCE_DIR, 'examples', 'cloudtrail');
  const role = 'arn:aws:iam::111122223333:role/orders-fn-role';
  const srv = await startServer({ args: ['--logs-root', `example=${root}`] });
  try {
    const body = { principal_arn: role, sources: ['example'], since: '2026-09-01', until: '2026-11-01', format: 'terraform' };
    const r = await call(srv.url, 'POST', '/v1/rightsize', { json: body });
    assert.equal(r.status, 202);
    const job = await waitJob(srv.url, r.body.job_id, ['done']);
    assert.equal(job.progress.files_total, 4);
    assert.equal(job.progress.files_done, 4);
    assert.deepEqual(job.result.report.coverage, { allowed: 42, observed: 42 });
    assert.match(job.result.rendered, /data "aws_iam_policy_document" "orders_fn_role"/);
    // Every format comes with the one job, the requested one as rendered.
    assert.equal(job.result.renderings.terraform, job.result.rendered);
    assert.deepEqual(JSON.parse(job.result.renderings.json), job.result.policy);
    assert.match(job.result.renderings.cloudformation, /AWS::IAM::ManagedPolicy/);
    // The same policy as `keyhole rightsize`.
    const cli = keyhole(['rightsize', '--logs', root, '--principal', role, '--since', '2026-09-01',
      '--until', '2026-11-01', '--quiet', '--out-report', '/dev/null']);
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual(job.result.policy, JSON.parse(cli.stdout));
    // An unknown principal fails the job with a message and no server path.
    const bad = await call(srv.url, 'POST', '/v1/rightsize', { json: { ...body, principal_arn: 'arn:aws:iam::1:role/x' } });
    const failed = await waitJob(srv.url, bad.body.job_id, ['failed']);
    assert.match(failed.error, /made no calls/);
    assert.ok(!failed.error.includes(root));
  } finally {
    await srv.stop();
  }
});

test('feedback export --jsonl', async () => {
  const srv = await startServer();
  try {
    await call(srv.url, 'POST', '/v1/feedback', { json: { rating: 'up', comment: 'good 👍', intent: { name: 'a' }, output: { Version: '2012-10-17' } } });
    await call(srv.url, 'POST', '/v1/feedback', { json: { rating: 'down' } });
  } finally {
    await srv.stop();
  }
  const r = keyhole(['feedback', 'export', '--jsonl', '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 2);
  assert.deepEqual([rows[0].rating, rows[0].comment, rows[0].intent, rows[0].output],
    ['up', 'good 👍', { name: 'a' }, { Version: '2012-10-17' }]);
  assert.deepEqual([rows[1].rating, rows[1].comment, rows[1].intent], ['down', null, null]);
  assert.equal(keyhole(['feedback', 'export', '--db', srv.db]).status, 2);
});
