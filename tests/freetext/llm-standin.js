#!/usr/bin/env node
// A local stand-in for an OpenAI-compatible /v1/chat/completions endpoint.
// It is a TEST DOUBLE: it runs no model. It answers canned replies and
// records every request body, so tests can check what keyhole sends.
//
// usage: node llm-standin.js --replies FILE --log FILE --port-file FILE [--delay-ms N]
//   FILE of replies: {"intent": [CONTENT, ...], "actions": [CONTENT, ...]}; each
//   request takes the next CONTENT of its kind (the last one repeats). A
//   CONTENT that is a string is sent as is (to test invalid JSON); anything
//   else is sent as JSON text in choices[0].message.content.
//   Each request body is appended to the log as one line.
'use strict';
const fs = require('fs');
const http = require('http');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const replies = JSON.parse(fs.readFileSync(args.replies, 'utf8'));
const delay = Number(args['delay-ms'] || 0);
const used = { intent: 0, actions: 0 };

function next(kind) {
  const list = replies[kind] || [];
  const r = list[Math.min(used[kind]++, list.length - 1)];
  return typeof r === 'string' ? r : JSON.stringify(r);
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    fs.appendFileSync(args.log, body.replace(/\n/g, ' ') + '\n');
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      res.writeHead(404).end('{"error":"not found"}');
      return;
    }
    let kind = 'intent';
    try {
      if (JSON.parse(body).response_format.json_schema.name === 'keyhole_actions') kind = 'actions';
    } catch (e) { /* recorded anyway */ }
    const answer = {
      id: 'standin-1', object: 'chat.completion', model: 'standin',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: next(kind) } }],
    };
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    }, delay);
  });
});
server.listen(0, '127.0.0.1', () => fs.writeFileSync(args['port-file'], String(server.address().port)));
