#!/usr/bin/env node
// Writes the example trail in CloudTrail's S3 delivery layout:
//   AWSLogs/111122223333/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz
// The story: the Lambda function orders-fn (role orders-fn-role) reads and
// writes order objects, uses one DynamoDB table, publishes to one SNS topic
// and decrypts with one KMS key. A deploy user, ci-deployer, updates the
// function. Some calls are denied or throttled, and some events are not API
// calls at all. Deterministic: same bytes every run (node's gzip has mtime 0).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/service-role/orders-fn-role`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/orders-fn-role/orders-fn`;
const USER = `arn:aws:iam::${ACCT}:user/ci-deployer`;
let seq = 0;

function id(prefix) {
  seq++;
  return `${prefix}${String(seq).padStart(8, '0')}-0000-4000-8000-${String(seq * 7919).padStart(12, '0')}`;
}

function roleIdentity() {
  return {
    type: 'AssumedRole', principalId: 'AROAEXAMPLEORDERSFN01:orders-fn', arn: SESSION,
    accountId: ACCT, accessKeyId: 'ASIAEXAMPLEORDERS001',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEORDERSFN01', arn: ROLE, accountId: ACCT, userName: 'orders-fn-role' },
      attributes: { creationDate: '2026-10-01T00:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

function userIdentity() {
  return { type: 'IAMUser', principalId: 'AIDAEXAMPLECIDEPLOY01', arn: USER, accountId: ACCT,
           accessKeyId: 'AKIAEXAMPLECIDEPLOY1', userName: 'ci-deployer' };
}

function event(t, who, source, name, region, params, extra = {}) {
  return Object.assign({
    eventVersion: '1.09', userIdentity: who, eventTime: t, eventSource: source, eventName: name,
    awsRegion: region, sourceIPAddress: who.type === 'AssumedRole' ? '3.80.10.20' : '198.51.100.7',
    userAgent: who.type === 'AssumedRole' ? 'aws-sdk-js/3.600.0 ua/2.1 os/linux lang/js md/nodejs#20'
                                          : 'aws-cli/2.17.0 md/awscrt#0.20 ua/2.0 os/linux',
    requestParameters: params, responseElements: null, requestID: id('req'), eventID: id('evt'),
    readOnly: /^(Get|List|Describe|Head|Query|Scan|Decrypt)/.test(name),
    eventType: 'AwsApiCall', managementEvent: !['s3.amazonaws.com', 'dynamodb.amazonaws.com'].includes(source) || !/Object|Item|Query/.test(name),
    recipientAccountId: ACCT, eventCategory: 'Management',
  }, extra);
}

function objectEvent(t, name, key, extra = {}) {
  return event(t, roleIdentity(), 's3.amazonaws.com', name, 'us-east-1',
    { bucketName: 'orders-bucket', Host: 'orders-bucket.s3.us-east-1.amazonaws.com', key },
    Object.assign({ eventCategory: 'Data', managementEvent: false,
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::orders-bucket/${key}` },
        { accountId: ACCT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::orders-bucket' },
      ] }, extra));
}

const days = ['2026-10-01', '2026-10-02', '2026-10-03'];
const byFile = new Map();
function add(day, region, ev) {
  const k = `${region}/${day}`;
  if (!byFile.has(k)) byFile.set(k, []);
  byFile.get(k).push(ev);
}

const table = `arn:aws:dynamodb:us-east-1:${ACCT}:table/orders`;
const topic = `arn:aws:sns:us-east-1:${ACCT}:order-alerts`;
const key = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
days.forEach((day, d) => {
  for (let i = 0; i < 6; i++) {
    const t = `${day}T${String(8 + i).padStart(2, '0')}:${String(10 + d * 7).padStart(2, '0')}:0${i}Z`;
    const order = `incoming/${day.replace(/-/g, '/')}/order-${d * 10 + i}.json`;
    add(day, 'us-east-1', objectEvent(t, 'GetObject', order));
    add(day, 'us-east-1', objectEvent(t, 'PutObject', `processed/order-${d * 10 + i}.json`));
    add(day, 'us-east-1', event(t, roleIdentity(), 'dynamodb.amazonaws.com', i % 2 ? 'PutItem' : 'GetItem', 'us-east-1',
      { tableName: 'orders', key: { orderId: { S: `o-${d * 10 + i}` } } },
      { resources: [{ accountId: ACCT, type: 'AWS::DynamoDB::Table', ARN: table }], eventCategory: 'Data', managementEvent: false }));
    add(day, 'us-east-1', event(t, roleIdentity(), 'kms.amazonaws.com', 'Decrypt', 'us-east-1',
      { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: key },
      { resources: [{ accountId: ACCT, type: 'AWS::KMS::Key', ARN: key }] }));
  }
  add(day, 'us-east-1', event(`${day}T12:00:00Z`, roleIdentity(), 'sns.amazonaws.com', 'Publish', 'us-east-1',
    { topicArn: topic, message: 'HIDDEN_DUE_TO_SECURITY_REASONS' }));
  add(day, 'us-east-1', event(`${day}T12:00:01Z`, roleIdentity(), 'dynamodb.amazonaws.com', 'Query', 'us-east-1',
    { tableName: 'orders', indexName: 'byCustomer' },
    { resources: [{ accountId: ACCT, type: 'AWS::DynamoDB::Table', ARN: table }], eventCategory: 'Data', managementEvent: false }));
  add(day, 'us-east-1', event(`${day}T12:00:02Z`, roleIdentity(), 'sts.amazonaws.com', 'GetCallerIdentity', 'us-east-1', null));
  // A throttled call was still authorized: it counts as used.
  add(day, 'us-east-1', event(`${day}T12:00:03Z`, roleIdentity(), 'sqs.amazonaws.com', 'SendMessage', 'us-east-1',
    { queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCT}/order-events`, messageBody: 'HIDDEN' },
    { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' }));
});
// A denied call: needed, not granted.
add(days[1], 'us-east-1', objectEvent(`${days[1]}T13:00:00Z`, 'DeleteObject', 'incoming/2026/10/02/order-10.json',
  { errorCode: 'AccessDenied', errorMessage: 'Access Denied' }));
// An event that is not the principal's own call.
add(days[1], 'us-east-1', event(`${days[1]}T14:00:00Z`, { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
  'lambda.amazonaws.com', 'Invoke', 'us-east-1', null, { eventType: 'AwsServiceEvent' }));
// The deploy user, in another region and on global IAM.
add(days[2], 'eu-west-1', event(`${days[2]}T09:00:00Z`, userIdentity(), 'lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'eu-west-1',
  { functionName: 'orders-fn', publish: true }));
add(days[2], 'us-east-1', event(`${days[2]}T09:00:05Z`, userIdentity(), 'iam.amazonaws.com', 'GetRole', 'us-east-1',
  { roleName: 'orders-fn-role' }));
add(days[2], 'us-east-1', event(`${days[2]}T09:01:00Z`, userIdentity(), 'signin.amazonaws.com', 'ConsoleLogin', 'us-east-1',
  null, { eventType: 'AwsConsoleSignIn', responseElements: { ConsoleLogin: 'Success' } }));

const root = path.join(__dirname, 'AWSLogs');
fs.rmSync(root, { recursive: true, force: true });
let files = 0, events = 0;
for (const [k, recs] of [...byFile.entries()].sort()) {
  const [region, day] = k.split('/');
  const [y, m, dd] = day.split('-');
  const dir = path.join(root, ACCT, 'CloudTrail', region, y, m, dd);
  fs.mkdirSync(dir, { recursive: true });
  const name = `${ACCT}_CloudTrail_${region}_${y}${m}${dd}T2355Z_example${String(files).padStart(4, '0')}.json.gz`;
  recs.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  fs.writeFileSync(path.join(dir, name), zlib.gzipSync(JSON.stringify({ Records: recs })));
  files++;
  events += recs.length;
}
// A digest file, which a scan must skip.
const digestDir = path.join(root, ACCT, 'CloudTrail-Digest', 'us-east-1', '2026', '10', '01');
fs.mkdirSync(digestDir, { recursive: true });
fs.writeFileSync(path.join(digestDir, `${ACCT}_CloudTrail-Digest_us-east-1_example_20261001T235500Z.json.gz`),
  zlib.gzipSync(JSON.stringify({ awsAccountId: ACCT, digestStartTime: '2026-10-01T22:55:00Z', logFiles: [] })));
console.error(`wrote ${files} files, ${events} events under ${root}`);
