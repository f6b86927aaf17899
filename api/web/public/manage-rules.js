// Alert rules screen (issue 16, README "Rules and alerts"): for one field, or one device of it, the rules that
// apply there — the defaults every cooperative starts with (per crop and device kind) and the overrides per farm,
// field or device, each marked with the level it comes from — from GET /rules?fieldId= (or ?deviceId=), which
// flags the one in force per key (device > field > farm > default, rules/rule-context.ts). Admins and technicians
// choose the level of a new override (the field's farm, the field, or a device of the field) and change a rule's
// thresholds there: PUT /rules/:id of an override scoped to that farm, field or device (same key, so it wins over
// the less specific ones; rules/rule-schema.ts) — the API validates it with the engine's own zod schema and its
// messages are shown next to the input they name — and delete an override at any level (the next one applies).
// Other roles read only (the API answers 403 to their writes anyway).
import { api } from './api.js';
import { el } from './dom.js';
import { cropName, formatNumber, getLang } from './i18n.js';
import { issuesOf } from './manage.js';

const TEXT = {
  vi: {
    title: 'Quy tắc cảnh báo', field: 'Ruộng', origin_default: 'Mặc định', origin_override: 'Ghi đè', origin_cooperative: 'Của HTX',
    inForce: 'đang áp dụng', overridden: 'bị ghi đè bởi quy tắc trên', scopeField: 'cho ruộng này', scopeFarm: 'cho cả trại', scopeDevice: 'cho thiết bị',
    save: 'Lưu ghi đè cho ruộng này', remove: 'Xoá ghi đè (về mặc định)', saved: 'Đã lưu', removed: 'Đã xoá ghi đè', off: 'đang tắt',
    enabled: 'Bật quy tắc', none: 'Không có quy tắc nào áp dụng cho ruộng này', readOnly: 'Chỉ cán bộ kỹ thuật và quản trị được sửa quy tắc.', noFields: 'Chưa có ruộng nào',
    p_above: 'Báo khi lớn hơn', p_below: 'Báo khi nhỏ hơn', p_hysteresis: 'Độ trễ (hysteresis)', p_thresholdCm: 'Ngưỡng AWD (cm, ≤ 0)', p_thresholdC: 'Ngưỡng nhiệt độ (°C)',
    p_maxChange: 'Thay đổi tối đa', p_factor: 'Số lần báo bị lỡ', p_applicationEfficiency: 'Hiệu suất tưới (0–1)', p_hysteresisPermil: 'Độ trễ độ mặn (‰)',
    p_depletionFraction: 'Hệ số cạn kiệt p (0–1)',
    target: 'Ghi đè ở mức', target_farm: 'Cả trại của ruộng', target_field: 'Ruộng này', target_device: 'Thiết bị',
    level_farm: 'Mức trại', level_field: 'Mức ruộng', level_device: 'Mức thiết bị',
    save_farm: 'Lưu ghi đè cho cả trại', save_device: 'Lưu ghi đè cho thiết bị này', removeOther: 'Xoá ghi đè này',
  },
  en: {
    title: 'Alert rules', field: 'Field', origin_default: 'Default', origin_override: 'Override', origin_cooperative: 'Cooperative',
    inForce: 'in force', overridden: 'overridden by the rule above', scopeField: 'for this field', scopeFarm: 'for the whole farm', scopeDevice: 'for device',
    save: 'Save override for this field', remove: 'Delete override (back to default)', saved: 'Saved', removed: 'Override deleted', off: 'switched off',
    enabled: 'Rule on', none: 'No rules apply to this field', readOnly: 'Only technicians and admins may change rules.', noFields: 'No fields yet',
    p_above: 'Alert above', p_below: 'Alert below', p_hysteresis: 'Hysteresis', p_thresholdCm: 'AWD threshold (cm, ≤ 0)', p_thresholdC: 'Temperature threshold (°C)',
    p_maxChange: 'Largest change', p_factor: 'Missed reports', p_applicationEfficiency: 'Application efficiency (0–1)', p_hysteresisPermil: 'Salinity hysteresis (‰)',
    p_depletionFraction: 'Depletion fraction p (0–1)',
    target: 'Override at level', target_farm: 'The field\'s whole farm', target_field: 'This field', target_device: 'Device',
    level_farm: 'Farm level', level_field: 'Field level', level_device: 'Device level',
    save_farm: 'Save override for the whole farm', save_device: 'Save override for this device', removeOther: 'Delete this override',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key] ?? key;

/** The thresholds a person tunes, per rule kind, with the schema's defaults (rules/rule-schema.ts). */
const TUNABLE = {
  threshold: (d) => [d.above !== undefined ? ['above', undefined] : ['below', undefined], ['hysteresis', 0]],
  awd: () => [['thresholdCm', -15]],
  rice_heat: () => [['thresholdC', 35]],
  coffee_frost: () => [['thresholdC', 2]],
  battery_low: () => [['below', 20], ['hysteresis', 5]],
  rate_of_change: () => [['maxChange', undefined]],
  missing_data: () => [['factor', undefined]],
  soil_water: () => [['applicationEfficiency', 0.9], ['depletionFraction', undefined]],
  canal_salinity: () => [['hysteresisPermil', 0.2]],
};
const MANAGERS = ['admin', 'technician'];
const TARGETS = ['farmId', 'fieldId', 'deviceId'];

function scopeText(scope) {
  if (scope.fieldId) return tx('scopeField');
  if (scope.farmId) return tx('scopeFarm');
  if (scope.deviceId) return `${tx('scopeDevice')} ${scope.deviceId}`;
  return [scope.crop && cropName(scope.crop), scope.deviceKind].filter(Boolean).join(' · ');
}

/** The level an override comes from (the most specific target its scope names), or null for a default. */
const levelOf = (scope) => (scope.deviceId ? 'device' : scope.fieldId ? 'field' : scope.farmId ? 'farm' : null);
const levelBadge = (scope) => {
  const level = levelOf(scope);
  return level ? el('span', { class: `badge level ${level}`, 'data-level': level }, tx(`level_${level}`)) : null;
};

/** The id of a new override of `key` for a target: the cooperative's prefix, then only characters RuleId allows. */
const overrideId = (coopId, target, key) => `${coopId}:${target.level}.${target.id}.${key}`.replace(/[^A-Za-z0-9._:@-]/g, '_').slice(0, 128);

/** A button deleting one override (PUT's counterpart; the next most specific rule of its key applies again). */
function deleteButton(rule, label, ctx) {
  const remove = el('button', { type: 'button', class: 'secondary', 'data-action': 'delete-rule', 'data-delete-id': rule.id }, label);
  remove.addEventListener('click', async () => {
    remove.disabled = true;
    try {
      await api(`/rules/${encodeURIComponent(rule.id)}`, { method: 'DELETE' });
    } catch (err) {
      remove.disabled = false;
      remove.after(el('span', { class: 'error' }, err.message));
      return;
    }
    await ctx.reload(tx('removed'));
  });
  return remove;
}

function ruleForm(rule, group, ctx) {
  const { target } = ctx;
  const d = rule.definition;
  const params = (TUNABLE[rule.kind] ?? (() => []))(d);
  const general = el('p', { class: 'error', role: 'alert', 'data-form-error': '' });
  const status = el('span', { class: 'muted small', role: 'status' });
  const inputs = new Map();
  const issueBoxes = new Map();
  const enabled = el('input', { type: 'checkbox', name: 'enabled', checked: rule.enabled || undefined });
  const rows = params.map(([name, dflt]) => {
    const value = d[name] ?? dflt;
    const input = el('input', { type: 'number', step: 'any', name, value: value ?? '', inputmode: 'decimal' });
    const issue = el('span', { class: 'field-error', 'data-issue-for': name });
    inputs.set(name, input);
    issueBoxes.set(name, issue);
    return el('label', {}, el('span', {}, tx(`p_${name}`)), input, issue);
  });
  // The override of this key already set at the chosen level is replaced (the API refuses a second one).
  const existing = group.find((r) => r.origin === 'override' && levelOf(r.scope) === target.level && r.scope[`${target.level}Id`] === target.id);
  const saveText = target.level === 'field' ? tx('save') : tx(`save_${target.level}`);
  const form = el('form', { class: 'rule-form', 'data-rule-form': rule.key }, rows,
    el('label', { class: 'inline' }, enabled, el('span', {}, tx('enabled'))),
    el('div', { class: 'actions wrap' }, el('button', { type: 'submit', 'data-action': 'save-rule' }, saveText), status), general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    general.textContent = '';
    status.textContent = '';
    for (const box of issueBoxes.values()) box.textContent = '';
    const scope = Object.fromEntries(Object.entries(rule.scope).filter(([k]) => !TARGETS.includes(k)));
    const body = { ...d, key: rule.key, scope: { ...scope, [`${target.level}Id`]: target.id }, enabled: enabled.checked };
    delete body.id;
    for (const [name, input] of inputs) {
      if (input.value.trim() === '') delete body[name];
      else body[name] = Number(input.value); // a non-number stays for the schema to name
    }
    const id = existing ? existing.id : overrideId(ctx.coopId, target, rule.key);
    try {
      await api(`/rules/${encodeURIComponent(id)}`, { method: 'PUT', body: JSON.stringify(body) });
    } catch (err) {
      const issues = issuesOf(err);
      if (!issues) { general.textContent = err.message; return; }
      const rest = [];
      for (const i of issues) {
        const box = issueBoxes.get(String(i.field).split('.').pop());
        if (box) box.textContent = i.message; else rest.push(`${i.field}: ${i.message}`);
      }
      general.textContent = rest.join('; ');
      return;
    }
    await ctx.reload(tx('saved'));
  });
  return form;
}

function ruleCard(rule, others, group, ctx) {
  const d = rule.definition;
  const params = (TUNABLE[rule.kind] ?? (() => []))(d);
  const values = params.map(([name, dflt]) => [name, d[name] ?? dflt]).filter(([, v]) => v !== undefined);
  const canEdit = MANAGERS.includes(ctx.me.role);
  const removable = (r) => canEdit && r.origin === 'override';
  const level = levelOf(rule.scope);
  return el('article', { class: `rule-card origin-${rule.origin}`, 'data-rule-key': rule.key, 'data-rule-id': rule.id, 'data-origin': rule.origin, 'data-level': level ?? undefined },
    el('h3', {}, d.name ?? rule.key, ' ', el('span', { class: `badge origin ${rule.origin}` }, tx(`origin_${rule.origin}`)), level ? ' ' : null, levelBadge(rule.scope)),
    el('p', { class: 'sub' }, `${rule.kind} · ${scopeText(rule.scope)} · ${rule.enabled ? tx('inForce') : tx('off')}`),
    values.length ? el('p', { class: 'rule-values' }, values.map(([n, v], i) => [i ? ' · ' : '', `${tx(`p_${n}`)}: `, el('strong', { 'data-value-of': n }, formatNumber(v, 3))]).flat()) : null,
    others.map((o) => el('p', { class: 'sub overridden', 'data-overridden-id': o.id, 'data-level': levelOf(o.scope) ?? undefined },
      `${tx(`origin_${o.origin}`)} (${scopeText(o.scope)}) — ${tx('overridden')}`, removable(o) ? [' ', deleteButton(o, tx('removeOther'), ctx)] : null)),
    canEdit && params.length ? ruleForm(rule, group, ctx) : null,
    removable(rule) ? deleteButton(rule, tx('remove'), ctx) : null);
}

let lastFieldId; // the field chosen last, kept across reloads of the screen
let lastTarget; // the override level chosen last ('farm', 'field' or 'device:ID'), kept with its field

/** Draws the screen for the field of `#/manage/rules?field=ID&target=farm|field|device:ID` (else the last or first field). */
export async function showManageRules(view, { me, stale }) {
  const query = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  const asked = query.get('field');
  const { fields } = await api('/fields');
  if (stale()) return;
  const field = fields.find((f) => f.id === (asked ?? lastFieldId)) ?? fields[0];
  const head = el('div', { class: 'page-head' }, el('h2', {}, tx('title')));
  if (!field) { view.replaceChildren(head, el('p', { class: 'muted' }, tx('noFields'))); return; }
  const sameField = field.id === lastFieldId;
  lastFieldId = field.id;
  const { devices } = await api('/devices');
  if (stale()) return;
  const fieldDevices = devices.filter((dv) => dv.fieldId === field.id && !dv.revoked);
  // The level a new override is set at; a device-level choice also shows the rules in force for that device.
  const wanted = query.get('target') ?? (sameField ? lastTarget : undefined) ?? 'field';
  const device = wanted.startsWith('device:') ? fieldDevices.find((dv) => `device:${dv.id}` === wanted) : undefined;
  const target = device ? { level: 'device', id: device.id } : wanted === 'farm' ? { level: 'farm', id: field.farmId } : { level: 'field', id: field.id };
  lastTarget = device ? `device:${device.id}` : target.level;
  const { rules } = await api(device ? `/rules?deviceId=${encodeURIComponent(device.id)}` : `/rules?fieldId=${encodeURIComponent(field.id)}`);
  if (stale()) return;
  const select = el('select', { id: 'rules-field', 'aria-label': tx('field') }, fields.map((f) => el('option', { value: f.id, selected: f.id === field.id || undefined }, `${f.name} (${cropName(f.crop)})`)));
  // The cards on screen belong to the field (and level) they were drawn for: they go at once when another is
  // chosen, so nothing typed or clicked during the redraw lands on the previous field's rules.
  const leave = (hash) => {
    if (window.location.hash === hash) return;
    for (const card of view.querySelectorAll('[data-rule-key]')) card.remove();
    window.location.hash = hash;
  };
  select.addEventListener('change', () => leave(`#/manage/rules?field=${encodeURIComponent(select.value)}`));
  const targetSelect = el('select', { id: 'rules-target', 'aria-label': tx('target') },
    el('option', { value: 'farm', selected: target.level === 'farm' || undefined }, `${tx('target_farm')} (${field.farmName})`),
    el('option', { value: 'field', selected: target.level === 'field' || undefined }, tx('target_field')),
    fieldDevices.map((dv) => el('option', { value: `device:${dv.id}`, selected: dv.id === device?.id || undefined }, `${tx('target_device')}: ${dv.name} (${dv.id})`)));
  targetSelect.addEventListener('change', () => leave(`#/manage/rules?field=${encodeURIComponent(field.id)}&target=${encodeURIComponent(targetSelect.value)}`));
  const note = el('p', { class: 'muted small', role: 'status', id: 'rules-status' });
  const ctx = {
    me, coopId: me.cooperative?.id, target,
    reload: async (message) => { await showManageRules(view, { me, stale }); const s = view.querySelector('#rules-status'); if (s) s.textContent = message; },
  };
  // One card per rule in force (a key can be in force once per device kind, e.g. offline); the rules of the same
  // key that are not in force here are listed on its first card as overridden.
  const byKey = new Map();
  for (const r of rules) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const cards = [...byKey.values()].flatMap((group) => {
    const inForce = group.filter((r) => r.effective);
    const shown = inForce.length ? inForce : [group[0]];
    const rest = group.filter((r) => !shown.includes(r));
    return shown.map((r, i) => ruleCard(r, i === 0 ? rest : [], group, ctx));
  });
  view.replaceChildren(...[head,
    el('label', { class: 'inline-select' }, el('span', {}, tx('field')), select),
    el('label', { class: 'inline-select' }, el('span', {}, tx('target')), targetSelect),
    MANAGERS.includes(me.role) ? null : el('p', { class: 'muted' }, tx('readOnly')),
    note,
    ...(cards.length ? cards : [el('p', { class: 'muted' }, tx('none'))])].filter(Boolean));
}
