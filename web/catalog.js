// catalog.js - the Catalog page: services filtered by a search, one
// service's actions by access level.
import { $, el, api, status, services } from './ui.js';

let all = [];
let current = null; // the selected service's detail
const details = new Map();

function query() {
  return $('#cat-search').value.trim().toLowerCase();
}

// "s3:get" searches s3's actions for "get"; "queue" matches service names.
function split(q) {
  const i = q.indexOf(':');
  return i < 0 ? { svc: q, act: q } : { svc: q.slice(0, i), act: q.slice(i + 1) };
}

function paintServices() {
  const { svc } = split(query());
  const hits = all.filter((s) => !svc || s.prefix.includes(svc) || s.name.toLowerCase().includes(svc));
  // No service by that name: the search is for actions of the chosen one.
  const shown = hits.length ? hits : all;
  $('#cat-services').replaceChildren(...shown.slice(0, 300).map((s) => el('li', {},
    el('button', { type: 'button', 'aria-current': String(current?.prefix === s.prefix),
      onclick: () => select(s.prefix) }, s.prefix, el('small', {}, `${s.actions}`)))));
}

function paintDetail() {
  const host = $('#cat-detail');
  if (!current) {
    host.replaceChildren(el('p', { class: 'hint' }, 'Choose a service to see its actions.'));
    return;
  }
  const { svc, act } = split(query());
  const serviceMatches = !svc || current.prefix.includes(svc) || current.name.toLowerCase().includes(svc);
  const filter = act && !(serviceMatches && !query().includes(':') && current.prefix.includes(act)) ? act : '';
  const level = $('#cat-level').value;
  const sections = Object.entries(current.actions_by_level)
    .filter(([l]) => !level || l === level)
    .map(([l, acts]) => {
      const list = acts.filter((a) => !filter || a.toLowerCase().includes(filter));
      return list.length ? el('section', {}, el('h3', {}, `${l} (${list.length})`),
        el('ul', {}, list.map((a) => el('li', {}, el('code', {}, `${current.prefix}:${a}`))))) : null;
    }).filter(Boolean);
  host.replaceChildren(el('h2', {}, `${current.name} `, el('code', {}, current.prefix)),
    el('p', { class: 'hint' }, `${current.actions} actions`),
    sections.length ? el('div', { class: 'levels-list' }, sections) : el('p', { class: 'hint' }, 'No action matches.'));
}

async function select(prefix) {
  try {
    if (!details.has(prefix)) details.set(prefix, await api('GET', `/v1/catalog/services/${encodeURIComponent(prefix)}`));
    current = details.get(prefix);
    paintServices();
    paintDetail();
  } catch (e) {
    status(e.message, true);
  }
}

export function init() {
  services().then((r) => {
    all = r.services;
    $('#cat-version').textContent = `${all.length} services, catalog ${r.catalog_version}`;
    paintServices();
    paintDetail();
  }).catch((e) => status(e.message, true));
  $('#cat-search').addEventListener('input', () => {
    paintServices();
    // A search for one service's actions opens that service.
    const { svc } = split(query());
    if (query().includes(':') && all.some((s) => s.prefix === svc) && current?.prefix !== svc) select(svc);
    else paintDetail();
  });
  $('#cat-level').addEventListener('change', paintDetail);
}
