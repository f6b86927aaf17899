// The season's water account page (issue 17; docs/water-account.md): for a field (#/water/field/ID) or a farm
// (#/water/farm/ID) — the totals (irrigations, mm, m³, pump hours, rain, crop ET, advised vs done), a farm's fields,
// one row per day, and "Tải CSV" (GET …/water-account.csv in the page's language). The range is the season the API
// chooses (planting date, else 120 days) until the user picks local days. Server text goes in as text (dom.js).
import { api, download } from './api.js';
import { $, el } from './dom.js';
import { cropName, formatDate, formatNumber, getLang, t } from './i18n.js';
import { currentNavigation } from './navigation.js';

const state = { kind: null, id: null, from: null, to: null };

/** A number, or "—" when unknown (null), never 0 for a missing measurement. */
const val = (x, digits = 1) => (x === null || x === undefined ? '—' : formatNumber(x, digits));
const dayLabel = (date) => `${Number(date.slice(8))}/${Number(date.slice(5, 7))}`;

function totalsBox(totals, note) {
  const item = (key, label, value, sub) => el('div', { class: 'water-total', 'data-total': key },
    el('span', { class: 'muted small' }, label), el('strong', {}, value), sub ? el('span', { class: 'muted small' }, sub) : null);
  const m3 = totals.irrigationM3 === null ? t('waterNoArea') : `${val(totals.irrigationM3, 0)} m³`;
  return el('div', { class: 'water-totals' },
    item('irrigations', t('waterIrrigations'), val(totals.irrigations, 0), `${val(totals.irrigationMm)} mm · ${m3}`),
    item('pumpHours', t('waterPumpHours'), `${val(totals.pumpHours, 1)} ${t('waterHours')}`, totals.pumps ? `${totals.pumps} ${t('waterPumps')}` : t('waterNoPump')),
    item('rain', t('waterRain'), totals.rainDays ? `${val(totals.rainMm)} mm` : '—', `${totals.rainDays}/${totals.days} ${t('waterDaysWithData')}`),
    item('et', t('waterEt'), totals.etDays ? `${val(totals.etcMm)} mm` : '—', `ET0 ${totals.et0Days ? `${val(totals.et0Mm)} mm` : '—'} · ${totals.etDays}/${totals.days} ${t('waterDaysWithData')}`),
    item('advised', t('waterAdvisedDone'), `${val(totals.advised, 0)} / ${val(totals.done, 0)}`, t('waterAdvisedDoneSub')),
    note ? el('p', { class: 'muted small water-note' }, note) : null);
}

function daysTable(days) {
  const head = ['waterDate', 'waterColIrrigations', 'waterColMm', 'waterColM3', 'waterColPump', 'waterColRain', 'waterColEt0', 'waterColEtc', 'waterColAdvised'];
  const rows = [...days].reverse().map((d) => el('tr', { 'data-date': d.date },
    el('td', {}, dayLabel(d.date)), el('td', { class: 'num' }, val(d.irrigations, 0)), el('td', { class: 'num' }, val(d.irrigationMm)),
    el('td', { class: 'num' }, val(d.irrigationM3, 0)), el('td', { class: 'num' }, val(d.pumpHours, 2)), el('td', { class: 'num' }, val(d.rainMm)),
    el('td', { class: 'num' }, val(d.et0Mm)), el('td', { class: 'num' }, val(d.etcMm)), el('td', { class: 'num' }, val(d.advised, 0))));
  return el('div', { class: 'table-wrap' }, el('table', { class: 'water-days' },
    el('thead', {}, el('tr', {}, head.map((k) => el('th', {}, t(k))))), el('tbody', {}, rows)));
}

function fieldsTable(fields) {
  return el('div', { class: 'table-wrap' }, el('table', { class: 'water-days water-fields' },
    el('thead', {}, el('tr', {}, ['waterField', 'waterColIrrigations', 'waterColMm', 'waterColM3', 'waterColPump'].map((k) => el('th', {}, t(k))))),
    el('tbody', {}, fields.map((f) => el('tr', { 'data-field-id': f.fieldId },
      el('td', {}, el('a', { href: `#/water/field/${encodeURIComponent(f.fieldId)}` }, f.name), el('span', { class: 'muted small' }, ` ${cropName(f.crop)}${f.areaHa ? ` · ${formatNumber(f.areaHa)} ha` : ''}`)),
      el('td', { class: 'num' }, val(f.totals.irrigations, 0)), el('td', { class: 'num' }, val(f.totals.irrigationMm)),
      el('td', { class: 'num' }, val(f.totals.irrigationM3, 0)), el('td', { class: 'num' }, val(f.totals.pumpHours, 1)))))));
}

function rangeForm(account) {
  const from = el('input', { type: 'date', name: 'from', value: account.from, max: account.to });
  const to = el('input', { type: 'date', name: 'to', value: account.to });
  const form = el('form', { class: 'water-range' }, el('label', {}, `${t('waterFrom')} `, from), el('label', {}, ` ${t('waterTo')} `, to),
    el('button', { type: 'submit' }, t('waterShow')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    state.from = from.value || null;
    state.to = to.value || null;
    void showWaterAccount(state.kind, state.id, { stale: currentNavigation() }).catch((err) => { $('water-view').append(el('p', { class: 'error' }, err.message)); });
  });
  return form;
}

/** Loads and draws the account of a field or a farm; `stale()` drops answers of an abandoned navigation. */
export async function showWaterAccount(kind, id, { stale }) {
  const view = $('water-view');
  if (state.kind !== kind || state.id !== id) {
    Object.assign(state, { kind, id, from: null, to: null });
    view.replaceChildren(el('p', { class: 'muted loading' }, t('loading')));
  }
  const base = `/${kind === 'farm' ? 'farms' : 'fields'}/${encodeURIComponent(id)}/water-account`;
  const query = new URLSearchParams({ ...(state.from ? { from: state.from } : {}), ...(state.to ? { to: state.to } : {}) });
  const qs = query.toString();
  const account = await api(`${base}${qs ? `?${qs}` : ''}`);
  if (stale()) return;
  const csv = el('button', { type: 'button', class: 'link water-csv' }, t('csv'));
  csv.addEventListener('click', () => {
    const q = new URLSearchParams({ from: account.from, to: account.to, lang: getLang() });
    download(`${base}.csv?${q}`, `water-account_${id}_${account.from}_${account.to}.csv`).catch((err) => console.warn(err));
  });
  const back = kind === 'field' ? el('a', { href: `#/field/${encodeURIComponent(id)}`, class: 'back' }, t('waterBackField')) : el('a', { href: '#/', class: 'back' }, t('back'));
  const season = account.season === 'planting_date' ? t('waterSeasonPlanting') : account.season === 'last_120_days' ? t('waterSeason120') : '';
  view.replaceChildren(
    el('div', { class: 'page-head' }, back, el('h2', { id: 'water-title' }, `${t('waterTitle')} — ${account.name}`), csv),
    el('p', { class: 'sub', 'data-range': `${account.from}/${account.to}` }, `${formatDate(account.from)} – ${formatDate(account.to)}${season ? ` (${season})` : ''}`),
    rangeForm(account),
    totalsBox(account.totals, kind === 'farm' ? t('waterFarmNote') : null),
    kind === 'farm' ? el('h3', {}, t('waterFields')) : null, kind === 'farm' ? fieldsTable(account.fields) : null,
    el('h3', {}, t('waterPerDay')), daysTable(account.days));
}
