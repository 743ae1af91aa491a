// create.js - the Create page: a form (or a plain-English description read
// into the form) to an intent, the intent to a policy in three formats,
// and feedback on the result.
import { $, el, api, status, services, policyTabs, listSection } from './ui.js';

const LEVELS = ['list', 'read', 'write', 'tagging', 'permissions'];
const SHORTCUTS = { describe: ['list', 'read'], admin: LEVELS };
let rowSeq = 0;
let known = new Set();
let last = null; // {intent, result} of the last generation, for feedback
let rating = null;

// ARN syntax: arn:partition:service:region:account:resource, where region
// and account may be empty, "*" or a ${...} placeholder.
const ARN_RE = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):([a-z0-9-]+):([a-z0-9-]*|\*|\$\{Region\}):(\d{12}|\*|\$\{Account\}|aws|):(.+)$/;

export function arnProblem(arn, service) {
  const m = ARN_RE.exec(arn);
  if (!m) return 'not an ARN: expected arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE';
  if (service && m[2] !== service) return `this ARN is for ${m[2]}, not ${service}`;
  return '';
}

function levelBox(row, level) {
  const id = `d${row}-${level}`;
  return el('span', { class: 'check' },
    el('input', { type: 'checkbox', id, value: level, 'data-level': level }),
    el('label', { for: id }, level === 'permissions' ? 'permissions management' : level));
}

function addRow(grant = {}) {
  const n = ++rowSeq;
  const svc = el('input', {
    id: `d${n}-service`, list: 'service-list', autocomplete: 'off', spellcheck: 'false',
    required: true, value: grant.service || '', 'aria-describedby': `d${n}-service-err`, class: 'svc',
  });
  const arnOn = el('input', { type: 'checkbox', id: `d${n}-arn-on`, checked: Boolean(grant.arn), class: 'arn-on' });
  const arn = el('input', {
    id: `d${n}-arn`, spellcheck: 'false', autocomplete: 'off', value: grant.arn || '', hidden: !grant.arn,
    placeholder: 'arn:aws:s3:::bucket/*', 'aria-describedby': `d${n}-arn-err`, class: 'arn',
  });
  const arnLabel = el('label', { for: `d${n}-arn`, hidden: !grant.arn }, 'Resource ARN');
  const arnErr = el('p', { class: 'error', id: `d${n}-arn-err` });
  arnOn.addEventListener('change', () => {
    arn.hidden = arnLabel.hidden = !arnOn.checked;
    arnErr.textContent = '';
    arn.removeAttribute('aria-invalid');
    if (arnOn.checked) arn.focus();
  });
  const check = () => validateRow(li);
  arn.addEventListener('change', check);
  svc.addEventListener('change', check);
  const levels = el('fieldset', { class: 'levels' }, el('legend', {}, 'Access'),
    LEVELS.map((l) => levelBox(n, l)),
    Object.entries(SHORTCUTS).map(([name, set]) => el('button', {
      type: 'button', class: 'small', 'aria-label': `${name}: ${set.join(', ')}`,
      onclick: () => { for (const l of LEVELS) li.querySelector(`[data-level="${l}"]`).checked = set.includes(l); },
    }, name)),
    el('p', { class: 'error', id: `d${n}-levels-err` }));
  const actions = el('input', {
    id: `d${n}-actions`, class: 'actions', type: 'text', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. GetObject, Get*Tagging', value: [].concat(grant.actions || []).join(', '),
  });
  const actionsBox = el('div', { class: 'actions-box' },
    el('label', { for: `d${n}-actions` }, 'Only these actions (optional; added to the access levels)'), actions);
  const remove = el('button', { type: 'button', class: 'small remove', 'aria-label': `Remove destination ${n}`,
    onclick: () => { li.remove(); $('#add-dest').focus(); } }, 'Remove');
  const li = el('li', { class: 'dest', 'data-row': String(n) },
    el('div', {}, el('label', { for: `d${n}-service` }, 'Service'), svc,
      el('p', { class: 'error', id: `d${n}-service-err` })),
    el('div', { class: 'arn-box' },
      el('span', { class: 'check' }, arnOn, el('label', { for: `d${n}-arn-on` }, 'Only one resource (ARN)')),
      arnLabel, arn, arnErr),
    remove, levels, actionsBox);
  for (const l of [].concat(grant.access || [])) {
    for (const x of SHORTCUTS[l] || [l]) {
      const box = li.querySelector(`[data-level="${x}"]`);
      if (box) box.checked = true;
    }
  }
  $('#dest-rows').append(li);
  return li;
}

function setError(input, errEl, msg) {
  errEl.textContent = msg;
  if (msg) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  return !msg;
}

// Checks one destination row; returns its grant or null.
function validateRow(li) {
  const n = li.dataset.row;
  const svc = $('.svc', li), arnOn = $('.arn-on', li), arn = $('.arn', li);
  const service = svc.value.trim().toLowerCase();
  let ok = setError(svc, $(`#d${n}-service-err`), !service ? 'choose a service'
    : known.size && !known.has(service) ? `'${service}' is not a service in the catalog` : '');
  if (arnOn.checked)
    ok = setError(arn, $(`#d${n}-arn-err`), arnProblem(arn.value.trim(), service)) && ok;
  const access = LEVELS.filter((l) => li.querySelector(`[data-level="${l}"]`).checked);
  const actions = $('.actions', li).value.split(/[\s,]+/).filter(Boolean);
  const levErr = $(`#d${n}-levels-err`);
  levErr.textContent = access.length || actions.length ? '' : 'choose at least one access level, or name actions';
  ok = ok && (access.length > 0 || actions.length > 0);
  if (!ok) return null;
  const grant = { service };
  if (access.length) grant.access = access;
  if (actions.length) grant.actions = actions;
  if (arnOn.checked) grant.arn = arn.value.trim();
  return grant;
}

function buildIntent() {
  const nameInput = $('#c-name');
  const name = nameInput.value.trim();
  let ok = setError(nameInput, $('#c-name-err'), name ? '' : 'a name is required');
  const grants = [];
  const rows = [...document.querySelectorAll('#dest-rows > li')];
  for (const li of rows) {
    const g = validateRow(li);
    if (g) grants.push(g); else ok = false;
  }
  if (!rows.length) { status('Add at least one destination', true); return null; }
  if (!ok) {
    status('Some fields need attention', true);
    document.querySelector('#create-form [aria-invalid="true"], #create-form .error:not(:empty)')
      ?.closest('li, div')?.querySelector('input')?.focus();
    return null;
  }
  const intent = { name, grants };
  const source = $('#c-source').value.trim();
  if (source) intent.source = source;
  if ($('#c-trust').checked) intent.with_trust = true;
  return intent;
}

function showNotes(host, unparsed = [], notes = []) {
  host.replaceChildren();
  if (unparsed.length) host.append(el('p', {}, 'Not understood (left out): ', unparsed.map((u) => `“${u}”`).join(', ')));
  for (const n of notes) host.append(el('p', { class: 'hint' }, n));
}

async function readDescription() {
  const text = $('#describe-text').value.trim();
  if (!text) { status('Write a sentence first', true); $('#describe-text').focus(); return; }
  const btn = $('#describe-btn');
  btn.disabled = true;
  try {
    const r = await api('POST', '/v1/intents/describe', { text, name: $('#c-name').value.trim() || undefined });
    const grants = r.intent.grants || [];
    showNotes($('#describe-out'), r.unparsed, r.notes);
    if (!grants.length) { status('Nothing in that sentence could be placed', true); return; }
    $('#dest-rows').replaceChildren();
    for (const g of grants) addRow(g);
    if (r.intent.source) $('#c-source').value = r.intent.source;
    status(`Read ${grants.length} destination${grants.length > 1 ? 's' : ''}: check them, then Generate`);
  } catch (e) {
    status(e.message, true);
  } finally {
    btn.disabled = false;
  }
}

function actionList(policy) {
  const out = [];
  for (const st of [].concat(policy?.Statement || []))
    for (const a of [].concat(st.Action || [])) out.push(a);
  return out;
}

async function generate(ev) {
  ev.preventDefault();
  const intent = buildIntent();
  if (!intent) return;
  const btn = $('#generate-btn');
  btn.disabled = true;
  status('Generating…');
  try {
    const [json, tf, cfn] = await Promise.all(['json', 'terraform', 'cloudformation']
      .map((format) => api('POST', '/v1/policies/generate', { ...intent, format })));
    last = { intent: json.intent, result: json };
    const update = policyTabs($('#create-tabs'), {}, 'create', intent.name);
    update('json', json.rendered.trimEnd() + (json.trust_policy
      ? `\n\n// trust policy\n${JSON.stringify(json.trust_policy, null, 2)}` : ''));
    update('terraform', tf.rendered);
    update('cloudformation', cfn.rendered);
    const removed = (json.removed_actions || []).map((r) => `${r.action} (${r.reason.replace(/_/g, ' ')})`);
    $('#create-lists').replaceChildren(
      listSection(`Actions (${actionList(json.policy).length})`, actionList(json.policy)),
      listSection('Warnings', (json.warnings || []).map((w) => `${w.code}: ${w.message}`)),
      listSection('Added (needed by other actions)', json.added_dependent_actions || []),
      listSection('Removed', removed));
    resetFeedback();
    $('#create-result').hidden = false;
    status(`Generated ${actionList(json.policy).length} actions, ${json.policy_size} bytes`);
    $('#create-result h2').scrollIntoView({ block: 'start' });
  } catch (e) {
    status(e.message, true);
  } finally {
    btn.disabled = false;
  }
}

function resetFeedback() {
  rating = null;
  for (const b of document.querySelectorAll('#feedback .vote')) b.setAttribute('aria-pressed', 'false');
  $('#fb-comment').value = '';
  $('#fb-status').textContent = '';
}

async function sendFeedback(ev) {
  ev.preventDefault();
  if (!last) return;
  if (!rating) { $('#fb-status').textContent = 'Choose 👍 or 👎 first'; return; }
  try {
    const body = { rating, intent: last.intent, output: last.result.policy };
    const comment = $('#fb-comment').value.trim();
    if (comment) body.comment = comment;
    await api('POST', '/v1/feedback', body);
    $('#fb-status').textContent = 'Thank you: feedback saved.';
  } catch (e) {
    $('#fb-status').textContent = e.message;
  }
}

export function init() {
  services().then((r) => {
    known = new Set(r.services.map((s) => s.prefix));
    $('#service-list').replaceChildren(...r.services.map((s) => el('option', { value: s.prefix }, s.name)));
  }).catch((e) => status(e.message, true));
  addRow({ service: 's3', access: ['read'] });
  $('#add-dest').addEventListener('click', () => $('.svc', addRow()).focus());
  $('#describe-btn').addEventListener('click', readDescription);
  $('#create-form').addEventListener('submit', generate);
  for (const b of document.querySelectorAll('#feedback .vote'))
    b.addEventListener('click', () => {
      rating = b.dataset.rating;
      for (const o of document.querySelectorAll('#feedback .vote'))
        o.setAttribute('aria-pressed', String(o === b));
    });
  $('#feedback').addEventListener('submit', sendFeedback);
}
