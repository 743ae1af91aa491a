// validate.js - the Validate page: findings for a pasted policy, each
// marked on its line of the text that was sent.
import { $, el, api, status } from './ui.js';

function lineView(text, findings) {
  const byLine = new Map();
  for (const f of findings) if (f.line) byLine.set(f.line, [...(byLine.get(f.line) || []), f]);
  return text.split('\n').map((line, i) => {
    const n = i + 1, here = byLine.get(n);
    if (!here) return el('span', { class: 'ln', 'data-n': String(n) }, line);
    // Underline from the first finding's column to the end of its token.
    const col = Math.max((here[0].column || 1) - 1, 0);
    const rest = line.slice(col);
    const len = (/^("[^"]*"|\S+)/.exec(rest) || [''])[0].length || rest.length;
    return el('span', { class: 'ln flagged', 'data-n': String(n), id: `v-line-${n}`,
      title: here.map((f) => f.message).join('\n') },
      line.slice(0, col), el('span', { class: 'mark' }, rest.slice(0, len)), rest.slice(len));
  });
}

async function run(ev) {
  ev.preventDefault();
  const text = $('#v-policy').value;
  if (!text.trim()) { status('Paste a policy first', true); return; }
  const body = { policy: text };
  if ($('#v-type').value) body.policy_type = $('#v-type').value;
  try {
    const r = await api('POST', '/v1/policies/validate', body);
    const t = r.totals || {};
    $('#v-summary').textContent = r.findings.length
      ? Object.entries(t).filter(([, v]) => v).map(([k, v]) => `${v} ${k.toLowerCase().replace(/_/g, ' ')}${v > 1 ? 's' : ''}`).join(', ')
      : 'No findings: the policy is valid.';
    $('#v-findings').replaceChildren(...r.findings.map((f) => el('li', { class: 'finding' },
      el('span', { class: `sev sev-${f.severity}` }, f.severity.replace(/_/g, ' ')),
      f.line ? el('a', { href: `#/validate`, 'data-line': String(f.line), onclick: (e) => {
        e.preventDefault();
        const target = $(`#v-line-${f.line}`);
        target?.scrollIntoView({ block: 'center' });
        $('#v-view').focus();
      } }, `line ${f.line}:${f.column}`) : '', ' ', el('code', {}, f.code), ' ', f.message,
      f.fix ? el('div', { class: 'hint' }, `Fix: ${f.fix}`) : '')));
    $('#v-view').replaceChildren(...lineView(text, r.findings));
    $('#v-result').hidden = false;
    status(`${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`);
  } catch (e) {
    status(e.message, true);
  }
}

export function init() {
  $('#v-form').addEventListener('submit', run);
}
