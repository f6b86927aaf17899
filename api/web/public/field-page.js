// A field's page: facts, today's advice and the agronomic charts — soil moisture between field capacity and
// the RAW line, AWD water level with the −15 cm line, canal salinity against the crop's limit, daily ET0 and
// rain bars — over 24 h, 7 or 30 days (the API picks windows so a series stays ≤ ~1,000 points). The line
// charts share one time span (the chosen range); the daily chart shows whole days, at least 7, and says so.
// Moving to another field clears the page at once, so the old field is never shown under the new address.
/* global clearTimeout */
import { api, download } from './api.js';
import { et0RainChart, lineChart, destroyCharts } from './charts.js';
import { $, el } from './dom.js';
import { cropName, formatDate, formatNumber, formatTime, getLang, soilTextureName, t } from './i18n.js';
import { fieldStatus, loadAdvice, loadAlerts, setAlertCount } from './data.js';
import { currentNavigation } from './navigation.js';
import { metricLabel } from './overview.js';
import { irrigationPanel } from './irrigation.js';
import { controlPanel } from './field-control.js';

const DAY = 86_400_000;
const page = { fieldId: null, days: 1, field: null, soil: null, metrics: [], latest: [], timer: undefined, reload: () => {} };

function figure(kind, titleKey, metric, window, note) {
  const csv = metric ? el('button', { type: 'button', class: 'link', 'data-csv': metric }, t('csv')) : null;
  csv?.addEventListener('click', () => {
    download(`/fields/${encodeURIComponent(page.fieldId)}/readings.csv?metric=${encodeURIComponent(metric)}&from=${window.from}&to=${window.to}`, `${page.fieldId}-${metric}.csv`)
      .catch((err) => console.warn(err));
  });
  const plot = el('div', { class: 'plot' });
  const title = el('span', {}, t(titleKey), note ? el('span', { class: 'muted small span-note' }, ` (${note})`) : null);
  const fig = el('figure', { class: 'chart', 'data-chart': kind }, el('figcaption', {}, title, csv), plot);
  return { fig, plot };
}

async function series(metric, window) {
  const body = await api(`/fields/${encodeURIComponent(page.fieldId)}/readings?metric=${encodeURIComponent(metric)}&from=${window.from}&to=${window.to}`);
  // one series per device as columns: raw values, or the windows' means
  const names = new Map(page.field.devices.map((d) => [d.id, d.name]));
  return body.series.map((s) => {
    const ys = s.value ?? s.mean;
    const label = body.series.length > 1 ? `${metricLabel(metric)} — ${names.get(s.deviceId) ?? s.deviceId}` : metricLabel(metric);
    return { label, points: s.ts.map((ts, i) => [ts, ys[i]]) };
  });
}

/** Why a line chart of these metrics is empty: nothing in the range (and when the last reading was), or nothing yet. */
function emptyText(metrics) {
  const last = page.latest.filter((r) => metrics.some((m) => r.metric === m || r.metric.startsWith(`${m}@`))).reduce((a, r) => (a && a.ts > r.ts ? a : r), null);
  const range = t(page.days === 1 ? 'range24h' : page.days === 7 ? 'range7d' : 'range30d');
  if (!last) return t('noReadingsYet');
  return `${t('noDataInRange')} (${range}) — ${t('lastReading')} ${formatTime(last.ts)}`;
}

async function drawCharts(stale) {
  const to = Date.now();
  const window = { from: to - page.days * DAY, to };
  const has = (prefix) => page.metrics.filter((m) => m === prefix || m.startsWith(`${prefix}@`));
  const figures = [];
  const soilMetrics = has('soil_moisture');
  const dailyDays = Math.max(7, page.days);
  const [soilData, awdData, ecData, daily] = await Promise.all([
    soilMetrics.length ? Promise.all(soilMetrics.map((m) => series(m, window))).then((all) => all.flat()) : null,
    has('awd_level').length || page.soil?.awdThresholdCm != null ? series('awd_level', window) : null,
    has('water_ec').length ? series('water_ec', window) : null,
    api(`/fields/${encodeURIComponent(page.fieldId)}/daily?days=${dailyDays}`),
  ]);
  if (stale()) return;
  const common = { from: window.from, to: window.to };
  if (soilData) {
    const f = figure('soil', 'chartSoil', soilMetrics[0], window);
    const s = page.soil?.soil;
    figures.push([f, () => lineChart(f.plot, { ...common, series: soilData, empty: emptyText(['soil_moisture']), lines: [
      { label: t('fieldCapacity'), value: s?.thetaFcPct, color: '#8d6e63' },
      { label: t('rawLine'), value: s?.rawLinePct, color: '#c62828' },
    ] })]);
  }
  if (awdData) {
    const f = figure('awd', 'chartAwd', 'awd_level', window);
    figures.push([f, () => lineChart(f.plot, { ...common, series: awdData, empty: emptyText(['awd_level']), lines: [
      { label: t('surface'), value: 0, color: '#795548' },
      { label: t('awdLine'), value: page.soil?.awdThresholdCm ?? -15, color: '#c62828' },
    ] })]);
  }
  if (ecData) {
    const f = figure('salinity', 'chartSalinity', 'water_ec', window);
    const lim = page.soil?.salinity;
    const label = lim ? `${t('salinityLimit')} ${formatNumber(lim.maxPermil)} ‰ (g/L TDS) = ${formatNumber(lim.maxDsPerM, 2)} dS/m` : t('salinityLimit');
    figures.push([f, () => lineChart(f.plot, { ...common, series: ecData, digits: 2, empty: emptyText(['water_ec']), lines: [{ label, value: lim?.maxDsPerM, color: '#c62828' }] })]);
  }
  const et0 = figure('et0', 'chartEt0', null, window, page.days < dailyDays ? `${dailyDays} ${t('lastDays')}` : null);
  figures.push([et0, () => et0RainChart(et0.plot, daily.days, t('noEt0Data'))]);
  destroyCharts();
  $('charts').replaceChildren(...figures.map(([f]) => f.fig));
  for (const [f, draw] of figures) f.fig.dataset.points = String(draw());
}

function facts(field, advice, status) {
  const bits = [field.farmName, cropName(field.crop)];
  if (field.soilTexture) bits.push(`${t('soil')} ${soilTextureName(field.soilTexture)}`);
  if (field.areaHa) bits.push(`${formatNumber(field.areaHa)} ${t('area')}`);
  if (field.plantingDate) bits.push(`${t('planted')} ${formatDate(field.plantingDate)}`);
  return [
    el('div', { class: 'page-head' },
      el('a', { href: '#/', class: 'back' }, t('back')),
      el('h2', { id: 'field-title' }, field.name),
      el('span', { class: `badge status-${status}`, 'data-status': status }, t(`status_${status}`))),
    el('p', { class: 'sub', id: 'field-facts' }, bits.join(' · '), ' · ', el('a', { href: `#/water/field/${encodeURIComponent(field.id)}`, class: 'water-link' }, t('waterLink'))),
    el('div', { class: 'advice-box', 'data-advice': advice ? advice.status : 'none' },
      el('strong', {}, t('advice')), el('p', {}, advice ? advice.text[getLang()] : t('noAdvice'))),
  ];
}

function rangeButtons() {
  const choices = [[1, 'range24h'], [7, 'range7d'], [30, 'range30d']];
  return el('div', { class: 'ranges', role: 'group' }, choices.map(([days, key]) => {
    const b = el('button', { type: 'button', 'data-range': days, 'aria-pressed': String(page.days === days) }, t(key));
    b.addEventListener('click', () => {
      page.days = days;
      page.reload();
    });
    return b;
  }));
}

/**
 * Loads and draws a field. `stale()` says a later navigation has started: its answers are then dropped.
 * Another field than the one on screen clears the page first (a "loading" note, no old title or charts).
 */
export async function showField(fieldId, { stale, reload }) {
  const view = $('field-view');
  if (view.dataset.fieldId !== fieldId) {
    destroyCharts();
    view.replaceChildren(el('p', { class: 'muted loading', id: 'field-loading' }, t('loading')));
    view.dataset.fieldId = fieldId;
    page.days = 1;
  }
  page.fieldId = fieldId;
  page.reload = reload;
  view.setAttribute('aria-busy', 'true');
  try {
    const id = encodeURIComponent(fieldId);
    const [field, soil, latest, advice, alerts] = await Promise.all([api(`/fields/${id}`), api(`/fields/${id}/soil`), api(`/fields/${id}/latest`), loadAdvice(fieldId), loadAlerts()]);
    if (stale()) return;
    setAlertCount(alerts);
    Object.assign(page, { field, soil, latest: latest.readings, metrics: [...new Set(latest.readings.map((r) => r.metric))] });
    const status = fieldStatus({ field, readings: latest.readings, alerts: alerts ?? [], advice });
    const charts = $('charts') && view.dataset.drawn === fieldId ? $('charts') : el('div', { id: 'charts', class: 'charts' });
    view.replaceChildren(...facts(field, advice, status), irrigationPanel(field.id), controlPanel(field.id), rangeButtons(), charts);
    view.dataset.drawn = fieldId;
    await drawCharts(stale);
  } catch (err) {
    if (!stale() && view.dataset.drawn !== fieldId) view.replaceChildren(el('p', { class: 'muted', id: 'field-failed' }, t('loadFailedHere')));
    throw err;
  } finally {
    if (!stale()) view.removeAttribute('aria-busy');
  }
}

/** Redraws the charts of the open field a little after new readings arrive (several batches, one redraw). */
export function fieldReadingsArrived(fieldId, onError) {
  if (fieldId !== page.fieldId || $('field-view').hidden || $('field-view').dataset.drawn !== fieldId) return;
  clearTimeout(page.timer);
  page.timer = setTimeout(() => {
    const stale = currentNavigation();
    api(`/fields/${encodeURIComponent(fieldId)}/latest`)
      .then((latest) => {
        if (stale()) return undefined;
        page.latest = latest.readings;
        return drawCharts(stale);
      })
      .catch((err) => { if (!stale() && err?.status !== 401) onError(err); });
  }, 3000);
}

export const currentFieldId = () => page.fieldId;
