// The field page's automatic mode, maximum run time and schedules (issue 17, docs/irrigation-control.md), inside
// the pump and valve block of field-control.js. Roles mirror the API exactly: automatic mode and the maximum
// (PUT /fields/:id/control) for admins and technicians; schedules added and removed (POST /fields/:id/schedules,
// DELETE /schedules/:id) by admins, technicians and farmers (a farmer sees only their own fields); everyone else
// reads them. The current settings come from GET /fields/:id/commands (automatic, maxMinutes — the maximum in
// force: the API does not say whether it is the field's own or the platform's, so the box shows the one in force
// and an emptied box saves "the platform's"). The API's 400 reasons are shown, in Vietnamese for the ones known
// here. The block is built once and moved along when field-control.js redraws, so typing survives its reloads.
/* global CustomEvent */
import { api } from './api.js';
import { el } from './dom.js';
import { getLang } from './i18n.js';

const TEXT = {
  vi: {
    settings: 'Cài đặt điều khiển', minutesLabel: 'Số phút mỗi lần chạy', auto: 'Chế độ tự động', autoHint: 'khi khuyến nghị báo cần tưới, hệ thống tự bật bơm cho lượng nước khuyến nghị', autoOn: 'Bật', autoOff: 'Tắt',
    max: 'Thời gian chạy tối đa', maxHint: 'phút; để trống = mặc định của hệ thống', minutes: 'phút', save: 'Lưu', saved: 'Đã lưu',
    badMax: 'Thời gian chạy tối đa: nhập số phút từ 1 đến 240, hoặc để trống',
    schedules: 'Lịch chạy', noSchedules: 'Chưa có lịch nào', cron: 'Lịch (cron)', cronHint: 'phút giờ ngày tháng thứ, giờ Việt Nam — ví dụ 0 5 * * * = 05:00 mỗi ngày',
    device: 'Thiết bị', add: 'Thêm lịch', added: 'Đã thêm lịch', remove: 'Xoá', removed: 'Đã xoá lịch', error: 'Không lưu được',
    everyDay: 'mỗi ngày', dayOfMonth: 'ngày {d} hằng tháng', and: 'và',
    weekdays: ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'],
    issue_cron: 'lịch (cron) không hợp lệ: cần 5 trường phút giờ ngày tháng thứ',
    issue_minutes: 'số phút phải là số nguyên từ 1 đến 240', issue_maxRunMin: 'thời gian tối đa phải là số nguyên từ 1 đến 240',
    aboveMax: '{m} phút vượt thời gian chạy tối đa {max} phút của ruộng', notController: '{d} không phải máy bơm hay van của ruộng này',
    tooClose: 'hai lần chạy chỉ cách nhau {gap} phút; phải cách ít nhất {least} phút (thời gian chạy {m} phút, tối thiểu 15 phút)',
    tooMany: 'ruộng đã có {n} lịch, số lịch tối đa cho một ruộng', aboveSystem: '{m} phút vượt thời gian chạy tối đa {max} phút của hệ thống (mỗi ruộng chỉ được đặt thấp hơn)',
    forbidden: 'Tài khoản của bạn không được thay đổi cài đặt này',
  },
  en: {
    settings: 'Control settings', minutesLabel: 'Minutes per run', auto: 'Automatic mode', autoHint: 'when the advice says irrigate, the platform runs the pump for the advised water', autoOn: 'On', autoOff: 'Off',
    max: 'Maximum run time', maxHint: 'minutes; empty = the platform default', minutes: 'min', save: 'Save', saved: 'Saved',
    badMax: 'Maximum run time: enter minutes from 1 to 240, or leave it empty',
    schedules: 'Schedules', noSchedules: 'No schedule yet', cron: 'When (cron)', cronHint: 'minute hour day month weekday, Vietnam time — e.g. 0 5 * * * = 05:00 every day',
    device: 'Device', add: 'Add schedule', added: 'Schedule added', remove: 'Remove', removed: 'Schedule removed', error: 'Not saved',
    everyDay: 'every day', dayOfMonth: 'on day {d} of each month', and: 'and',
    weekdays: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    issue_cron: null, issue_minutes: null, issue_maxRunMin: null, aboveMax: null, notController: null,
    forbidden: 'Your account may not change this setting',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key];
const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));
const MAY_SET_CONTROL = ['admin', 'technician']; // PUT /fields/:id/control
const MAY_SCHEDULE = ['admin', 'technician', 'farmer']; // POST /fields/:id/schedules, DELETE /schedules/:id

/** A human hint for the simple crons ("0 5 * * *" → "05:00 mỗi ngày"); null when it is not simple. */
export function cronHint(expr) {
  let parts = String(expr).trim().split(/\s+/);
  if (parts.length === 6) {
    if (parts[0] !== '0') return null;
    parts = parts.slice(1);
  }
  if (parts.length !== 5) return null;
  const [min, hour, dom, month, dow] = parts;
  if (!/^\d{1,2}$/.test(min) || !/^\d{1,2}(,\d{1,2})*$/.test(hour) || month !== '*') return null;
  const times = hour.split(',').map((h) => `${h.padStart(2, '0')}:${min.padStart(2, '0')}`).join(` ${tx('and')} `);
  if (dom === '*' && dow === '*') return `${times} ${tx('everyDay')}`;
  if (/^\d{1,2}$/.test(dom) && dow === '*') return `${times} ${fill(tx('dayOfMonth'), { d: dom })}`;
  if (dom !== '*') return null;
  const names = tx('weekdays');
  const day = (d) => names[Number(d) % 7];
  if (/^[0-7]-[0-7]$/.test(dow)) { const [a, b] = dow.split('-'); return `${times} ${day(a)}–${day(b)}`; }
  if (/^[0-7](,[0-7])*$/.test(dow)) return `${times} ${dow.split(',').map(day).join(', ')}`;
  return null;
}

/** The API's reason for a refused write, in the page's language where it is known here. */
function reasonOf(err) {
  if (err.status === 403) return tx('forbidden');
  if (getLang() !== 'vi') return err.message;
  const known = (err.issues ?? []).map((i) => tx(`issue_${i.field}`)).filter(Boolean);
  if (known.length && known.length === err.issues.length) return known.join('; ');
  let m = /^minutes: (\d+) is above the field's (\d+) min maximum/.exec(err.message ?? '');
  if (m) return fill(tx('aboveMax'), { m: m[1], max: m[2] });
  m = /^deviceId: (.+) is not a pump or valve controller of this field/.exec(err.message ?? '');
  if (m) return fill(tx('notController'), { d: m[1] });
  m = /^cron: runs (\d+) min apart; two runs must be at least (\d+) min apart \(the run's (\d+) min/.exec(err.message ?? '');
  if (m) return fill(tx('tooClose'), { gap: m[1], least: m[2], m: m[3] });
  m = /^schedules: the field already has (\d+) schedules/.exec(err.message ?? '');
  if (m) return fill(tx('tooMany'), { n: m[1] });
  m = /^maxRunMin: (\d+) is above the platform's (\d+) min maximum/.exec(err.message ?? '');
  if (m) return fill(tx('aboveSystem'), { m: m[1], max: m[2] });
  return err.message;
}

/** The block: `update(view, role)` with GET /fields/:id/commands' answer draws it (the settings once, then after each save). */
export function automationBlock(fieldId) {
  const node = el('div', { class: 'automation' });
  const settings = el('div', { class: 'automation-settings' });
  const schedules = el('div', { class: 'schedules' });
  node.append(settings, schedules);
  let drawn = false;
  let role;
  let controllers = [];

  function drawSettings(view) {
    const onOff = view.automatic ? tx('autoOn') : tx('autoOff');
    if (!MAY_SET_CONTROL.includes(role)) {
      settings.replaceChildren(el('h4', {}, tx('settings')),
        el('p', { class: 'automation-mode', 'data-automatic': String(view.automatic) }, `${tx('auto')}: `, el('strong', {}, onOff)),
        el('p', { class: 'automation-max' }, `${tx('max')}: `, el('strong', {}, `${view.maxMinutes} ${tx('minutes')}`)));
      return;
    }
    const automatic = el('input', { type: 'checkbox', name: 'automatic', checked: view.automatic });
    const max = el('input', { type: 'number', name: 'maxRunMin', min: '1', max: '240', step: '1', inputmode: 'numeric', value: String(view.maxMinutes), class: 'automation-max-input' });
    const status = el('p', { class: 'automation-status', role: 'status' });
    const form = el('form', { class: 'automation-form', novalidate: true },
      el('label', { class: 'inline' }, automatic, el('span', {}, el('strong', {}, tx('auto')), el('br'), el('small', { class: 'muted' }, tx('autoHint')))),
      el('label', {}, tx('max'), el('span', { class: 'inline-row' }, max, el('small', { class: 'muted' }, tx('maxHint')))),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'automation-save' }, tx('save'))), status);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const raw = max.value.trim();
      const maxRunMin = raw === '' ? null : Number(raw);
      if (maxRunMin !== null && !(Number.isInteger(maxRunMin) && maxRunMin >= 1 && maxRunMin <= 240)) { status.textContent = tx('badMax'); return; }
      form.setAttribute('aria-busy', 'true');
      try {
        const set = await api(`/fields/${encodeURIComponent(fieldId)}/control`, { method: 'PUT', body: JSON.stringify({ maxRunMin, automatic: automatic.checked }) });
        automatic.checked = set.automatic;
        max.value = String(set.maxMinutes);
        status.textContent = `${tx('saved')}: ${tx('auto')} ${set.automatic ? tx('autoOn') : tx('autoOff')}, ${tx('max')} ${set.maxMinutes} ${tx('minutes')}`;
        node.dispatchEvent(new CustomEvent('control-changed', { bubbles: true }));
      } catch (err) {
        status.textContent = `${tx('error')}: ${reasonOf(err)}`;
      } finally {
        form.removeAttribute('aria-busy');
      }
    });
    settings.replaceChildren(el('h4', {}, tx('settings')), form);
  }

  async function drawSchedules(message) {
    const { schedules: list } = await api(`/fields/${encodeURIComponent(fieldId)}/schedules`);
    const names = new Map(controllers.map((c) => [c.id, c.name]));
    const may = MAY_SCHEDULE.includes(role);
    const status = el('p', { class: 'schedule-status', role: 'status' }, message ?? '');
    const items = list.map((s) => {
      const hint = cronHint(s.cron);
      const remove = may ? el('button', { type: 'button', class: 'link schedule-remove', onclick: async () => {
        try {
          await api(`/schedules/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
          await drawSchedules(tx('removed'));
        } catch (err) {
          status.textContent = `${tx('error')}: ${reasonOf(err)}`;
        }
      } }, tx('remove')) : null;
      return el('li', { 'data-schedule': s.id, 'data-cron': s.cron },
        el('code', {}, s.cron), hint ? ` (${hint})` : '', ` — ${names.get(s.deviceId) ?? s.deviceId}, ${s.minutes} ${tx('minutes')} `, remove);
    });
    const parts = [el('h4', {}, tx('schedules')), list.length ? el('ul', { class: 'schedule-list' }, items) : el('p', { class: 'muted schedule-none' }, tx('noSchedules'))];
    if (may && controllers.length) {
      const cron = el('input', { type: 'text', name: 'cron', value: '0 5 * * *', autocomplete: 'off', spellcheck: 'false', class: 'schedule-cron' });
      const minutes = el('input', { type: 'number', name: 'minutes', min: '1', max: '240', step: '1', inputmode: 'numeric', value: '30', class: 'schedule-minutes' });
      const device = el('select', { name: 'deviceId' }, controllers.map((c) => el('option', { value: c.id }, c.name)));
      const form = el('form', { class: 'schedule-form', novalidate: true },
        el('label', {}, tx('cron'), cron, el('small', { class: 'muted' }, tx('cronHint'))),
        el('label', {}, tx('minutesLabel'), minutes),
        el('label', {}, tx('device'), device),
        el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'schedule-add' }, tx('add'))));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        form.setAttribute('aria-busy', 'true');
        try {
          await api(`/fields/${encodeURIComponent(fieldId)}/schedules`, { method: 'POST', body: JSON.stringify({ deviceId: device.value, cron: cron.value, minutes: Number(minutes.value) }) });
          await drawSchedules(tx('added'));
        } catch (err) {
          status.textContent = `${tx('error')}: ${reasonOf(err)}`;
        } finally {
          form.removeAttribute('aria-busy');
        }
      });
      parts.push(form);
    }
    parts.push(status);
    schedules.replaceChildren(...parts);
    schedules.dataset.loaded = String(list.length);
  }

  return {
    node,
    /** Called by field-control.js after each load of the field's commands. */
    update(view, userRole) {
      controllers = view.controllers;
      if (drawn) return;
      drawn = true;
      role = userRole;
      drawSettings(view);
      void drawSchedules().catch((err) => { schedules.replaceChildren(el('p', { class: 'muted' }, `${tx('schedules')}: ${err.message}`)); });
    },
  };
}
