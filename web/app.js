// app.js - the entry point: hash routes, the theme toggle and the API
// helper the pages share. Each page is a module with init() (once) and
// show() (every visit).
import * as create from './create.js';
import * as rightsize from './rightsize.js';
import * as validate from './validate.js';
import * as catalog from './catalog.js';
import { $ } from './ui.js';

const pages = { create, rightsize, validate, catalog };
const started = new Set();

function route() {
  const name = (location.hash.replace(/^#\/?/, '').split('?')[0]) || 'home';
  const known = name === 'home' || name in pages ? name : 'home';
  for (const sec of document.querySelectorAll('.page')) sec.hidden = sec.id !== `page-${known}`;
  for (const a of document.querySelectorAll('.bar nav a'))
    if (a.getAttribute('href') === `#/${known}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  const title = document.querySelector(`#page-${known} h1`);
  document.title = known === 'home' ? 'keyhole' : `${title.textContent} · keyhole`;
  const page = pages[known];
  if (page) {
    if (!started.has(known)) { started.add(known); page.init(); }
    page.show?.();
  }
  $('#status').textContent = '';
  // Move focus to the new page for keyboard and screen-reader users, but
  // not on the first load.
  if (route.ran) $('#main').focus({ preventScroll: true });
  route.ran = true;
}

function effectiveTheme() {
  const set = document.documentElement.dataset.theme;
  if (set) return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function paintToggle() {
  const other = effectiveTheme() === 'dark' ? 'light' : 'dark';
  const btn = $('#theme-toggle');
  btn.querySelector('span').textContent = other === 'dark' ? 'Dark' : 'Light';
  btn.setAttribute('aria-label', `Switch to ${other} theme`);
}

function initTheme() {
  $('#theme-toggle').addEventListener('click', () => {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem('keyhole-theme', next); } catch { /* not remembered */ }
    paintToggle();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', paintToggle);
  paintToggle();
}

function initToken() {
  const input = $('#token');
  input.value = sessionStorage.getItem('keyhole-token') || '';
  input.addEventListener('change', () => sessionStorage.setItem('keyhole-token', input.value.trim()));
}

initTheme();
initToken();
addEventListener('hashchange', route);
route();
