// Farms and fields screen (issue 16; admins): the cooperative's farms (add one: name, province) and fields; create
// or edit a field — farm, name, crop, planting date, soil texture, area, pump flow and location as two numbers
// (latitude, longitude; stored as a GeoJSON point, RFC 7946 [lon, lat]) — through POST /fields and PATCH
// /fields/:id. Nothing is drawn on a map. The API's zod messages are shown next to the input they name.
import { api } from './api.js';
import { el } from './dom.js';
import { cropName, crops, formatDate, formatNumber, getLang, soilTextureName, soilTextures } from './i18n.js';
import { showIssues } from './manage.js';

const TEXT = {
  vi: {
    title: 'Trại và ruộng', farms: 'Trại', fields: 'Ruộng', addFarm: 'Thêm trại', farmName: 'Tên trại', province: 'Tỉnh', addField: 'Thêm ruộng', editField: 'Sửa ruộng',
    farm: 'Trại', farmId: 'Trại', name: 'Tên ruộng', crop: 'Cây trồng', plantingDate: 'Ngày gieo/trồng', soilTexture: 'Loại đất', unknown: '— chưa rõ —',
    areaHa: 'Diện tích (ha)', pumpFlowM3h: 'Lưu lượng máy bơm (m³/giờ)', lat: 'Vĩ độ (°)', lon: 'Kinh độ (°)', location: 'Vị trí',
    save: 'Lưu', create: 'Tạo ruộng', cancel: 'Huỷ', edit: 'Sửa', saved: 'Đã lưu', created: 'Đã tạo', bothCoords: 'Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai',
    none: 'Chưa có ruộng nào',
  },
  en: {
    title: 'Farms and fields', farms: 'Farms', fields: 'Fields', addFarm: 'Add farm', farmName: 'Farm name', province: 'Province', addField: 'Add a field', editField: 'Edit field',
    farm: 'Farm', farmId: 'Farm', name: 'Field name', crop: 'Crop', plantingDate: 'Planting date', soilTexture: 'Soil texture', unknown: '— unknown —',
    areaHa: 'Area (ha)', pumpFlowM3h: 'Pump flow (m³/h)', lat: 'Latitude (°)', lon: 'Longitude (°)', location: 'Location',
    save: 'Save', create: 'Create field', cancel: 'Cancel', edit: 'Edit', saved: 'Saved', created: 'Created', bothCoords: 'Give both latitude and longitude, or neither',
    none: 'No fields yet',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key] ?? key;

let editing = null; // the id of the field in the form, or null for a new one

/** location.coordinates.0 is the longitude, .1 the latitude (RFC 7946 positions are [lon, lat]). */
const fieldBox = (path) => (path[0] === 'location' ? (path[2] === '0' ? 'lon' : 'lat') : path[0]);

function fieldForm(farms, field, reload) {
  const boxes = {};
  const input = (name, { tag = 'input', options = [], ...props }) => {
    boxes[name] = el('span', { class: 'field-error', 'data-issue-for': name });
    return el('label', {}, el('span', {}, tx(name)), el(tag, { name, ...props }, options), boxes[name]);
  };
  const value = (v) => (v === null || v === undefined ? '' : String(v));
  const general = el('p', { class: 'error', role: 'alert', 'data-form-error': '' });
  const form = el('form', { class: 'manage-form', id: 'field-form', 'data-editing': field?.id ?? '' },
    el('h3', {}, field ? `${tx('editField')}: ${field.name}` : tx('addField')),
    input('farmId', { tag: 'select', required: true, options: farms.map((f) => el('option', { value: f.id, selected: f.id === field?.farmId || undefined }, f.name)) }),
    input('name', { required: true, maxlength: '100', value: value(field?.name) }),
    input('crop', { tag: 'select', required: true, options: Object.keys(crops.vi).map((c) => el('option', { value: c, selected: c === field?.crop || undefined }, cropName(c))) }),
    input('plantingDate', { type: 'date', value: value(field?.plantingDate) }),
    input('soilTexture', { tag: 'select', options: [el('option', { value: '' }, tx('unknown')), ...Object.keys(soilTextures.vi).map((s) => el('option', { value: s, selected: s === field?.soilTexture || undefined }, soilTextureName(s)))] }),
    input('areaHa', { type: 'number', step: 'any', inputmode: 'decimal', value: value(field?.areaHa) }),
    input('pumpFlowM3h', { type: 'number', step: 'any', inputmode: 'decimal', value: value(field?.pumpFlowM3h) }),
    input('lat', { type: 'number', step: 'any', inputmode: 'decimal', value: value(field?.lat) }),
    input('lon', { type: 'number', step: 'any', inputmode: 'decimal', value: value(field?.lon) }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', 'data-action': 'save-field' }, field ? tx('save') : tx('create')),
      field ? el('button', { type: 'button', class: 'secondary', 'data-action': 'cancel-edit', onclick: () => { editing = null; void reload(); } }, tx('cancel')) : null),
    general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    general.textContent = '';
    for (const box of Object.values(boxes)) box.textContent = '';
    const data = new FormData(form);
    const text = (k) => String(data.get(k) ?? '').trim();
    const num = (k) => (text(k) === '' ? null : Number(text(k)));
    const lat = num('lat');
    const lon = num('lon');
    if ((lat === null) !== (lon === null)) { boxes.lat.textContent = tx('bothCoords'); return; }
    const body = {
      farmId: text('farmId'), name: text('name'), crop: text('crop'), plantingDate: text('plantingDate') || null,
      soilTexture: text('soilTexture') || null, areaHa: num('areaHa'), pumpFlowM3h: num('pumpFlowM3h'),
      location: lat === null ? null : { type: 'Point', coordinates: [lon, lat] },
    };
    try {
      if (field) await api(`/fields/${encodeURIComponent(field.id)}`, { method: 'PATCH', body: JSON.stringify(body) });
      else await api('/fields', { method: 'POST', body: JSON.stringify(body) });
    } catch (err) {
      showIssues(err, boxes, general, fieldBox);
      return;
    }
    editing = null;
    await reload(field ? tx('saved') : tx('created'));
  });
  return form;
}

function farmForm(reload) {
  const general = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'manage-form inline-form', id: 'farm-form' },
    el('h3', {}, tx('addFarm')),
    el('label', {}, el('span', {}, tx('farmName')), el('input', { name: 'name', required: true, maxlength: '100' })),
    el('label', {}, el('span', {}, tx('province')), el('input', { name: 'province', maxlength: '100' })),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, tx('addFarm'))), general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api('/farms', { method: 'POST', body: JSON.stringify({ name: String(data.get('name')).trim(), province: String(data.get('province')).trim() || null }) });
    } catch (err) {
      general.textContent = err.message;
      return;
    }
    await reload(tx('created'));
  });
  return form;
}

function fieldRow(f, reload) {
  const edit = el('button', { type: 'button', 'data-action': 'edit-field' }, tx('edit'));
  edit.addEventListener('click', () => { editing = f.id; void reload(); });
  const n = (v, d = 1) => (v === null ? '—' : formatNumber(v, d));
  return el('tr', { 'data-field-id': f.id },
    el('td', {}, el('strong', {}, f.name), el('div', { class: 'sub' }, f.farmName)),
    el('td', {}, cropName(f.crop), f.plantingDate ? el('div', { class: 'sub' }, formatDate(f.plantingDate)) : null),
    el('td', {}, f.soilTexture ? soilTextureName(f.soilTexture) : '—'),
    el('td', { 'data-col': 'areaHa' }, `${n(f.areaHa, 2)} ha`),
    el('td', {}, `${n(f.pumpFlowM3h)} m³/h`),
    el('td', {}, f.lat === null ? '—' : `${formatNumber(f.lat, 5)}, ${formatNumber(f.lon, 5)}`),
    el('td', {}, edit));
}

export async function showManageFields(view, { stale }) {
  const [{ farms }, { fields }] = await Promise.all([api('/farms'), api('/fields')]);
  if (stale()) return;
  const reload = async (message) => {
    await showManageFields(view, { stale });
    const s = view.querySelector('#fields-status');
    if (s && message) s.textContent = message;
  };
  const current = fields.find((f) => f.id === editing) ?? null;
  view.replaceChildren(...[
    el('div', { class: 'page-head' }, el('h2', {}, tx('title'))),
    el('p', { class: 'muted small', role: 'status', id: 'fields-status' }),
    farms.length ? fieldForm(farms, current, reload) : null,
    el('h3', {}, tx('fields')),
    fields.length === 0 ? el('p', { class: 'muted' }, tx('none')) : el('div', { class: 'table-wrap' }, el('table', { class: 'list manage-list', id: 'manage-fields' },
      el('thead', {}, el('tr', {}, ['name', 'crop', 'soilTexture', 'areaHa', 'pumpFlowM3h', 'location', ''].map((k) => el('th', {}, k ? tx(k) : '')))),
      el('tbody', {}, fields.map((f) => fieldRow(f, reload))))),
    el('h3', {}, tx('farms')),
    el('ul', { class: 'farm-list' }, farms.map((f) => el('li', { 'data-farm-id': f.id }, f.name, f.province ? ` — ${f.province}` : ''))),
    farmForm(reload)].filter(Boolean));
  if (current) view.querySelector('#field-form')?.scrollIntoView({ block: 'start' });
}
