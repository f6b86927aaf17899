// Overview: the cooperative's farms, each with its fields as cards — status colour (ok / irrigate / alert /
// offline), the latest values and today's advice. Latest values follow the live stream; advice is daily.
import { api } from './api.js';
import { $, el } from './dom.js';
import { cropName, formatNumber, formatTime, getLang, t } from './i18n.js';
import { fieldStatus, loadAdvice, loadAlerts, metricSpec, setAlertCount } from './data.js';

const HIDDEN_GROUPS = new Set(['device']); // battery and signal live on the devices page
const ADVICE_TTL_MS = 10 * 60_000;
const state = { fields: [], latest: [], alerts: [], advice: new Map(), adviceAt: 0 };

export function metricLabel(metric) {
  const [base, depth] = metric.split('@');
  const spec = metricSpec(base);
  const label = spec ? spec.label[getLang()] : base;
  return depth ? `${label} (${depth})` : label;
}

export function valueText(metric, value) {
  const spec = metricSpec(metric);
  return `${formatNumber(value, 2)} ${spec ? spec.unit : ''}`.trim();
}

function readingsTable(field, readings) {
  const table = el('table');
  const names = new Map(field.devices.map((d) => [d.id, d.name]));
  let lastDevice;
  for (const r of readings) {
    if (HIDDEN_GROUPS.has(metricSpec(r.metric)?.group)) continue;
    if (r.deviceId !== lastDevice) {
      lastDevice = r.deviceId;
      table.append(el('tr', { class: 'device' }, el('th', { colspan: '2' }, names.get(r.deviceId) || r.deviceId)));
    }
    table.append(el('tr', { 'data-metric': r.metric, 'data-device': r.deviceId },
      el('td', {}, metricLabel(r.metric)),
      el('td', { class: 'v', title: `${r.deviceId} ${t('at')} ${formatTime(r.ts)}` }, valueText(r.metric, r.value))));
  }
  return table;
}

function fieldCard(field) {
  const readings = state.latest.filter((r) => r.fieldId === field.id);
  const advice = state.advice.get(field.id) ?? null;
  const status = fieldStatus({ field, readings, alerts: state.alerts, advice });
  const area = field.areaHa ? ` · ${formatNumber(field.areaHa)} ${t('area')}` : '';
  const card = el('article', { class: `card status-${status}`, 'data-field-id': field.id, 'data-status': status },
    el('div', { class: 'card-head' },
      el('h3', {}, el('a', { href: `#/field/${encodeURIComponent(field.id)}` }, field.name)),
      el('span', { class: `badge status-${status}` }, t(`status_${status}`))),
    el('div', { class: 'sub' }, `${cropName(field.crop)}${area} · ${field.devices.length} ${t('devices')}`));
  card.append(el('p', { class: 'advice', 'data-advice': advice ? advice.status : 'none' }, advice ? advice.text[getLang()] : t('noAdvice')));
  if (!readings.length) {
    card.append(el('p', { class: 'muted' }, t('noData')));
    return card;
  }
  const newest = readings.reduce((a, b) => (a.ts > b.ts ? a : b));
  card.append(readingsTable(field, readings), el('div', { class: 'sub' }, `${t('at')} ${formatTime(newest.ts)}`));
  return card;
}

export function renderOverview() {
  const byFarm = new Map();
  for (const f of state.fields) {
    if (!byFarm.has(f.farmId)) byFarm.set(f.farmId, { name: f.farmName, fields: [] });
    byFarm.get(f.farmId).fields.push(f);
  }
  const sections = [...byFarm].map(([farmId, farm]) => el('section', { class: 'farm', 'data-farm-id': farmId },
    el('h2', {}, farm.name), el('p', { class: 'sub' }, el('a', { href: `#/water/farm/${encodeURIComponent(farmId)}`, class: 'water-link' }, t('waterLink'))),
    el('div', { class: 'grid' }, farm.fields.map(fieldCard))));
  $('fields').replaceChildren(...sections);
  $('updated').textContent = new Date().toLocaleTimeString(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh' });
}

/** Reloads fields and latest values (cheap); alerts and advice too when `full` or when advice is stale. */
export async function refreshOverview({ full = false, stale = () => false } = {}) {
  const [{ fields }, { readings }, alerts] = await Promise.all([api('/fields'), api('/latest'), loadAlerts()]);
  if (stale()) return state;
  state.fields = fields;
  state.latest = readings;
  state.alerts = alerts ?? [];
  setAlertCount(state.alerts);
  if (full || Date.now() - state.adviceAt > ADVICE_TTL_MS) {
    const advice = await Promise.all(fields.map(async (f) => [f.id, await loadAdvice(f.id)]));
    if (stale()) return state;
    state.advice = new Map(advice);
    state.adviceAt = Date.now();
  }
  renderOverview();
  return state;
}

/** Applies a live `readings` event to the cached latest values and redraws. */
export function applyReadings(fieldId, readings) {
  for (const r of readings) {
    const i = state.latest.findIndex((x) => x.deviceId === r.deviceId && x.metric === r.metric);
    const next = { ...r, fieldId };
    if (i < 0) state.latest.push(next);
    else if (state.latest[i].ts <= r.ts) state.latest[i] = next;
  }
  state.latest.sort((a, b) => (a.deviceId === b.deviceId ? (a.metric < b.metric ? -1 : 1) : a.deviceId < b.deviceId ? -1 : 1));
  renderOverview();
}

export const overviewState = state;
