// rightsize.js - the Right-size page: upload CloudTrail files or name a
// server log directory, start a job, follow its progress, then show the
// policy and the report.
import { $, el, api, status, policyTabs, listSection } from './ui.js';

const uploads = []; // {name, id} of the files uploaded in this visit
let jobId = null;

function source() {
  return $('#rs-src-root').checked ? 'root' : 'upload';
}

function paintSource() {
  $('#rs-upload-box').hidden = source() !== 'upload';
  $('#rs-root-box').hidden = source() !== 'root';
}

async function uploadFiles(files) {
  for (const f of files) {
    const li = el('li', {}, `${f.name}: uploading…`);
    $('#rs-uploads').append(li);
    try {
      const r = await api('POST', '/v1/uploads', await f.arrayBuffer(), { raw: true });
      uploads.push({ name: f.name, id: r.upload_id });
      li.textContent = `${f.name}: ${r.events} events`;
      li.dataset.upload = r.upload_id;
    } catch (e) {
      li.textContent = `${f.name}: ${e.message}`;
      li.className = 'bad';
    }
  }
  status(`${uploads.length} file${uploads.length === 1 ? '' : 's'} uploaded`);
}

function request(format) {
  const principal = $('#rs-principal').value.trim();
  const body = { principal_arn: principal, format };
  body.sources = source() === 'root' ? [$('#rs-root').value] : uploads.map((u) => u.id);
  // The dates are days; "until" includes its whole day.
  if ($('#rs-since').value) body.since = `${$('#rs-since').value}T00:00:00Z`;
  if ($('#rs-until').value) body.until = `${$('#rs-until').value}T23:59:59Z`;
  const regions = $('#rs-regions').value.split(/[\s,]+/).filter(Boolean);
  if (regions.length) body.regions = regions;
  const cur = $('#rs-current').value.trim();
  if (cur) body.current_policy = JSON.parse(cur);
  return body;
}

function check() {
  let ok = true;
  const p = $('#rs-principal');
  const bad = !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+/.test(p.value.trim());
  $('#rs-principal-err').textContent = bad ? 'an IAM role or user ARN, such as arn:aws:iam::111122223333:role/NAME' : '';
  p.toggleAttribute('aria-invalid', bad);
  if (bad) ok = false;
  const c = $('#rs-current');
  let msg = '';
  if (c.value.trim()) {
    try {
      const v = JSON.parse(c.value);
      if (!v || typeof v !== 'object' || Array.isArray(v)) msg = 'the policy must be a JSON object';
    } catch (e) { msg = `not JSON: ${e.message}`; }
  }
  $('#rs-current-err').textContent = msg;
  c.toggleAttribute('aria-invalid', Boolean(msg));
  if (msg) ok = false;
  if (source() === 'upload' && !uploads.length) { status('Upload at least one CloudTrail file', true); return false; }
  if (source() === 'root' && !$('#rs-root').value) { status('This server has no log directories', true); return false; }
  if (!ok) status('Some fields need attention', true);
  return ok;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls a job until it ends; onProgress sees every answer.
async function follow(id, onProgress) {
  for (;;) {
    const j = await api('GET', `/v1/rightsize/${id}`);
    onProgress?.(j);
    if (j.status === 'done') return j.result;
    if (j.status === 'failed' || j.status === 'canceled')
      throw new Error(j.error || `the job was ${j.status}`);
    await sleep(250);
  }
}

function paintProgress(j) {
  const p = j.progress;
  const bar = $('#rs-progress');
  bar.max = Math.max(p.files_total, 1);
  bar.value = p.files_done;
  $('#rs-progress-text').textContent =
    `${j.status}: ${p.files_done} of ${p.files_total || '?'} files, ${p.events} events`;
}

function table(head, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, head.map(([h, num]) => el('th', { class: num ? 'num' : null, scope: 'col' }, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: head[i][1] ? 'num' : null }, c))))));
}

function report(r) {
  const cur = r.current;
  const unused = cur ? cur.actions.filter((a) => a.state === 'unused').map((a) => a.action) : [];
  const stats = [
    ['Coverage', `${r.coverage.allowed}/${r.coverage.observed}`, 'coverage'],
    ['Events', r.scanned.events, 'events'],
    ['Files', r.scanned.files, 'files'],
    ['Actions used', r.used.length, 'used'],
  ];
  if (cur) stats.push(['Granted, unused', `${cur.unused} of ${cur.granted}`, 'unused']);
  return el('div', {},
    el('ul', { class: 'stats', 'aria-label': 'Summary' }, stats.map(([k, v, id]) => el('li', { 'data-stat': id }, el('b', {}, String(v)), k))),
    el('p', { class: 'hint' }, `Principal ${r.principal}; ${r.scanned.first || '?'} to ${r.scanned.last || '?'}; regions ${(r.regions || []).join(', ') || 'all'}.`),
    el('section', { class: 'panel', id: 'rs-used' }, el('h3', {}, 'Used actions'),
      table([['Action'], ['Calls', true], ['Last used']], r.used.map((u) => [u.action, String(u.count), u.last || '']))),
    el('div', { class: 'lists' },
      cur ? listSection(`Granted but unused (${unused.length})`, unused)
        : el('section', {}, el('h3', {}, 'Granted but unused'), el('p', { class: 'hint' }, 'Give the current policy to see this.')),
      listSection('Denied', (r.denied || []).map((d) => `${d.name} ×${d.count}`)),
      listSection('Unmapped calls', (r.unmapped || []).map((d) => `${d.name || d.event || JSON.stringify(d)} ×${d.count ?? ''}`)),
      listSection('No permission needed', (r.no_permission_needed || []).map((d) => `${d.name} ×${d.count}`))));
}

async function start(ev) {
  ev.preventDefault();
  if (!check()) return;
  const btn = $('#rs-start');
  btn.disabled = true;
  $('#rs-result').hidden = true;
  $('#rs-progress-box').hidden = false;
  paintProgress({ status: 'queued', progress: { files_done: 0, files_total: 0, events: 0 } });
  try {
    const base = request('json');
    const job = await api('POST', '/v1/rightsize', base);
    jobId = job.job_id;
    $('#rs-cancel').hidden = false;
    const result = await follow(jobId, paintProgress);
    jobId = null;
    const update = policyTabs($('#rs-tabs'), {}, 'rs', 'rightsized');
    // One job renders every format: switching tabs never scans again.
    for (const format of ['json', 'terraform', 'cloudformation'])
      update(format, result.renderings?.[format] ?? result.rendered);
    $('#rs-report').replaceChildren(report(result.report));
    $('#rs-result').hidden = false;
    status('Right-sizing finished');
  } catch (e) {
    status(e.message, true);
  } finally {
    btn.disabled = false;
    $('#rs-cancel').hidden = true;
  }
}

export function init() {
  for (const r of document.querySelectorAll('[name="rs-src"]')) r.addEventListener('change', paintSource);
  const zone = $('#dropzone'), input = $('#rs-files');
  zone.addEventListener('click', () => input.click());
  zone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); }
  });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    uploadFiles([...e.dataTransfer.files]);
  });
  input.addEventListener('change', () => { uploadFiles([...input.files]); input.value = ''; });
  $('#rs-form').addEventListener('submit', start);
  $('#rs-cancel').addEventListener('click', () => {
    if (jobId) api('DELETE', `/v1/rightsize/${jobId}`).catch((e) => status(e.message, true));
  });
  api('GET', '/v1/log-roots').then((r) => {
    $('#rs-root').replaceChildren(...r.log_roots.map((l) => el('option', { value: l.name }, l.name)));
    if (!r.log_roots.length) $('#rs-src-root').disabled = true;
  }).catch((e) => status(e.message, true));
  paintSource();
}
