// openapi.test.mjs - every route answers as /openapi.json says: each
// documented operation exists, its status codes are documented, and JSON
// answers carry the schema's required fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, fixture } from './lib.mjs';

const URL_ = process.env.KH_URL;

function resolve(spec, schema) {
  while (schema && schema.$ref) schema = schema.$ref.split('/').slice(1).reduce((o, k) => o[k], spec);
  return schema;
}

// Checks a value against the parts of a schema that matter here.
function conforms(spec, schema, v, where) {
  schema = resolve(spec, schema);
  if (!schema) return;
  if (schema.type === 'object') {
    assert.equal(typeof v, 'object', where);
    for (const k of schema.required || []) assert.ok(k in v, `${where}: missing ${k}`);
    for (const [k, s] of Object.entries(schema.properties || {}))
      if (k in v) conforms(spec, s, v[k], `${where}.${k}`);
  } else if (schema.type === 'array') {
    assert.ok(Array.isArray(v), where);
    v.forEach((x, i) => conforms(spec, schema.items, x, `${where}[${i}]`));
  } else if (schema.type === 'string') assert.equal(typeof v, 'string', where);
  else if (schema.type === 'integer') assert.ok(Number.isInteger(v), where);
  else if (schema.enum) assert.ok(schema.enum.includes(v), `${where}: ${v}`);
  else if ('const' in schema) assert.equal(v, schema.const, where);
}

test('every documented operation behaves as documented', async () => {
  const spec = (await call(URL_, 'GET', '/openapi.json')).body;
  assert.equal(spec.openapi, '3.1.0');
  const upload = await call(URL_, 'POST', '/v1/uploads', { body: fixture('trail-3.json') });
  const job = await call(URL_, 'POST', '/v1/rightsize', { json: { principal_arn: 'arn:aws:iam::1:role/o', sources: [upload.body.upload_id] } });
  // A sample request per operation: [path, body].
  const samples = {
    health: ['/healthz'], metrics: ['/metrics'], openapi: ['/openapi.json'], docs: ['/docs'],
    generatePolicy: ['/v1/policies/generate', { body: fixture('orders.intent.json') }],
    validatePolicy: ['/v1/policies/validate', { body: `{"policy":${fixture('typo.policy.json')}}` }],
    upload: ['/v1/uploads', { body: fixture('trail-3.json') }],
    startRightsize: ['/v1/rightsize', { json: { principal_arn: 'arn:aws:iam::1:role/o', sources: ['prod'] } }],
    getRightsize: [`/v1/rightsize/${job.body.job_id}`],
    cancelRightsize: [`/v1/rightsize/${job.body.job_id}`],
    listServices: ['/v1/catalog/services'],
    getService: ['/v1/catalog/services/sqs'],
    giveFeedback: ['/v1/feedback', { json: { rating: 'down' } }],
    describeIntent: ['/v1/intents/describe', { json: { text: 'my lambda reads the orders bucket' } }],
    listLogRoots: ['/v1/log-roots'],
    webIndex: ['/'],
    webAsset: ['/assets/app.js'],
  };
  let checked = 0;
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (method === 'parameters') continue;
      const sample = samples[op.operationId];
      assert.ok(sample, `no sample request for ${op.operationId}`);
      const r = await call(URL_, method.toUpperCase(), sample[0], sample[1]);
      if (r.status === 501) continue; // a library not in this build yet
      const doc = op.responses[String(r.status)];
      assert.ok(doc, `${method} ${path}: status ${r.status} is not documented (${r.text.slice(0, 200)})`);
      const schema = doc.content?.['application/json']?.schema;
      if (schema) conforms(spec, schema, r.body, `${method} ${path} ${r.status}`);
      checked++;
    }
  }
  assert.ok(checked >= 11, `only ${checked} operations checked`);
});

test('every route the server answers is documented', async () => {
  const spec = (await call(URL_, 'GET', '/openapi.json')).body;
  const templ = Object.keys(spec.paths).map((p) => new RegExp('^' + p.replace(/\{[^}]+\}/g, '[^/]+') + '$'));
  for (const p of ['/healthz', '/metrics', '/openapi.json', '/docs', '/v1/policies/generate', '/v1/policies/validate',
    '/v1/uploads', '/v1/rightsize', '/v1/rightsize/job_x', '/v1/catalog/services', '/v1/catalog/services/s3', '/v1/feedback',
    '/v1/intents/describe', '/v1/log-roots', '/', '/assets/app.js'])
    assert.ok(templ.some((re) => re.test(p)), `${p} is not in /openapi.json`);
  // Methods the spec does not list for a path are 405.
  for (const [path, ops] of Object.entries(spec.paths)) {
    const concrete = path.replace(/\{[^}]+\}/g, 'x');
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
      if (!(m.toLowerCase() in ops)) assert.equal((await call(URL_, m, concrete)).status, 405, `${m} ${path}`);
  }
});
