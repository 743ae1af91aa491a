// durability.test.mjs - jobs survive SIGKILL and graceful stops: queued and
// running jobs are picked up again after a restart and finish; finished
// results are never lost. Uses the slow test runner (KEYHOLE_TEST_SLOW_JOBS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startServer, tempDir, waitJob } from './lib.mjs';

const env = { KEYHOLE_TEST_SLOW_JOBS: '1' };
const job = (n) => ({ json: { principal_arn: `arn:aws:iam::123456789012:role/r${n}`, sources: ['s3://b/AWSLogs/'] } });

test('SIGKILL mid-job, restart: every job finishes, no result lost', async () => {
  const dir = tempDir('kill');
  let srv = await startServer({ dir, env, args: ['--workers', '1'] });
  const first = (await call(srv.url, 'POST', '/v1/rightsize', job(1))).body.job_id;
  const done = await waitJob(srv.url, first, ['done']);
  const ids = [];
  for (let i = 2; i <= 4; i++) ids.push((await call(srv.url, 'POST', '/v1/rightsize', job(i))).body.job_id);
  const mid = await waitJob(srv.url, ids[0], ['running']);
  assert.ok(mid.progress.files_done < 10);
  assert.equal((await call(srv.url, 'GET', `/v1/rightsize/${ids[1]}`)).body.status, 'queued');
  const { signal } = await srv.stop('SIGKILL');
  assert.equal(signal, 'SIGKILL');

  srv = await startServer({ dir, env, args: ['--workers', '2'] });
  try {
    // The finished result is intact.
    const again = (await call(srv.url, 'GET', `/v1/rightsize/${first}`)).body;
    assert.deepEqual(again, done);
    // The interrupted and the queued jobs run to the end.
    for (const [i, id] of ids.entries()) {
      const j = await waitJob(srv.url, id, ['done', 'failed'], { timeoutMs: 30000 });
      assert.equal(j.status, 'done', JSON.stringify(j));
      assert.equal(j.result.principal_arn, `arn:aws:iam::123456789012:role/r${i + 2}`);
      assert.equal(j.progress.files_done, 10);
    }
  } finally {
    await srv.stop();
  }
});

test('SIGTERM: in-flight requests finish, running jobs are re-run', async () => {
  const dir = tempDir('term');
  let srv = await startServer({ dir, env });
  const id = (await call(srv.url, 'POST', '/v1/rightsize', job(9))).body.job_id;
  await waitJob(srv.url, id, ['running']);
  const slowUpload = call(srv.url, 'POST', '/v1/uploads', { body: '{"Records":[]}' + ' '.repeat(4 << 20) })
    .catch((e) => ({ status: 'refused', e }));
  const t0 = Date.now();
  const { code } = await srv.stop('SIGTERM');
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 < 8000, 'stops promptly');
  const up = await slowUpload;
  assert.ok(up.status === 201 || up.status === 'refused', `upload: ${up.status}`);
  assert.ok(srv.logs.some((l) => l.includes('"event":"stopped"')));

  srv = await startServer({ dir, env });
  try {
    const j = await waitJob(srv.url, id, ['done'], { timeoutMs: 30000 });
    assert.equal(j.progress.files_done, 10);
  } finally {
    await srv.stop();
  }
});
