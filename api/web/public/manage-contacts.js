// Contacts and subscriptions (issue 16; admins and technicians — api/routes/contacts.ts): who receives alerts, on
// which channels (SMS phone, Zalo with consent, e-mail, webhook), in which language and outside which quiet hours
// (local time; only critical alerts are sent then), and what each one is subscribed to (the whole cooperative, a
// farm or a field; severities; events). Add, edit and delete a contact; add and remove subscriptions. The API's
// zod messages are shown next to the input they name (e-mail and URL inputs are plain text so that the API's
// message, in one wording for every browser, is the one shown).
import { api } from './api.js';
import { el } from './dom.js';
import { getLang } from './i18n.js';
import { issuesOf, showIssues } from './manage.js';

const TEXT = {
  vi: {
    title: 'Người nhận cảnh báo', add: 'Thêm người nhận', edit: 'Sửa người nhận', name: 'Tên', role: 'Vai trò', role_farmer: 'Nông dân', role_technician: 'Cán bộ kỹ thuật', role_integration: 'Hệ thống (webhook)',
    language: 'Ngôn ngữ', phone: 'Số điện thoại (SMS)', email: 'E-mail', webhookUrl: 'Địa chỉ webhook', zaloConsent: 'Đã đồng ý nhận Zalo', smsUnaccented: 'SMS không dấu',
    quietHours: 'Giờ yên lặng', from: 'Từ', to: 'Đến', save: 'Lưu', create: 'Thêm', cancel: 'Huỷ', del: 'Xoá', delQ: 'Xoá người nhận này và mọi đăng ký của họ?', yes: 'Xoá',
    subs: 'Nhận cảnh báo của', everything: 'Cả hợp tác xã', farm: 'Trại', field: 'Ruộng', all: '— tất cả —', severities: 'Mức độ', events: 'Sự kiện', subscribe: 'Thêm đăng ký', unsubscribe: 'Bỏ',
    severity_info: 'Thông tin', severity_warning: 'Cảnh báo', severity_critical: 'Khẩn cấp', event_opened: 'mở', event_acknowledged: 'xác nhận', event_resolved: 'xử lý xong', event_escalated: 'báo lên cấp trên',
    none: 'Chưa có người nhận nào', saved: 'Đã lưu', created: 'Đã thêm', bothTimes: 'Nhập cả giờ bắt đầu và giờ kết thúc', noSubs: 'Chưa đăng ký nhận gì',
  },
  en: {
    title: 'Alert contacts', add: 'Add a contact', edit: 'Edit contact', name: 'Name', role: 'Role', role_farmer: 'Farmer', role_technician: 'Technician', role_integration: 'System (webhook)',
    language: 'Language', phone: 'Phone (SMS)', email: 'E-mail', webhookUrl: 'Webhook URL', zaloConsent: 'Agreed to Zalo messages', smsUnaccented: 'SMS without diacritics',
    quietHours: 'Quiet hours', from: 'From', to: 'To', save: 'Save', create: 'Add', cancel: 'Cancel', del: 'Delete', delQ: 'Delete this contact and all their subscriptions?', yes: 'Delete',
    subs: 'Receives alerts of', everything: 'The whole cooperative', farm: 'Farm', field: 'Field', all: '— all —', severities: 'Severities', events: 'Events', subscribe: 'Add subscription', unsubscribe: 'Remove',
    severity_info: 'Info', severity_warning: 'Warning', severity_critical: 'Critical', event_opened: 'opened', event_acknowledged: 'acknowledged', event_resolved: 'resolved', event_escalated: 'escalated',
    none: 'No contacts yet', saved: 'Saved', created: 'Added', bothTimes: 'Give both the start and the end', noSubs: 'Not subscribed to anything',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key] ?? key;
const SEVERITIES = ['info', 'warning', 'critical'];
const EVENTS = ['opened', 'acknowledged', 'resolved', 'escalated'];

let editing = null; // the id of the contact in the form, or null for a new one

function contactForm(contact, reload) {
  const boxes = {};
  const labelled = (name, control) => { boxes[name] = el('span', { class: 'field-error', 'data-issue-for': name }); return el('label', {}, el('span', {}, tx(name)), control, boxes[name]); };
  const v = (x) => x ?? '';
  const check = (name) => el('label', { class: 'inline' }, el('input', { type: 'checkbox', name, checked: contact?.[name] || undefined }), el('span', {}, tx(name)));
  boxes.quietHours = el('span', { class: 'field-error', 'data-issue-for': 'quietHours' });
  const general = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'manage-form', id: 'contact-edit-form', 'data-editing': contact?.id ?? '' },
    el('h3', {}, contact ? `${tx('edit')}: ${contact.name}` : tx('add')),
    labelled('name', el('input', { name: 'name', required: true, maxlength: '100', value: v(contact?.name) })),
    labelled('role', el('select', { name: 'role' }, ['farmer', 'technician', 'integration'].map((r) => el('option', { value: r, selected: r === (contact?.role ?? 'farmer') || undefined }, tx(`role_${r}`))))),
    labelled('language', el('select', { name: 'language' }, ['vi', 'en'].map((l) => el('option', { value: l, selected: l === (contact?.language ?? 'vi') || undefined }, l === 'vi' ? 'Tiếng Việt' : 'English')))),
    labelled('phone', el('input', { name: 'phone', type: 'tel', value: v(contact?.phone) })),
    check('smsUnaccented'), check('zaloConsent'),
    labelled('email', el('input', { name: 'email', type: 'text', inputmode: 'email', autocomplete: 'off', value: v(contact?.email) })),
    labelled('webhookUrl', el('input', { name: 'webhookUrl', type: 'text', inputmode: 'url', value: v(contact?.webhookUrl) })),
    el('fieldset', { class: 'quiet' }, el('legend', {}, tx('quietHours')),
      el('label', {}, el('span', {}, tx('from')), el('input', { type: 'time', name: 'quietStart', value: v(contact?.quietHours?.start) })),
      el('label', {}, el('span', {}, tx('to')), el('input', { type: 'time', name: 'quietEnd', value: v(contact?.quietHours?.end) })), boxes.quietHours),
    el('div', { class: 'actions' }, el('button', { type: 'submit', 'data-action': 'save-contact' }, contact ? tx('save') : tx('create')),
      contact ? el('button', { type: 'button', class: 'secondary', onclick: () => { editing = null; void reload(); } }, tx('cancel')) : null),
    general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    general.textContent = '';
    for (const b of Object.values(boxes)) b.textContent = '';
    const data = new FormData(form);
    const text = (k) => String(data.get(k) ?? '').trim();
    if (Boolean(text('quietStart')) !== Boolean(text('quietEnd'))) { boxes.quietHours.textContent = tx('bothTimes'); return; }
    const body = {
      name: text('name'), role: text('role'), language: text('language'), phone: text('phone') || null, email: text('email') || null, webhookUrl: text('webhookUrl') || null,
      smsUnaccented: data.get('smsUnaccented') !== null, zaloConsent: data.get('zaloConsent') !== null,
      quietHours: text('quietStart') ? { start: text('quietStart'), end: text('quietEnd') } : null,
    };
    try {
      if (contact) await api(`/contacts/${encodeURIComponent(contact.id)}`, { method: 'PATCH', body: JSON.stringify(body) });
      else await api('/contacts', { method: 'POST', body: JSON.stringify(body) });
    } catch (err) {
      showIssues(err, boxes, general);
      return;
    }
    editing = null;
    await reload(contact ? tx('saved') : tx('created'));
  });
  return form;
}

function subscriptionForm(contact, farms, fields, reload) {
  const general = el('p', { class: 'error', role: 'alert' });
  const farm = el('select', { name: 'farmId' }, el('option', { value: '' }, tx('all')), farms.map((f) => el('option', { value: f.id }, f.name)));
  const field = el('select', { name: 'fieldId' }, el('option', { value: '' }, tx('all')), fields.map((f) => el('option', { value: f.id, 'data-farm': f.farmId }, f.name)));
  const boxes = (name, values, chosen) => el('fieldset', { class: 'quiet' }, el('legend', {}, tx(name)),
    values.map((x) => el('label', { class: 'inline' }, el('input', { type: 'checkbox', name, value: x, checked: chosen.includes(x) || undefined }), el('span', {}, tx(`${name === 'severities' ? 'severity' : 'event'}_${x}`)))));
  const form = el('form', { class: 'manage-form sub-form', 'data-sub-form': contact.id },
    el('label', {}, el('span', {}, tx('farm')), farm), el('label', {}, el('span', {}, tx('field')), field),
    boxes('severities', SEVERITIES, ['warning', 'critical']), boxes('events', EVENTS, ['opened', 'escalated']),
    el('div', { class: 'actions' }, el('button', { type: 'submit', 'data-action': 'subscribe' }, tx('subscribe'))), general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const fieldId = String(data.get('fieldId') || '') || null;
    const farmId = String(data.get('farmId') || '') || (fieldId ? fields.find((f) => f.id === fieldId)?.farmId ?? null : null);
    const body = { farmId, fieldId, severities: data.getAll('severities').map(String), events: data.getAll('events').map(String) };
    try {
      await api(`/contacts/${encodeURIComponent(contact.id)}/subscriptions`, { method: 'POST', body: JSON.stringify(body) });
    } catch (err) {
      const issues = issuesOf(err);
      general.textContent = issues ? issues.map((i) => `${tx(i.field) ?? i.field}: ${i.message}`).join('; ') : err.message;
      return;
    }
    await reload(tx('saved'));
  });
  return form;
}

function contactCard(c, subs, farms, fields, reload) {
  const farmName = (id) => farms.find((f) => f.id === id)?.name ?? id;
  const fieldName = (id) => fields.find((f) => f.id === id)?.name ?? id;
  const edit = el('button', { type: 'button', 'data-action': 'edit-contact' }, tx('edit'));
  edit.addEventListener('click', () => { editing = c.id; void reload(); });
  const del = el('button', { type: 'button', class: 'secondary', 'data-action': 'delete-contact' }, tx('del'));
  del.addEventListener('click', () => {
    const yes = el('button', { type: 'button', class: 'danger', 'data-action': 'confirm' }, tx('yes'));
    const no = el('button', { type: 'button', class: 'secondary' }, tx('cancel'));
    const box = el('div', { class: 'confirm', role: 'alertdialog' }, el('p', {}, tx('delQ')), el('div', { class: 'actions' }, yes, no));
    no.addEventListener('click', () => box.replaceWith(del));
    yes.addEventListener('click', async () => { yes.disabled = true; await api(`/contacts/${encodeURIComponent(c.id)}`, { method: 'DELETE' }); await reload(); });
    del.replaceWith(box);
  });
  const channels = [c.phone && `SMS ${c.phone}`, c.zaloConsent && `Zalo ${c.zaloPhone ?? c.phone ?? ''}`.trim(), c.email, c.webhookUrl && 'webhook'].filter(Boolean).join(' · ');
  return el('article', { class: 'rule-card', 'data-contact-id': c.id },
    el('h3', {}, c.name, ' ', el('span', { class: 'badge' }, tx(`role_${c.role}`))),
    el('p', { class: 'sub' }, [channels || '—', c.language, c.quietHours ? `${tx('quietHours')} ${c.quietHours.start}–${c.quietHours.end}` : null].filter(Boolean).join(' · ')),
    el('h4', {}, tx('subs')),
    subs.length === 0 ? el('p', { class: 'muted small' }, tx('noSubs')) : el('ul', { class: 'subs' }, subs.map((s) => {
      const remove = el('button', { type: 'button', class: 'link', 'data-action': 'unsubscribe' }, tx('unsubscribe'));
      remove.addEventListener('click', async () => { remove.disabled = true; await api(`/contacts/${encodeURIComponent(c.id)}/subscriptions/${encodeURIComponent(s.id)}`, { method: 'DELETE' }); await reload(); });
      const where = s.fieldId ? `${tx('field')} ${fieldName(s.fieldId)}` : s.farmId ? `${tx('farm')} ${farmName(s.farmId)}` : tx('everything');
      return el('li', { 'data-subscription-id': s.id, 'data-field': s.fieldId ?? '', 'data-farm': s.farmId ?? '' },
        `${where} — ${s.severities.map((x) => tx(`severity_${x}`)).join(', ')}; ${s.events.map((x) => tx(`event_${x}`)).join(', ')} `, remove);
    })),
    el('details', {}, el('summary', {}, tx('subscribe')), subscriptionForm(c, farms, fields, reload)),
    el('div', { class: 'actions' }, edit, del));
}

export async function showManageContacts(view, { stale }) {
  const [{ contacts }, { farms }, { fields }] = await Promise.all([api('/contacts'), api('/farms'), api('/fields')]);
  const subs = await Promise.all(contacts.map((c) => api(`/contacts/${encodeURIComponent(c.id)}/subscriptions`).then((r) => r.subscriptions)));
  if (stale()) return;
  const reload = async (message) => {
    await showManageContacts(view, { stale });
    const s = view.querySelector('#contacts-status');
    if (s && message) s.textContent = message;
  };
  const current = contacts.find((c) => c.id === editing) ?? null;
  view.replaceChildren(
    el('div', { class: 'page-head' }, el('h2', {}, tx('title'))),
    el('p', { class: 'muted small', role: 'status', id: 'contacts-status' }),
    contactForm(current, reload),
    ...(contacts.length ? contacts.map((c, i) => contactCard(c, subs[i], farms, fields, reload)) : [el('p', { class: 'muted' }, tx('none'))]));
  if (current) view.querySelector('#contact-edit-form')?.scrollIntoView({ block: 'start' });
}
