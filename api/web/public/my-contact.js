// My contact (issue 16): every person who may write (admin, technician, farmer) sets where their own alerts go —
// phone (SMS), the language of the messages, SMS without diacritics, Zalo consent and quiet hours (local time,
// Asia/Ho_Chi_Minh; only critical alerts are sent then) — through GET/PATCH /me/contact. The first save creates
// the contact, subscribed to the person's farms (a farmer) or the cooperative. The API's zod messages are shown
// next to the input they name.
import { api } from './api.js';
import { el } from './dom.js';
import { getLang } from './i18n.js';
import { issuesOf } from './manage.js';

const TEXT = {
  vi: {
    title: 'Liên hệ của tôi', intro: 'Cảnh báo của bạn được gửi tới đây. Trong giờ yên lặng chỉ gửi cảnh báo khẩn cấp.',
    phone: 'Số điện thoại (SMS)', phoneHint: 'Ví dụ: 0912345678', language: 'Ngôn ngữ tin nhắn', vi: 'Tiếng Việt', en: 'English',
    unaccented: 'Gửi SMS không dấu', zalo: 'Đồng ý nhận tin qua Zalo', quiet: 'Giờ yên lặng', from: 'Từ', to: 'Đến', quietNone: 'Để trống cả hai nếu không cần giờ yên lặng',
    save: 'Lưu', saved: 'Đã lưu', none: 'Bạn chưa có thông tin liên hệ — lưu lần đầu để bắt đầu nhận cảnh báo.', bothTimes: 'Nhập cả giờ bắt đầu và giờ kết thúc',
  },
  en: {
    title: 'My contact', intro: 'Your alerts are sent here. During quiet hours only critical alerts are sent.',
    phone: 'Phone number (SMS)', phoneHint: 'e.g. 0912345678', language: 'Language of the messages', vi: 'Tiếng Việt', en: 'English',
    unaccented: 'Send SMS without diacritics', zalo: 'I agree to receive Zalo messages', quiet: 'Quiet hours', from: 'From', to: 'To', quietNone: 'Leave both empty for no quiet hours',
    save: 'Save', saved: 'Saved', none: 'You have no contact details yet — save once to start receiving alerts.', bothTimes: 'Give both the start and the end',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key] ?? key;

function contactForm(contact, reload) {
  const issue = (name) => el('span', { class: 'field-error', 'data-issue-for': name });
  const boxes = { phone: issue('phone'), language: issue('language'), quietHours: issue('quietHours') };
  const phone = el('input', { name: 'phone', type: 'tel', autocomplete: 'tel', value: contact?.phone ?? '', placeholder: tx('phoneHint') });
  const language = el('select', { name: 'language' }, ['vi', 'en'].map((l) => el('option', { value: l, selected: (contact?.language ?? getLang()) === l || undefined }, tx(l))));
  const unaccented = el('input', { type: 'checkbox', name: 'smsUnaccented', checked: contact?.smsUnaccented || undefined });
  const zalo = el('input', { type: 'checkbox', name: 'zaloConsent', checked: contact?.zaloConsent || undefined });
  const start = el('input', { type: 'time', name: 'quietStart', value: contact?.quietHours?.start ?? '' });
  const end = el('input', { type: 'time', name: 'quietEnd', value: contact?.quietHours?.end ?? '' });
  const general = el('p', { class: 'error', role: 'alert', 'data-form-error': '' });
  const status = el('span', { class: 'muted small', role: 'status', id: 'contact-status' });
  const form = el('form', { class: 'manage-form', id: 'contact-form' },
    el('p', { class: 'muted small' }, contact ? tx('intro') : tx('none')),
    el('label', {}, el('span', {}, tx('phone')), phone, boxes.phone),
    el('label', {}, el('span', {}, tx('language')), language, boxes.language),
    el('label', { class: 'inline' }, unaccented, el('span', {}, tx('unaccented'))),
    el('label', { class: 'inline' }, zalo, el('span', {}, tx('zalo'))),
    el('fieldset', { class: 'quiet' }, el('legend', {}, tx('quiet')),
      el('label', {}, el('span', {}, tx('from')), start), el('label', {}, el('span', {}, tx('to')), end),
      el('p', { class: 'muted small' }, tx('quietNone')), boxes.quietHours),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, tx('save')), status),
    general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    general.textContent = '';
    status.textContent = '';
    for (const box of Object.values(boxes)) box.textContent = '';
    if (Boolean(start.value) !== Boolean(end.value)) { boxes.quietHours.textContent = tx('bothTimes'); return; }
    const body = {
      phone: phone.value.trim() || null, language: language.value, smsUnaccented: unaccented.checked, zaloConsent: zalo.checked,
      quietHours: start.value ? { start: start.value, end: end.value } : null,
    };
    try {
      await api('/me/contact', { method: 'PATCH', body: JSON.stringify(body) });
    } catch (err) {
      const issues = issuesOf(err);
      if (!issues) { general.textContent = err.message; return; }
      const rest = [];
      for (const i of issues) {
        const box = boxes[String(i.field).split('.')[0]];
        if (box) box.textContent = i.message; else rest.push(`${i.field}: ${i.message}`);
      }
      general.textContent = rest.join('; ');
      return;
    }
    await reload(tx('saved'));
  });
  return form;
}

export async function showMyContact(view, { stale }) {
  const { contact } = await api('/me/contact');
  if (stale()) return;
  const reload = async (message) => {
    await showMyContact(view, { stale });
    const s = view.querySelector('#contact-status');
    if (s) s.textContent = message;
  };
  view.replaceChildren(el('div', { class: 'page-head' }, el('h2', {}, tx('title'))), contactForm(contact, reload));
}
