// Ruộng dashboard (no framework, no CDN): login, overview, field charts, alerts, devices, rejected messages.
// Pages are chosen by the URL hash (#/, #/field/ID, #/alerts, #/devices, #/dead-letters). Live updates come
// from the API's Server-Sent Events; a slow poll covers a broken stream. All server text goes in as text.
// Failures (problems.js): a missing/forbidden object is a page inside the app, any other failed call a banner
// with Retry; only a 401 shows the login page, and the hash the user asked for is kept for after the login.
/* global clearTimeout */
import { api, followEvents, hasToken, setToken, whenUnauthorized } from './api.js';
import { destroyCharts } from './charts.js';
import { $, show } from './dom.js';
import { applyLanguage, getLang, setLang, t } from './i18n.js';
import { loadCatalogue } from './data.js';
import { currentFieldId, fieldReadingsArrived, showField } from './field-page.js';
import { setMe, showAlerts, showDeadLetters, showDevices } from './lists.js';
import { managePage, mayOpen, showManageNav } from './manage.js';
import { beginNavigation } from './navigation.js';
import { applyReadings, refreshOverview, renderOverview } from './overview.js';
import { hideBanner, isMissing, relabelBanner, renderProblemPage, showBanner } from './problems.js';
import { showWaterAccount } from './water-account.js';

const VIEWS = ['login-view', 'fields-view', 'field-view', 'alerts-view', 'devices-view', 'dead-letters-view', 'manage-view', 'problem-view', 'water-view'];
const POLL_MS = 60_000;
let me;
let stopEvents;
let poll;
let alertTimer;
let started = false;

function only(view) {
  for (const v of VIEWS) show(v, v === view);
  for (const link of document.querySelectorAll('#nav a')) link.setAttribute('aria-current', String(link.getAttribute('href') === window.location.hash || (link.getAttribute('href') === '#/' && view === 'fields-view')));
}

const canSeeDeadLetters = () => me && (me.role === 'admin' || me.role === 'technician');

/** The page of the current hash. Resolves when it is drawn (or has failed and said so); never rejects. */
function route() {
  const stale = beginNavigation();
  const hash = window.location.hash || '#/';
  const field = /^#\/field\/(.+)$/.exec(hash);
  const manage = managePage(hash); // the management screens (manage.js), each for the roles that may use it
  if (!field) destroyCharts();
  let load;
  const water = /^#\/water\/(field|farm)\/(.+)$/.exec(hash); // the season's water account (water-account.js)
  if (water) {
    only('water-view');
    load = showWaterAccount(water[1], decodeURIComponent(water[2]), { stale });
  } else if (field) {
    only('field-view');
    load = showField(decodeURIComponent(field[1]), { stale, reload: refreshCurrent });
  } else if (hash === '#/alerts') {
    only('alerts-view');
    load = showAlerts(undefined, stale);
  } else if (hash === '#/devices') {
    only('devices-view');
    load = showDevices(stale);
  } else if (hash === '#/dead-letters') {
    if (!canSeeDeadLetters()) return Promise.resolve(failed({ status: 403 }));
    only('dead-letters-view');
    load = showDeadLetters(stale);
  } else if (manage) {
    if (!mayOpen(manage, me)) return Promise.resolve(failed({ status: 403 }));
    only('manage-view');
    load = manage.show($('manage-view'), { me, stale, reload: refreshCurrent });
  } else if (hash === '#/' || hash === '#') {
    only('fields-view');
    load = refreshOverview({ stale });
  } else {
    return Promise.resolve(failed({ status: 404 }));
  }
  return load.then(
    () => { if (!stale()) hideBanner(); },
    (err) => { if (!stale()) failed(err); });
}

/** Says what went wrong, inside the app. A 401 has already sent the user to the login page. */
function failed(err) {
  if (err?.status === 401) return;
  if (isMissing(err)) {
    hideBanner();
    destroyCharts();
    renderProblemPage(err);
    only('problem-view');
    return;
  }
  showBanner(err, refreshCurrent);
}

function refreshCurrent() {
  return route();
}

function onEvent(name, data) {
  if (name === 'readings') {
    if (!$('fields-view').hidden) applyReadings(data.fieldId, data.readings);
    fieldReadingsArrived(data.fieldId, (err) => showBanner(err, refreshCurrent));
  } else if (name === 'alert') {
    clearTimeout(alertTimer);
    alertTimer = setTimeout(() => { if ($('alerts-view').hidden === false || $('fields-view').hidden === false || (currentFieldId() && !$('field-view').hidden)) refreshCurrent(); }, 500);
  }
}

function setLive(live) {
  $('live').dataset.live = String(live);
  $('live').dataset.i18n = live ? 'live' : 'reconnecting'; // applyLanguage re-translates it
  $('live').textContent = t($('live').dataset.i18n);
}

/** The login page; `expired` when a 401 ended the session (not the Log out button). The hash is kept. */
function showLogin(expired = false) {
  started = false;
  stopEvents?.();
  stopEvents = undefined;
  clearInterval(poll);
  setToken(null);
  hideBanner();
  destroyCharts();
  show('nav', false);
  show('logout', false);
  $('live').textContent = '';
  delete $('live').dataset.i18n;
  $('login-error').textContent = expired ? t('sessionEnded') : '';
  only('login-view');
}

/** After a login or a reload with a token: who am I, the catalogue, then the page of the hash. */
async function start() {
  try {
    me = await api('/me');
    await loadCatalogue();
  } catch (err) {
    if (err?.status !== 401) showBanner(err, start);
    return;
  }
  started = true;
  hideBanner();
  setMe(me);
  $('coop').textContent = me.cooperative ? me.cooperative.name : '';
  show('nav', true);
  show('logout', true);
  show('nav-dead-letters', canSeeDeadLetters());
  showManageNav(me);
  await route();
  stopEvents?.();
  stopEvents = followEvents(onEvent, setLive);
  clearInterval(poll);
  poll = setInterval(() => {
    if ($('fields-view').hidden) return;
    refreshOverview().then(() => hideBanner(), (err) => { if (err?.status !== 401) showBanner(err, refreshCurrent); });
  }, POLL_MS);
}

function loginErrorText(err) {
  if (err?.status === 401 || err?.status === 400) return t('badLogin');
  if (err?.status === 429) return `${t('tooManyAttempts')}${err.retryAfter ? ` ${t('retryIn')} ${Math.ceil(err.retryAfter / 60)} ${t('minutes')}` : ''}`;
  if (err?.status === 0) return t('networkError');
  return `${t('serverError')} (HTTP ${err?.status})`;
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('login-error').textContent = '';
  let body;
  try {
    body = await api('/auth/login', { method: 'POST', body: JSON.stringify({ username: form.get('username'), password: form.get('password') }) });
  } catch (err) {
    $('login-error').textContent = loginErrorText(err);
    return;
  }
  setToken(body.token);
  event.target.reset();
  if (!window.location.hash) window.location.hash = '#/';
  await start();
});

$('logout').addEventListener('click', () => { api('/auth/logout', { method: 'POST' }).catch(() => {}).finally(() => showLogin(false)); });
$('lang').addEventListener('click', () => {
  setLang(getLang() === 'vi' ? 'en' : 'vi');
  applyLanguage();
  $('lang').textContent = getLang() === 'vi' ? 'EN' : 'VI';
  relabelBanner();
  if (!hasToken() || !started) return;
  if (!$('fields-view').hidden) renderOverview(); else refreshCurrent();
});
window.addEventListener('hashchange', () => { if (hasToken() && started) refreshCurrent(); });
whenUnauthorized(() => showLogin(true));

applyLanguage();
$('lang').textContent = getLang() === 'vi' ? 'EN' : 'VI';
if (hasToken()) start(); else showLogin(false);
