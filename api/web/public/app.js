// Ruộng dashboard (no framework, no CDN): login, overview, field charts, alerts, devices, dead letters.
// Pages are chosen by the URL hash (#/, #/field/ID, #/alerts, #/devices, #/dead-letters). Live updates come
// from the API's Server-Sent Events; a slow poll covers a broken stream. All server text goes in as text.
/* global clearTimeout */
import { api, followEvents, hasToken, setToken, whenUnauthorized } from './api.js';
import { destroyCharts } from './charts.js';
import { $, show } from './dom.js';
import { applyLanguage, getLang, setLang, t } from './i18n.js';
import { loadCatalogue } from './data.js';
import { currentFieldId, fieldReadingsArrived, showField } from './field-page.js';
import { setMe, showAlerts, showDeadLetters, showDevices } from './lists.js';
import { applyReadings, refreshOverview, renderOverview } from './overview.js';

const VIEWS = ['login-view', 'fields-view', 'field-view', 'alerts-view', 'devices-view', 'dead-letters-view'];
const POLL_MS = 60_000;
let me;
let stopEvents;
let poll;
let alertTimer;

function only(view) {
  for (const v of VIEWS) show(v, v === view);
  for (const link of document.querySelectorAll('#nav a')) link.setAttribute('aria-current', String(link.getAttribute('href') === window.location.hash || (link.getAttribute('href') === '#/' && view === 'fields-view')));
}

function route() {
  const hash = window.location.hash || '#/';
  const field = /^#\/field\/(.+)$/.exec(hash);
  if (!field) destroyCharts();
  if (field) { only('field-view'); return showField(decodeURIComponent(field[1])); }
  if (hash === '#/alerts') { only('alerts-view'); return showAlerts(); }
  if (hash === '#/devices') { only('devices-view'); return showDevices(); }
  if (hash === '#/dead-letters' && me && (me.role === 'admin' || me.role === 'technician')) { only('dead-letters-view'); return showDeadLetters(); }
  only('fields-view');
  return refreshOverview();
}

function refreshCurrent() {
  route().catch((err) => console.warn(err));
}

function onEvent(name, data) {
  if (name === 'readings') {
    if (!$('fields-view').hidden) applyReadings(data.fieldId, data.readings);
    fieldReadingsArrived(data.fieldId);
  } else if (name === 'alert') {
    clearTimeout(alertTimer);
    alertTimer = setTimeout(() => { if ($('alerts-view').hidden === false || $('fields-view').hidden === false || currentFieldId()) refreshCurrent(); }, 500);
  }
}

function showLogin() {
  stopEvents?.();
  stopEvents = undefined;
  clearInterval(poll);
  setToken(null);
  show('nav', false);
  show('logout', false);
  only('login-view');
}

async function start() {
  me = await api('/me');
  setMe(me);
  await loadCatalogue();
  $('coop').textContent = me.cooperative ? me.cooperative.name : '';
  show('nav', true);
  show('logout', true);
  show('nav-dead-letters', me.role === 'admin' || me.role === 'technician');
  await route();
  stopEvents?.();
  stopEvents = followEvents(onEvent, (live) => {
    $('live').dataset.live = String(live);
    $('live').textContent = live ? t('live') : t('reconnecting');
  });
  clearInterval(poll);
  poll = setInterval(() => { if (!$('fields-view').hidden) refreshOverview().catch((err) => console.warn(err)); }, POLL_MS);
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('login-error').textContent = '';
  try {
    const body = await api('/auth/login', { method: 'POST', body: JSON.stringify({ username: form.get('username'), password: form.get('password') }) });
    setToken(body.token);
    if (!window.location.hash) window.location.hash = '#/';
    await start();
  } catch {
    $('login-error').textContent = t('badLogin');
  }
});

$('logout').addEventListener('click', () => { api('/auth/logout', { method: 'POST' }).catch(() => {}).finally(showLogin); });
$('lang').addEventListener('click', () => {
  setLang(getLang() === 'vi' ? 'en' : 'vi');
  applyLanguage();
  $('lang').textContent = getLang() === 'vi' ? 'EN' : 'VI';
  if (!hasToken()) return;
  if (!$('fields-view').hidden) renderOverview(); else refreshCurrent();
});
window.addEventListener('hashchange', () => { if (hasToken()) refreshCurrent(); });
whenUnauthorized(showLogin);

applyLanguage();
$('lang').textContent = getLang() === 'vi' ? 'EN' : 'VI';
if (hasToken()) start().catch(showLogin); else showLogin();
