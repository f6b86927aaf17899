// The field page's "Đã tưới … mm" (issue 17): a farmer (or a technician) records what was irrigated with one
// number and a button — POST /api/v1/fields/:id/irrigations, source farmer_report — and sees the last
// irrigations of the field. The water balance takes it at the rules' next minute check; the page's advice follows.
// Viewers see the list only (the API answers 403 to them). Text from the server goes in as text nodes (dom.js).
import { api } from './api.js';
import { el } from './dom.js';
import { formatNumber, formatTime, getLang } from './i18n.js';

const TEXT = {
  vi: {
    title: 'Tưới', irrigated: 'Đã tưới', mm: 'mm', recorded: 'Đã ghi', none: 'Chưa ghi lần tưới nào trong 30 ngày',
    last: 'Các lần tưới gần đây', bad: 'Nhập số mm từ 1 đến 300',
  },
  en: {
    title: 'Irrigation', irrigated: 'Irrigated', mm: 'mm', recorded: 'Recorded', none: 'No irrigation recorded in the last 30 days',
    last: 'Recent irrigations', bad: 'Enter a depth of 1 to 300 mm',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key];

function listOf(irrigations) {
  if (irrigations.length === 0) return el('p', { class: 'muted' }, tx('none'));
  return el('ul', { class: 'irrigation-list' }, irrigations.slice(0, 5).map((i) =>
    el('li', {}, `${formatTime(i.startAt)} — ${formatNumber(i.depthMm, 0)} ${tx('mm')}`)));
}

/** The panel for a field; `onRecorded` runs after a successful record (e.g. to reload the advice). */
export function irrigationPanel(fieldId, { canRecord = true, onRecorded } = {}) {
  const path = `/fields/${encodeURIComponent(fieldId)}/irrigations`;
  const list = el('div', { 'data-irrigations': '' });
  const status = el('p', { class: 'irrigation-status', role: 'status' });
  const refresh = () => api(path).then((r) => { list.replaceChildren(listOf(r.irrigations)); }).catch((err) => console.warn(err));
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
    el('h3', {}, tx('title')), canRecord ? form : null, status, el('h4', {}, tx('last')), list);
}
