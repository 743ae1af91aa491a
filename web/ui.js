// ui.js - small helpers shared by the pages: DOM building, the API client,
// the status line, and the policy tabs with Copy and Download.

export const $ = (sel, root = document) => root.querySelector(sel);

// el('button', {class: 'x', onclick: f}, 'text', child...) - never innerHTML.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false)
    node.append(c instanceof Node ? c : String(c));
  return node;
}

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

// Calls the JSON API; resolves to the parsed body or throws an ApiError
// carrying the server's {error: {code, message}}.
export async function api(method, path, body, { raw = false } = {}) {
  const headers = {};
  const token = sessionStorage.getItem('keyhole-token');
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    if (raw) payload = body;
    else { payload = JSON.stringify(body); headers['content-type'] = 'application/json'; }
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, 'network', 'the server cannot be reached');
  }
  const text = await res.text();
  let data;
  try { data = JSON.parse(text); } catch { data = undefined; }
  if (!res.ok) {
    const e = data?.error;
    let msg = e?.message || `HTTP ${res.status}`;
    if (res.status === 401) msg += ' (set an API token at the bottom of the page)';
    throw new ApiError(res.status, e?.code || 'http', msg);
  }
  return data;
}

export function status(message, isError = false) {
  const s = $('#status');
  s.textContent = message;
  s.classList.toggle('err', isError);
}

// Services from the catalog, fetched once.
let servicesPromise;
export function services() {
  servicesPromise ??= api('GET', '/v1/catalog/services').catch((e) => {
    servicesPromise = undefined;
    throw e;
  });
  return servicesPromise;
}

const FORMATS = [
  ['json', 'JSON', 'policy.json', 'application/json'],
  ['terraform', 'Terraform', 'policy.tf', 'text/plain'],
  ['cloudformation', 'CloudFormation', 'policy.yaml', 'text/yaml'],
];

// Renders JSON / Terraform / CloudFormation tabs into host. texts maps a
// format to its text (or undefined while it is still coming: "Rendering…").
// Returns update(format, text) to fill a tab later.
export function policyTabs(host, texts, idPrefix, baseName = 'policy') {
  host.replaceChildren();
  host.className = 'tabs';
  const list = el('div', { role: 'tablist', 'aria-label': 'Output format' });
  const tabs = [], panels = [], pres = {};
  FORMATS.forEach(([fmt, label, file, type], i) => {
    const tabId = `${idPrefix}-tab-${fmt}`, panelId = `${idPrefix}-panel-${fmt}`;
    const tab = el('button', {
      type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId,
      'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1',
    }, label);
    const pre = el('pre', { tabindex: '0', 'aria-label': `${label} output` },
      el('code', {}, texts[fmt] ?? 'Rendering…'));
    pres[fmt] = pre;
    const ext = file.slice(file.indexOf('.'));
    const copy = el('button', { type: 'button', class: 'small', onclick: async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent);
        status(`${label} copied to the clipboard`);
      } catch {
        const r = document.createRange();
        r.selectNodeContents(pre);
        getSelection().removeAllRanges();
        getSelection().addRange(r);
        status('Selected: press Ctrl+C to copy');
      }
    } }, 'Copy');
    const download = el('button', { type: 'button', class: 'small', onclick: () => {
      const url = URL.createObjectURL(new Blob([pre.textContent], { type }));
      const a = el('a', { href: url, download: `${baseName}${ext}` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } }, 'Download');
    const panel = el('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, hidden: i !== 0 },
      el('div', { class: 'tools' }, copy, download), pre);
    tabs.push(tab);
    panels.push(panel);
    list.append(tab);
  });
  const select = (i, focus) => {
    tabs.forEach((t, j) => {
      t.setAttribute('aria-selected', String(i === j));
      t.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    if (focus) tabs[i].focus();
  };
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => select(i, false));
    t.addEventListener('keydown', (ev) => {
      const n = tabs.length;
      const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i + n - 1) % n, Home: 0, End: n - 1 }[ev.key];
      if (to !== undefined) { ev.preventDefault(); select(to, true); }
    });
  });
  host.append(list, ...panels);
  return (fmt, text) => { pres[fmt].firstChild.textContent = text; };
}

// A titled list section for the result pages.
export function listSection(title, items, empty = 'None.') {
  return el('section', {}, el('h3', {}, title),
    items.length ? el('ul', {}, items.map((i) => el('li', {}, i))) : el('p', { class: 'hint' }, empty));
}
