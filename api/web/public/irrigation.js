// The field page's "Đã tưới … mm" (issue 17): a farmer (or a technician) records what was irrigated with one
// number and a button — POST /api/v1/fields/:id/irrigations, source farmer_report — and sees the last
// irrigations of the field and the daily irrigation of the last 14 days as bars (GET /fields/:id/daily's
// irrigationMm; an SVG drawn with attributes only, as the CSP allows no inline style). The water balance takes it at the rules' next minute check; the page's advice follows.
// Viewers see the list only (the API answers 403 to them). Text from the server goes in as text nodes (dom.js).
import { api } from './api.js';
import { el } from './dom.js';
import { formatNumber, formatTime, getLang } from './i18n.js';

const TEXT = {
  vi: {
    title: 'Tưới', irrigated: 'Đã tưới', mm: 'mm', recorded: 'Đã ghi', none: 'Chưa ghi lần tưới nào trong 30 ngày',
    last: 'Các lần tưới gần đây', bad: 'Nhập số mm từ 1 đến 300', bars: 'Lượng nước tưới theo ngày (14 ngày)',
  },
  en: {
    title: 'Irrigation', irrigated: 'Irrigated', mm: 'mm', recorded: 'Recorded', none: 'No irrigation recorded in the last 30 days',
    last: 'Recent irrigations', bad: 'Enter a depth of 1 to 300 mm', bars: 'Irrigation per day (14 days)',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key];

function listOf(irrigations) {
  if (irrigations.length === 0) return el('p', { class: 'muted' }, tx('none'));
  return el('ul', { class: 'irrigation-list' }, irrigations.slice(0, 5).map((i) =>
    el('li', {}, `${formatTime(i.startAt)} — ${formatNumber(i.depthMm, 0)} ${tx('mm')}`)));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

/** One bar per local day, height ∝ mm; nothing when no water was recorded in the range. */
function barsOf(days) {
  const max = Math.max(0, ...days.map((d) => d.irrigationMm));
  if (max === 0) return el('p', { class: 'muted' }, tx('none'));
  const w = 20;
  const h = 80;
  const chart = svg('svg', { viewBox: `0 0 ${days.length * w} ${h + 16}`, width: '100%', height: h + 16, role: 'img', 'aria-label': tx('bars'), class: 'irrigation-bars' });
  days.forEach((d, i) => {
    const bh = Math.round((d.irrigationMm / max) * (h - 14));
    const label = `${Number(d.date.slice(8))}/${Number(d.date.slice(5, 7))}`;
    chart.append(svg('rect', { x: i * w + 3, y: h - bh, width: w - 6, height: bh, fill: '#1565c0', 'data-date': d.date, 'data-mm': d.irrigationMm },
      svg('title', {}, `${label}: ${formatNumber(d.irrigationMm, 0)} ${tx('mm')}`)));
    if (d.irrigationMm > 0) chart.append(svg('text', { x: i * w + w / 2, y: h - bh - 3, 'text-anchor': 'middle', 'font-size': 9 }, formatNumber(d.irrigationMm, 0)));
    if ((days.length - 1 - i) % 2 === 0) chart.append(svg('text', { x: i * w + w / 2, y: h + 12, 'text-anchor': 'middle', 'font-size': 8, fill: '#666' }, label));
  });
  return chart;
}

/** The panel for a field; `onRecorded` runs after a successful record (e.g. to reload the advice). */
export function irrigationPanel(fieldId, { canRecord = true, onRecorded } = {}) {
  const path = `/fields/${encodeURIComponent(fieldId)}/irrigations`;
  const list = el('div', { 'data-irrigations': '' });
  const status = el('p', { class: 'irrigation-status', role: 'status' });
  const bars = el('div', { 'data-irrigation-bars': '' });
  const refresh = () => Promise.all([
    api(path).then((r) => { list.replaceChildren(listOf(r.irrigations)); }),
    api(`/fields/${encodeURIComponent(fieldId)}/daily?days=14`).then((r) => { bars.replaceChildren(barsOf(r.days)); }),
  ]).catch((err) => console.warn(err));
  const input = el('input', { type: 'number', min: '1', max: '300', step: '1', value: '25', inputmode: 'numeric', 'aria-label': tx('mm'), class: 'irrigation-mm' });
  const button = el('button', { type: 'submit', class: 'irrigation-record' }, `${tx('irrigated')} `, el('span', {}, '25'), ` ${tx('mm')}`);
  input.addEventListener('input', () => { button.querySelector('span').textContent = input.value; });
  const form = el('form', { class: 'irrigation-form' }, input, button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const depthMm = Number(input.value);
    if (!(depthMm > 0 && depthMm <= 300)) { status.textContent = tx('bad'); return; }
    button.disabled = true;
    try {
      const r = await api(path, { method: 'POST', body: JSON.stringify({ depthMm, source: 'farmer_report' }) });
      status.textContent = `${tx('recorded')}: ${formatNumber(r.depthMm, 0)} ${tx('mm')}`;
      await refresh();
      onRecorded?.(r);
    } catch (err) {
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  void refresh();
  return el('section', { class: 'irrigation-panel', 'aria-label': tx('title') },
    el('h3', {}, tx('title')), canRecord ? form : null, status, el('h4', {}, tx('last')), list, el('h4', {}, tx('bars')), bars);
}
