// A field's page: facts, today's advice and the agronomic charts — soil moisture between field capacity and
// the RAW line, AWD water level with the −15 cm line, canal salinity against the crop's limit, daily ET0 and
// rain bars — over 24 h, 7 or 30 days (the API picks windows so a series stays ≤ ~1,000 points).
/* global clearTimeout */
import { api, download } from './api.js';
import { et0RainChart, lineChart, destroyCharts } from './charts.js';
import { $, el } from './dom.js';
import { cropName, formatNumber, getLang, t } from './i18n.js';
import { fieldStatus, loadAdvice, loadAlerts } from './data.js';
import { metricLabel } from './overview.js';

const DAY = 86_400_000;
const page = { fieldId: null, days: 1, field: null, soil: null, metrics: [], timer: undefined };

function figure(kind, titleKey, metric) {
  const csv = metric ? el('button', { type: 'button', class: 'link', 'data-csv': metric }, t('csv')) : null;
  csv?.addEventListener('click', () => {
    const to = Date.now();
    const from = to - page.days * DAY;
    download(`/fields/${encodeURIComponent(page.fieldId)}/readings.csv?metric=${encodeURIComponent(metric)}&from=${from}&to=${to}`, `${page.fieldId}-${metric}.csv`)
      .catch((err) => console.warn(err));
  });
  const plot = el('div', { class: 'plot' });
  const fig = el('figure', { class: 'chart', 'data-chart': kind }, el('figcaption', {}, el('span', {}, t(titleKey)), csv), plot);
  return { fig, plot };
}

async function series(metric) {
  const to = Date.now();
  const from = to - page.days * DAY;
  const body = await api(`/fields/${encodeURIComponent(page.fieldId)}/readings?metric=${encodeURIComponent(metric)}&from=${from}&to=${to}`);
  const byDevice = new Map();
  for (const p of body.points) {
    if (!byDevice.has(p.deviceId)) byDevice.set(p.deviceId, []);
    byDevice.get(p.deviceId).push([p.ts, p.value ?? p.mean]);
  }
  const names = new Map(page.field.devices.map((d) => [d.id, d.name]));
  return [...byDevice].map(([deviceId, points]) => ({ label: byDevice.size > 1 ? `${metricLabel(metric)} — ${names.get(deviceId) ?? deviceId}` : metricLabel(metric), points }));
}

async function drawCharts() {
  destroyCharts();
  const box = $('charts');
  const figures = [];
  const has = (prefix) => page.metrics.filter((m) => m === prefix || m.startsWith(`${prefix}@`));
  const soilMetrics = has('soil_moisture');
  if (soilMetrics.length) {
    const f = figure('soil', 'chartSoil', soilMetrics[0]);
    const all = (await Promise.all(soilMetrics.map(series))).flat();
    const s = page.soil?.soil;
    figures.push([f, () => lineChart(f.plot, { series: all, lines: [
      { label: t('fieldCapacity'), value: s?.thetaFcPct, color: '#8d6e63' },
      { label: t('rawLine'), value: s?.rawLinePct, color: '#c62828' },
    ] })]);
  }
  if (has('awd_level').length || page.soil?.awdThresholdCm != null) {
    const f = figure('awd', 'chartAwd', 'awd_level');
    const data = await series('awd_level');
    figures.push([f, () => lineChart(f.plot, { series: data, lines: [
      { label: t('surface'), value: 0, color: '#795548' },
      { label: t('awdLine'), value: page.soil?.awdThresholdCm ?? -15, color: '#c62828' },
    ] })]);
  }
  if (has('water_ec').length) {
    const f = figure('salinity', 'chartSalinity', 'water_ec');
    const data = await series('water_ec');
    const lim = page.soil?.salinity;
    const label = lim ? `${t('salinityLimit')} ${formatNumber(lim.maxPermil)} ‰ (g/L TDS) = ${formatNumber(lim.maxDsPerM, 2)} dS/m` : t('salinityLimit');
    figures.push([f, () => lineChart(f.plot, { series: data, digits: 2, lines: [{ label, value: lim?.maxDsPerM, color: '#c62828' }] })]);
  }
  const et0 = figure('et0', 'chartEt0', null);
  const daily = await api(`/fields/${encodeURIComponent(page.fieldId)}/daily?days=${Math.max(7, page.days)}`);
  figures.push([et0, () => et0RainChart(et0.plot, daily.days)]);
  box.replaceChildren(...figures.map(([f]) => f.fig));
  for (const [f, draw] of figures) f.fig.dataset.points = String(draw());
}

function facts(field, advice, status) {
  const bits = [field.farmName, cropName(field.crop)];
  if (field.soilTexture) bits.push(`${t('soil')} ${field.soilTexture.replace(/_/g, ' ')}`);
  if (field.areaHa) bits.push(`${formatNumber(field.areaHa)} ${t('area')}`);
  if (field.plantingDate) bits.push(`${t('planted')} ${field.plantingDate}`);
  return [
    el('div', { class: 'page-head' },
      el('a', { href: '#/', class: 'back' }, t('back')),
      el('h2', { id: 'field-title' }, field.name),
      el('span', { class: `badge status-${status}`, 'data-status': status }, t(`status_${status}`))),
    el('p', { class: 'sub' }, bits.join(' · ')),
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
      showField(page.fieldId).catch((err) => console.warn(err));
    });
    return b;
  }));
}

export async function showField(fieldId) {
  if (page.fieldId !== fieldId) page.days = 1;
  page.fieldId = fieldId;
  const id = encodeURIComponent(fieldId);
  const [field, soil, latest, advice, alerts] = await Promise.all([api(`/fields/${id}`), api(`/fields/${id}/soil`), api(`/fields/${id}/latest`), loadAdvice(fieldId), loadAlerts()]);
  Object.assign(page, { field, soil, metrics: [...new Set(latest.readings.map((r) => r.metric))] });
  const status = fieldStatus({ field, readings: latest.readings, alerts: alerts ?? [], advice });
  $('field-view').replaceChildren(...facts(field, advice, status), rangeButtons(), el('div', { id: 'charts', class: 'charts' }));
  await drawCharts();
}

/** Redraws the charts of the open field a little after new readings arrive (several batches, one redraw). */
export function fieldReadingsArrived(fieldId) {
  if (fieldId !== page.fieldId || $('field-view').hidden) return;
  clearTimeout(page.timer);
  page.timer = setTimeout(() => { drawCharts().catch((err) => console.warn(err)); }, 3000);
}

export const currentFieldId = () => page.fieldId;
