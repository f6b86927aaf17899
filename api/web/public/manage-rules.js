// Alert rules screen (issue 16, README "Rules and alerts"): for one field, the rules that apply there — the
// defaults every cooperative starts with (per crop and device kind) and the overrides per farm, field or device,
// marked — from GET /rules?fieldId=, which flags the one in force per key. Admins and technicians change a
// rule's thresholds for this field: PUT /rules/:id of an override scoped to the field (same key, so it wins
// over the default; rules/rule-schema.ts) — the API validates it with the engine's own zod schema and its
// messages are shown next to the input they name — and delete the field's override (the default applies again).
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
  },
  en: {
    title: 'Alert rules', field: 'Field', origin_default: 'Default', origin_override: 'Override', origin_cooperative: 'Cooperative',
    inForce: 'in force', overridden: 'overridden by the rule above', scopeField: 'for this field', scopeFarm: 'for the whole farm', scopeDevice: 'for device',
    save: 'Save override for this field', remove: 'Delete override (back to default)', saved: 'Saved', removed: 'Override deleted', off: 'switched off',
    enabled: 'Rule on', none: 'No rules apply to this field', readOnly: 'Only technicians and admins may change rules.', noFields: 'No fields yet',
    p_above: 'Alert above', p_below: 'Alert below', p_hysteresis: 'Hysteresis', p_thresholdCm: 'AWD threshold (cm, ≤ 0)', p_thresholdC: 'Temperature threshold (°C)',
    p_maxChange: 'Largest change', p_factor: 'Missed reports', p_applicationEfficiency: 'Application efficiency (0–1)', p_hysteresisPermil: 'Salinity hysteresis (‰)',
    p_depletionFraction: 'Depletion fraction p (0–1)',
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

/** The id of this field's override of `key`: the cooperative's prefix, then only characters RuleId allows. */
const overrideId = (coopId, fieldId, key) => `${coopId}:field.${fieldId}.${key}`.replace(/[^A-Za-z0-9._:@-]/g, '_').slice(0, 128);

function ruleForm(rule, field, ctx) {
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
  const mineHere = rule.origin === 'override' && rule.scope.fieldId === field.id;
  const form = el('form', { class: 'rule-form', 'data-rule-form': rule.key }, rows,
    el('label', { class: 'inline' }, enabled, el('span', {}, tx('enabled'))),
    el('div', { class: 'actions wrap' }, el('button', { type: 'submit', 'data-action': 'save-rule' }, tx('save')), status), general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    general.textContent = '';
    status.textContent = '';
    for (const box of issueBoxes.values()) box.textContent = '';
    const scope = Object.fromEntries(Object.entries(rule.scope).filter(([k]) => !TARGETS.includes(k)));
    const body = { ...d, key: rule.key, scope: { ...scope, fieldId: field.id }, enabled: enabled.checked };
    delete body.id;
    for (const [name, input] of inputs) {
      if (input.value.trim() === '') delete body[name];
      else body[name] = Number(input.value); // a non-number stays for the schema to name
    }
    const id = mineHere ? rule.id : overrideId(ctx.coopId, field.id, rule.key);
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

function ruleCard(rule, others, field, ctx) {
  const d = rule.definition;
  const params = (TUNABLE[rule.kind] ?? (() => []))(d);
  const values = params.map(([name, dflt]) => [name, d[name] ?? dflt]).filter(([, v]) => v !== undefined);
  const canEdit = MANAGERS.includes(ctx.me.role);
  const removable = canEdit && rule.origin === 'override' && rule.scope.fieldId === field.id;
  const remove = removable ? el('button', { type: 'button', class: 'secondary', 'data-action': 'delete-rule' }, tx('remove')) : null;
  remove?.addEventListener('click', async () => {
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
  return el('article', { class: `rule-card origin-${rule.origin}`, 'data-rule-key': rule.key, 'data-rule-id': rule.id, 'data-origin': rule.origin },
    el('h3', {}, d.name ?? rule.key, ' ', el('span', { class: `badge origin ${rule.origin}` }, tx(`origin_${rule.origin}`))),
    el('p', { class: 'sub' }, `${rule.kind} · ${scopeText(rule.scope)} · ${rule.enabled ? tx('inForce') : tx('off')}`),
    values.length ? el('p', { class: 'rule-values' }, values.map(([n, v], i) => [i ? ' · ' : '', `${tx(`p_${n}`)}: `, el('strong', { 'data-value-of': n }, formatNumber(v, 3))]).flat()) : null,
    others.map((o) => el('p', { class: 'sub overridden', 'data-overridden-id': o.id }, `${tx(`origin_${o.origin}`)} (${scopeText(o.scope)}) — ${tx('overridden')}`)),
    canEdit && params.length ? ruleForm(rule, field, ctx) : null,
    remove);
}

let lastFieldId; // the field chosen last, kept across reloads of the screen

/** Draws the screen for the field of `#/manage/rules?field=ID` (else the last or first field). */
export async function showManageRules(view, { me, stale }) {
  const asked = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('field');
  const { fields } = await api('/fields');
  if (stale()) return;
  const field = fields.find((f) => f.id === (asked ?? lastFieldId)) ?? fields[0];
  const head = el('div', { class: 'page-head' }, el('h2', {}, tx('title')));
  if (!field) { view.replaceChildren(head, el('p', { class: 'muted' }, tx('noFields'))); return; }
  lastFieldId = field.id;
  const { rules } = await api(`/rules?fieldId=${encodeURIComponent(field.id)}`);
  if (stale()) return;
  const select = el('select', { id: 'rules-field', 'aria-label': tx('field') }, fields.map((f) => el('option', { value: f.id, selected: f.id === field.id || undefined }, `${f.name} (${cropName(f.crop)})`)));
  select.addEventListener('change', () => { window.location.hash = `#/manage/rules?field=${encodeURIComponent(select.value)}`; });
  const note = el('p', { class: 'muted small', role: 'status', id: 'rules-status' });
  const ctx = {
    me, coopId: me.cooperative?.id,
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
    return shown.map((r, i) => ruleCard(r, i === 0 ? rest : [], field, ctx));
  });
  view.replaceChildren(...[head,
    el('label', { class: 'inline-select' }, el('span', {}, tx('field')), select),
    MANAGERS.includes(me.role) ? null : el('p', { class: 'muted' }, tx('readOnly')),
    note,
    ...(cards.length ? cards : [el('p', { class: 'muted' }, tx('none'))])].filter(Boolean));
}
