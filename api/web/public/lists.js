// Alerts (acknowledge with an optional comment, resolve), devices (last seen, battery, signal) and rejected
// messages (dead letters, technicians). A failed action shows the banner with a Retry (problems.js).
import { api } from './api.js';
import { $, el } from './dom.js';
import { ago, deadLetterReason, formatTime, getLang, t } from './i18n.js';
import { loadAlerts, setAlertCount } from './data.js';
import { showBanner } from './problems.js';

const alertsPage = { status: 'unresolved', fields: new Map() };
let me = { role: 'viewer' };
export function setMe(user) {
  me = user;
}
const canAct = () => me.role !== 'viewer';
const canResolve = () => me.role === 'admin' || me.role === 'technician';
const COMMENT_MAX = 500; // api/routes/alerts.ts AlertChangeBody

/** The acknowledge form: an optional comment (kept with the alert), then Acknowledge or Cancel. */
function ackForm(a, actions) {
  const text = el('textarea', { name: 'comment', rows: '2', maxlength: String(COMMENT_MAX), 'data-ack-comment': a.id, placeholder: t('ackCommentHint') });
  const form = el('form', { class: 'ack-form', 'data-ack-form': a.id },
    el('label', {}, el('span', {}, t('ackComment')), text),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', 'data-action': 'ack-confirm' }, t('ack')),
      el('button', { type: 'button', class: 'secondary', 'data-action': 'ack-cancel', onclick: () => form.replaceWith(actions) }, t('cancel'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const comment = text.value.trim();
    for (const b of form.querySelectorAll('button')) b.disabled = true;
    act(a.id, 'ack', comment ? { comment } : {});
  });
  return form;
}

function alertItem(a) {
  const actions = el('div', { class: 'actions' });
  if (a.status === 'open' && canAct()) {
    actions.append(el('button', { type: 'button', 'data-action': 'ack', onclick: () => { const form = ackForm(a, actions); actions.replaceWith(form); form.querySelector('textarea').focus(); } }, t('ack')));
  }
  if (a.status !== 'resolved' && canResolve()) actions.append(el('button', { type: 'button', class: 'secondary', 'data-action': 'resolve', onclick: () => act(a.id, 'resolve', {}) }, t('resolve')));
  const where = [alertsPage.fields.get(a.fieldId)?.name, a.deviceId].filter(Boolean).join(' · ');
  return el('li', { class: `alert severity-${a.severity} alert-${a.status}`, 'data-alert-id': a.id, 'data-status': a.status },
    el('div', { class: 'alert-head' },
      el('span', { class: `badge severity-${a.severity}` }, t(`severity_${a.severity}`)),
      el('span', { class: 'alert-status' }, t(`alertStatus_${a.status}`)),
      el('span', { class: 'muted' }, `${t('opened')} ${formatTime(a.openedAt)}`)),
    el('p', { class: 'alert-text' }, a.text[getLang()] ?? a.text.vi),
    a.ackComment ? el('p', { class: 'ack-comment sub' }, `${t('ackCommentShown')}: `, el('q', {}, a.ackComment)) : null,
    el('div', { class: 'sub' }, where),
    actions);
}

async function act(id, action, body) {
  try {
    await api(`/alerts/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: JSON.stringify(body) });
  } catch (err) {
    if (err?.status !== 401) showBanner(err, () => act(id, action, body));
    return;
  }
  try {
    await showAlerts();
  } catch (err) {
    if (err?.status !== 401) showBanner(err, () => showAlerts());
  }
}

export async function showAlerts(status = alertsPage.status, stale = () => false) {
  alertsPage.status = status;
  const statuses = status === 'unresolved' ? ['open', 'acknowledged'] : [status];
  const [alerts, unresolved, { fields }] = await Promise.all([loadAlerts(statuses), status === 'unresolved' ? null : loadAlerts(), api('/fields')]);
  if (stale()) return alerts;
  setAlertCount(status === 'unresolved' ? alerts : unresolved); // the nav badge follows every ack/resolve
  alertsPage.fields = new Map(fields.map((f) => [f.id, f]));
  const tabs = el('div', { class: 'ranges', role: 'group' }, [['unresolved', 'alertsOpen'], ['resolved', 'alertsResolved']].map(([s, key]) =>
    el('button', { type: 'button', 'data-filter': s, 'aria-pressed': String(s === status), onclick: () => showAlerts(s).catch((err) => { if (err?.status !== 401) showBanner(err, () => showAlerts(s)); }) }, t(key))));
  let body;
  if (alerts === undefined) body = el('p', { class: 'muted', id: 'alerts-unavailable' }, t('alertsUnavailable'));
  else if (alerts.length === 0) body = el('p', { class: 'muted' }, t('noAlerts'));
  else {
    const order = { critical: 0, warning: 1, info: 2 };
    alerts.sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3) || (a.openedAt < b.openedAt ? 1 : -1));
    body = el('ul', { class: 'alerts' }, alerts.map(alertItem));
  }
  $('alerts-view').replaceChildren(el('h2', {}, t('navAlerts')), tabs, body);
  return alerts;
}

export async function showDevices(stale = () => false) {
  const { devices } = await api('/device-health');
  if (stale()) return;
  const head = el('tr', {}, ['devName', 'devField', 'devLastSeen', 'devBattery', 'devSignal'].map((k) => el('th', {}, t(k))));
  const rows = devices.map((d) => {
    const state = d.revoked ? 'revoked' : d.online ? 'online' : 'offline';
    return el('tr', { 'data-device-id': d.id, 'data-state': state },
      el('td', {}, el('span', { class: `dot ${state}`, title: t(state) }), el('span', { class: 'sr' }, t(state)), ' ', d.name, el('div', { class: 'sub' }, d.id)),
      el('td', {}, d.fieldName, el('div', { class: 'sub' }, d.farmName)),
      el('td', { title: d.lastSeen ? formatTime(d.lastSeen) : '' }, ago(d.lastSeen)),
      el('td', { class: `num ${d.battery !== null && d.battery < 20 ? 'low' : ''}` }, d.battery === null ? '—' : `${Math.round(d.battery)} %`),
      el('td', { class: 'num' }, d.rssi === null ? '—' : `${Math.round(d.rssi)} dBm`));
  });
  $('devices-view').replaceChildren(el('h2', {}, t('navDevices')), el('div', { class: 'table-wrap' }, el('table', { class: 'list' }, el('thead', {}, head), el('tbody', {}, rows))));
}

export async function showDeadLetters(stale = () => false) {
  const { deadLetters } = await api('/dead-letters?limit=200');
  if (stale()) return;
  const head = el('tr', {}, ['dlTime', 'dlDevice', 'dlReason', 'dlPayload'].map((k) => el('th', {}, t(k))));
  const rows = deadLetters.map((d) => el('tr', { 'data-dead-letter': d.id },
    el('td', {}, formatTime(new Date(d.receivedAt).toISOString())),
    el('td', {}, d.deviceId ?? '—'),
    el('td', { class: 'dl-reason' }, el('div', { class: 'dl-meaning' }, deadLetterReason(d.code)), el('div', { class: 'sub' }, el('code', {}, d.code), ' ', d.reason)),
    el('td', {}, el('code', { class: 'payload' }, (d.payload ?? '').slice(0, 200)))));
  const body = deadLetters.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'list' }, el('thead', {}, head), el('tbody', {}, rows))) : el('p', { class: 'muted' }, t('noDeadLetters'));
  $('dead-letters-view').replaceChildren(el('h2', {}, t('navDeadLetters')), el('p', { class: 'muted small' }, t('deadLettersIntro')), body);
}
