// Devices screen (issue 16, README "Devices"; admins and technicians): the cooperative's devices; provision one
// in a field (POST /devices), which answers its MQTT credential once — shown here in a copyable block and as a
// QR code, with a warning that it will not be shown again (only its hash is stored); a new secret (rotate-secret,
// also shown once), revoke (after an in-page confirmation), and the device profile its LoRaWAN uplinks are
// decoded with (PUT /devices/:id/profile), and moving a device to another field (PATCH /devices/:id). The QR code is drawn as an SVG path with DOM calls
// (qrcode-generator, served from /vendor/qrcode, no CDN), so it runs under the dashboard's strict CSP.
import { api } from './api.js';
import { el } from './dom.js';
import { cropName, getLang } from './i18n.js';
import { issuesOf } from './manage.js';
import { qrcode } from './vendor/qrcode/qrcode.mjs';

const TEXT = {
  vi: {
    title: 'Quản lý thiết bị', provision: 'Đăng ký thiết bị mới', field: 'Ruộng', kind: 'Loại', name: 'Tên', submit: 'Đăng ký',
    kind_soil_probe: 'Đầu dò độ ẩm đất', kind_weather_station: 'Trạm thời tiết', kind_canal_sensor: 'Cảm biến kênh (độ mặn)', kind_awd_tube: 'Ống AWD',
    kind_pump_controller: 'Bộ điều khiển bơm', kind_valve_controller: 'Bộ điều khiển van / cống',
    credTitle: 'Thông tin kết nối của thiết bị', credWarning: 'Chỉ hiện MỘT lần: hãy chép hoặc quét mã QR và nạp vào thiết bị ngay. Máy chủ chỉ lưu bản băm của mật khẩu, không thể hiện lại; nếu mất, hãy cấp mật khẩu mới.',
    username: 'Tên đăng nhập', password: 'Mật khẩu', broker: 'Máy chủ MQTT', topic: 'Chủ đề gửi số liệu', copy: 'Chép', copied: 'Đã chép', copyFailed: 'Không chép được — hãy bôi đen và chép tay',
    done: 'Tôi đã lưu, ẩn đi', qr: 'Mã QR của thông tin kết nối',
    id: 'Mã', profile: 'Hồ sơ giải mã', noProfile: '— không —', status: 'Trạng thái', active: 'Đang dùng', revoked: 'Đã thu hồi', actions: 'Thao tác',
    rotate: 'Cấp mật khẩu mới', revoke: 'Thu hồi', revokeQ: 'Thu hồi thiết bị này? Nó sẽ không kết nối được nữa (số liệu cũ vẫn giữ).', revokeYes: 'Thu hồi', cancel: 'Huỷ',
    moveTo: 'Chuyển sang ruộng', move: 'Chuyển',
    saved: 'Đã lưu', none: 'Chưa có thiết bị nào', failed: 'Không thực hiện được',
  },
  en: {
    title: 'Manage devices', provision: 'Provision a device', field: 'Field', kind: 'Kind', name: 'Name', submit: 'Provision',
    kind_soil_probe: 'Soil moisture probe', kind_weather_station: 'Weather station', kind_canal_sensor: 'Canal sensor (salinity)', kind_awd_tube: 'AWD tube',
    kind_pump_controller: 'Pump controller', kind_valve_controller: 'Valve / intake controller',
    credTitle: 'The device\'s connection details', credWarning: 'Shown ONCE: copy it or scan the QR code into the device now. The server keeps only a hash of the password and cannot show it again; if it is lost, issue a new secret.',
    username: 'Username', password: 'Password', broker: 'MQTT broker', topic: 'Topic for readings', copy: 'Copy', copied: 'Copied', copyFailed: 'Could not copy — select the text and copy it by hand',
    done: 'I have saved it, hide it', qr: 'QR code of the connection details',
    id: 'Id', profile: 'Decoding profile', noProfile: '— none —', status: 'Status', active: 'Active', revoked: 'Revoked', actions: 'Actions',
    rotate: 'Issue a new secret', revoke: 'Revoke', revokeQ: 'Revoke this device? It will no longer be able to connect (its readings are kept).', revokeYes: 'Revoke', cancel: 'Cancel',
    moveTo: 'Move to field', move: 'Move',
    saved: 'Saved', none: 'No devices yet', failed: 'Could not be done',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key] ?? key;
const KINDS = ['soil_probe', 'weather_station', 'canal_sensor', 'awd_tube', 'pump_controller', 'valve_controller'];

// The credential on screen until the user hides it; kept only in this page's memory, never fetched again.
let shown = null;

/** The lines of the copyable block (and of the QR code): what a device needs to connect and publish. */
function credentialLines(c) {
  return [
    ['username', c.username], ['password', c.secret], ['broker', c.brokerUrls[0] ?? ''], ['topic', c.topics.publish[0] ?? ''],
  ];
}
const credentialText = (c) => credentialLines(c).map(([k, v]) => `${k}: ${v}`).join('\n');

/** The QR code of `text` as an SVG (one path of dark modules, 4-module quiet zone), built with DOM calls. */
export function qrSvg(text, label) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n + 8} ${n + 8}`);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('data-qr-text', text);
  const bg = document.createElementNS(NS, 'rect');
  for (const [k, v] of Object.entries({ width: n + 8, height: n + 8, fill: '#fff' })) bg.setAttribute(k, String(v));
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  return svg;
}

function credentialBlock(c, rerender) {
  const status = el('span', { class: 'muted small', role: 'status' });
  const pre = el('pre', { class: 'credential-text', 'data-credential': c.deviceId },
    credentialLines(c).flatMap(([k, v], i) => [i ? '\n' : '', `${k}: `, el('span', { 'data-credential-field': k }, v)]));
  const copy = el('button', { type: 'button', 'data-action': 'copy-credential' }, tx('copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(credentialText(c));
      status.textContent = tx('copied');
    } catch {
      window.getSelection()?.selectAllChildren(pre); // plain http: no clipboard API; the text is selected instead
      status.textContent = tx('copyFailed');
    }
  });
  const done = el('button', { type: 'button', class: 'secondary', 'data-action': 'hide-credential' }, tx('done'));
  done.addEventListener('click', () => { shown = null; rerender(); });
  return el('section', { class: 'credential', id: 'credential', 'aria-label': tx('credTitle') },
    el('h3', {}, `${tx('credTitle')} — ${c.deviceId}`),
    el('p', { class: 'warning', role: 'alert' }, tx('credWarning')),
    el('div', { class: 'credential-body' }, pre, qrSvg(credentialText(c), tx('qr'))),
    el('div', { class: 'actions' }, copy, done, status));
}

function option(value, label, selected) {
  return el('option', { value, selected: selected || undefined }, label);
}

function provisionForm(fields, onDone) {
  const error = el('p', { class: 'error', role: 'alert', 'data-form-error': '' });
  const form = el('form', { class: 'manage-form', id: 'provision-form' },
    el('h3', {}, tx('provision')),
    el('label', {}, el('span', {}, tx('field')), el('select', { name: 'fieldId', required: true }, fields.map((f) => option(f.id, `${f.name} (${cropName(f.crop)})`)))),
    el('label', {}, el('span', {}, tx('kind')), el('select', { name: 'kind', required: true }, KINDS.map((k) => option(k, tx(`kind_${k}`))))),
    el('label', {}, el('span', {}, tx('name')), el('input', { name: 'name', required: true, maxlength: '100' })),
    el('button', { type: 'submit' }, tx('submit')),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = '';
    try {
      shown = await api('/devices', { method: 'POST', body: JSON.stringify({ fieldId: data.get('fieldId'), kind: data.get('kind'), name: String(data.get('name')).trim() }) });
    } catch (err) {
      error.textContent = (issuesOf(err) ?? []).map((i) => `${i.field}: ${i.message}`).join('; ') || err.message;
      return;
    }
    form.reset();
    await onDone();
  });
  return form;
}

function deviceRow(d, profiles, fields, reload) {
  const status = el('span', { class: 'muted small', role: 'status' });
  const actions = el('div', { class: 'actions wrap' });
  const fail = (err) => { status.textContent = `${tx('failed')}: ${err.message}`; };
  let profile = el('span', {}, d.profileId ?? tx('noProfile'));
  if (!d.revoked) {
    profile = el('select', { 'data-action': 'profile', 'aria-label': tx('profile') },
      option('', tx('noProfile'), d.profileId === null), profiles.map((p) => option(p.id, p.name ?? p.id, p.id === d.profileId)));
    profile.addEventListener('change', () => {
      api(`/devices/${encodeURIComponent(d.id)}/profile`, { method: 'PUT', body: JSON.stringify({ profileId: profile.value || null }) })
        .then(() => { status.textContent = tx('saved'); }, fail);
    });
    const rotate = el('button', { type: 'button', 'data-action': 'rotate' }, tx('rotate'));
    rotate.addEventListener('click', async () => {
      rotate.disabled = true;
      try {
        shown = await api(`/devices/${encodeURIComponent(d.id)}/rotate-secret`, { method: 'POST' });
      } catch (err) {
        rotate.disabled = false;
        fail(err);
        return;
      }
      await reload();
    });
    const revoke = el('button', { type: 'button', class: 'secondary', 'data-action': 'revoke' }, tx('revoke'));
    revoke.addEventListener('click', () => {
      const yes = el('button', { type: 'button', class: 'danger', 'data-action': 'revoke-confirm' }, tx('revokeYes'));
      const no = el('button', { type: 'button', class: 'secondary', 'data-action': 'revoke-cancel' }, tx('cancel'));
      const confirm = el('div', { class: 'confirm', role: 'alertdialog' }, el('p', {}, tx('revokeQ')), el('div', { class: 'actions' }, yes, no));
      no.addEventListener('click', () => confirm.replaceWith(actions));
      yes.addEventListener('click', async () => {
        yes.disabled = true;
        try {
          await api(`/devices/${encodeURIComponent(d.id)}/revoke`, { method: 'POST' });
        } catch (err) {
          confirm.replaceWith(actions);
          fail(err);
          return;
        }
        if (shown?.deviceId === d.id) shown = null;
        await reload();
      });
      actions.replaceWith(confirm);
    });
    // Move to another field (issue 16): its next reading belongs to the chosen field.
    const target = el('select', { 'data-action': 'move-field', 'aria-label': tx('moveTo') },
      fields.filter((f) => f.id !== d.fieldId).map((f) => option(f.id, `${f.name} (${cropName(f.crop)})`)));
    const move = el('button', { type: 'button', class: 'secondary', 'data-action': 'move' }, tx('move'));
    move.addEventListener('click', async () => {
      if (!target.value) return;
      move.disabled = true;
      try {
        await api(`/devices/${encodeURIComponent(d.id)}`, { method: 'PATCH', body: JSON.stringify({ fieldId: target.value }) });
      } catch (err) {
        move.disabled = false;
        fail(err);
        return;
      }
      await reload();
    });
    const moveGroup = target.options.length ? el('span', { class: 'move-field' }, el('label', {}, el('span', { class: 'small' }, tx('moveTo')), target), move) : null;
    actions.append(...[rotate, revoke, moveGroup].filter(Boolean));
  }
  return el('tr', { 'data-device-id': d.id, 'data-revoked': String(d.revoked) },
    el('td', {}, el('strong', {}, d.name), el('div', { class: 'sub' }, d.id)),
    el('td', {}, tx(`kind_${d.kind}`)),
    el('td', {}, d.fieldName),
    el('td', {}, profile),
    el('td', {}, d.revoked ? tx('revoked') : tx('active')),
    el('td', {}, actions, status));
}

/** Draws the screen into `view`; resolves when drawn. Rejects on a failed load (app.js shows the banner). */
export async function showManageDevices(view, { stale }) {
  const [{ devices }, { fields }, { profiles }] = await Promise.all([api('/devices'), api('/fields'), api('/device-profiles')]);
  if (stale()) return;
  const reload = () => showManageDevices(view, { stale });
  const rows = [...devices].sort((a, b) => Number(a.revoked) - Number(b.revoked) || a.name.localeCompare(b.name));
  view.replaceChildren(...[
    el('div', { class: 'page-head' }, el('h2', {}, tx('title'))),
    shown ? credentialBlock(shown, reload) : null,
    provisionForm(fields, reload),
    rows.length === 0 ? el('p', { class: 'muted' }, tx('none')) : el('div', { class: 'table-wrap' }, el('table', { class: 'list manage-list', id: 'manage-devices' },
      el('thead', {}, el('tr', {}, ['name', 'kind', 'field', 'profile', 'status', 'actions'].map((k) => el('th', {}, tx(k))))),
      el('tbody', {}, rows.map((d) => deviceRow(d, profiles, fields, reload)))))].filter(Boolean));
  if (shown) view.querySelector('#credential')?.scrollIntoView({ block: 'start' });
}
