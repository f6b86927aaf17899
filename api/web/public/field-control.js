// The field page's pump and valve control (issue 17, docs/irrigation-control.md): each controller of the field with
// its last reported state (GET /fields/:id/commands), "Bật"/"Tắt" (a valve: "Mở"/"Đóng") with minutes for admins,
// technicians and farmers (POST /devices/:id/commands; the API answers 403 to viewers, who get no buttons), and the
// field's last commands and refusals with their states and reasons. A refusal (409) shows the interlock's reason;
// while a command waits for the device's confirmation the block reloads every 2 s. Nothing shows on a field
// without a controller. Server text goes in as text nodes (dom.js). Below them: automatic mode, the maximum run
// time and the schedules (field-automation.js).
import { api } from './api.js';
import { el } from './dom.js';
import { automationBlock } from './field-automation.js';
import { formatTime, getLang } from './i18n.js';

const TEXT = {
  vi: {
    title: 'Điều khiển bơm và van', on: 'Bật', off: 'Tắt', open: 'Mở', close: 'Đóng', minutes: 'phút', running: 'Đang chạy', stopped: 'Đã tắt',
    opened: 'Đang mở', closed: 'Đã đóng', unknown: 'Chưa có trạng thái', last: 'Lệnh gần đây', none: 'Chưa có lệnh nào',
    sent: 'Đã gửi lệnh — chờ thiết bị xác nhận', refused: 'Bị từ chối', bad: 'Nhập số phút từ 1 đến',
    state_requested: 'chờ gửi', state_sent: 'chờ xác nhận', state_confirmed: 'đã xác nhận', state_refused: 'bị từ chối',
    state_failed: 'không xác nhận', state_cancelled: 'đã huỷ', safety: 'dừng an toàn',
  },
  en: {
    title: 'Pump and valve control', on: 'On', off: 'Off', open: 'Open', close: 'Close', minutes: 'min', running: 'Running', stopped: 'Stopped',
    opened: 'Open', closed: 'Closed', unknown: 'No state yet', last: 'Recent commands', none: 'No command yet',
    sent: 'Command sent — waiting for the device to confirm', refused: 'Refused', bad: 'Enter minutes from 1 to',
    state_requested: 'to send', state_sent: 'awaiting confirmation', state_confirmed: 'confirmed', state_refused: 'refused',
    state_failed: 'not confirmed', state_cancelled: 'cancelled', safety: 'safety stop',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key];
const MAY_COMMAND = ['admin', 'technician', 'farmer'];

function stateText(c) {
  if (!c.state) return tx('unknown');
  if (c.cmd === 'valve') return c.state.on ? tx('opened') : tx('closed');
  return c.state.on ? tx('running') : tx('stopped');
}

function commandLine(c, names) {
  const verb = c.cmd === 'valve' ? (c.action === 'on' ? tx('open') : tx('close')) : (c.action === 'on' ? tx('on') : tx('off'));
  const reason = getLang() === 'vi' ? (c.reasonVi ?? c.reason) : c.reason;
  return el('li', { 'data-command': c.id, 'data-state': c.state },
    `${formatTime(c.requestedAt)} — ${names.get(c.deviceId) ?? c.deviceId}: ${verb}${c.minutes ? ` ${c.minutes} ${tx('minutes')}` : ''}`,
    ` — ${tx(`state_${c.state}`)}`, c.origin === 'safety' ? ` (${tx('safety')})` : '',
    reason && (c.state === 'refused' || c.state === 'failed') ? el('span', { class: 'command-reason' }, ` — ${reason}`) : null);
}

/** The control block of a field; empty (hidden) when the field has no pump or valve controller. */
export function controlPanel(fieldId) {
  const section = el('section', { class: 'control-panel', 'aria-label': tx('title'), hidden: true });
  const status = el('p', { class: 'control-status', role: 'status' });
  const automation = automationBlock(fieldId); // built once, moved along on each redraw (keeps what is typed)
  section.addEventListener('control-changed', () => { void refresh().catch(() => undefined); }); // a new maximum
  let role;
  let timer;

  async function send(device, action, minutes, maxMinutes) {
    if (action === 'on' && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= maxMinutes)) {
      status.textContent = `${tx('bad')} ${maxMinutes}`;
      return;
    }
    try {
      await api(`/devices/${encodeURIComponent(device.id)}/commands`, { method: 'POST', body: JSON.stringify(action === 'on' ? { action, minutes } : { action }) });
      status.textContent = tx('sent');
      await refresh();
    } catch (err) {
      if (err.status !== 409) { status.textContent = err.message; return; }
      const view = await refresh();
      const refused = view?.commands.find((c) => c.deviceId === device.id && c.state === 'refused');
      status.textContent = `${tx('refused')}: ${(getLang() === 'vi' ? refused?.reasonVi : refused?.reason) ?? err.message}`;
    }
  }

  function controllerRow(c, maxMinutes) {
    const minutes = el('input', { type: 'number', min: '1', max: String(maxMinutes), step: '1', value: '30', inputmode: 'numeric', 'aria-label': tx('minutes'), class: 'control-minutes' });
    const onLabel = c.cmd === 'valve' ? tx('open') : tx('on');
    const offLabel = c.cmd === 'valve' ? tx('close') : tx('off');
    const buttons = MAY_COMMAND.includes(role) ? [
      minutes, el('span', {}, ` ${tx('minutes')} `),
      el('button', { type: 'button', class: 'control-on', onclick: () => send(c, 'on', Number(minutes.value), maxMinutes) }, onLabel),
      el('button', { type: 'button', class: 'control-off', onclick: () => send(c, 'off', null, maxMinutes) }, offLabel),
    ] : [];
    return el('div', { class: 'controller', 'data-device': c.id },
      el('strong', {}, c.name), ' — ', el('span', { class: 'controller-state' }, stateText(c)), el('div', { class: 'controller-actions' }, buttons));
  }

  async function refresh() {
    if (role === undefined) role = (await api('/me')).role;
    const view = await api(`/fields/${encodeURIComponent(fieldId)}/commands?limit=10`);
    if (!section.isConnected && section.dataset.drawn) return view; // the page moved on
    section.dataset.drawn = '1';
    section.hidden = view.controllers.length === 0;
    const names = new Map(view.controllers.map((c) => [c.id, c.name]));
    const list = view.commands.length ? el('ul', { class: 'command-list' }, view.commands.map((c) => commandLine(c, names))) : el('p', { class: 'muted' }, tx('none'));
    section.replaceChildren(el('h3', {}, tx('title')), ...view.controllers.map((c) => controllerRow(c, view.maxMinutes)), status, el('h4', {}, tx('last')), list, automation.node);
    automation.update(view, role);
    window.clearTimeout(timer);
    if (view.commands.some((c) => c.state === 'requested' || c.state === 'sent')) timer = setTimeout(() => { void refresh().catch(() => undefined); }, 2000);
    return view;
  }

  void refresh().catch((err) => console.warn(err));
  return section;
}
