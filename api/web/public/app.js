// Ruộng dashboard (no framework, no CDN). All text from the server is inserted with textContent,
// never innerHTML, so markup stored in a name is shown as text.
const dict = {
  vi: { logout: 'Đăng xuất', loginTitle: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu', login: 'Đăng nhập', updated: 'Cập nhật', noData: 'Chưa có số liệu', badLogin: 'Sai tên đăng nhập hoặc mật khẩu', at: 'lúc', devices: 'thiết bị' },
  en: { logout: 'Log out', loginTitle: 'Log in', username: 'Username', password: 'Password', login: 'Log in', updated: 'Updated', noData: 'No readings yet', badLogin: 'Wrong username or password', at: 'at', devices: 'devices' },
};
const crops = { vi: { rice: 'lúa', coffee: 'cà phê', maize: 'ngô', pepper: 'hồ tiêu' }, en: {} };
let lang = localStorage.getItem('ruong.lang') || 'vi';
let token = sessionStorage.getItem('ruong.token');
let catalogue = new Map();
let timer;

const $ = (id) => document.getElementById(id);
const t = (key) => dict[lang][key] || key;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('lang').textContent = lang === 'vi' ? 'EN' : 'VI';
}

async function api(path, options = {}) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(`/api/v1${path}`, { ...options, headers });
  if (res.status === 401 && path !== '/auth/login') { showLogin(); throw new Error('unauthorized'); }
  const body = res.status === 204 ? undefined : await res.json();
  if (!res.ok) throw new Error(body?.error?.message || res.statusText);
  return body;
}

function showLogin() {
  clearInterval(timer);
  token = null;
  sessionStorage.removeItem('ruong.token');
  $('login-view').hidden = false;
  $('fields-view').hidden = true;
  $('logout').hidden = true;
}

function metricLabel(metric) {
  const [base, depth] = metric.split('@');
  const spec = catalogue.get(base);
  const label = spec ? spec.label[lang] : base;
  return depth ? `${label} (${depth})` : label;
}

function formatTime(iso) {
  return new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}

function fieldCard(field, latest) {
  const crop = crops[lang][field.crop] || field.crop;
  const card = el('article', { class: `card ${latest.length ? 'ok' : 'waiting'}`, 'data-field-id': field.id },
    el('h3', {}, field.name),
    el('div', { class: 'sub' }, `${field.farmName} · ${crop} · ${field.devices.length} ${t('devices')}`));
  if (!latest.length) { card.append(el('p', { class: 'muted' }, t('noData'))); return card; }
  const table = el('table');
  const names = new Map(field.devices.map((d) => [d.id, d.name]));
  let lastDevice;
  for (const r of latest) {
    if (r.deviceId !== lastDevice) {
      lastDevice = r.deviceId;
      table.append(el('tr', { class: 'device' }, el('th', { colspan: '2' }, names.get(r.deviceId) || r.deviceId)));
    }
    const spec = catalogue.get(r.metric.split('@')[0]);
    table.append(el('tr', { 'data-metric': r.metric, 'data-device': r.deviceId },
      el('td', {}, metricLabel(r.metric)),
      el('td', { class: 'v', title: `${r.deviceId} ${t('at')} ${formatTime(r.ts)}` }, `${r.value} ${spec ? spec.unit : ''}`)));
  }
  const newest = latest.reduce((a, b) => (a.ts > b.ts ? a : b));
  card.append(table, el('div', { class: 'sub' }, `${t('at')} ${formatTime(newest.ts)}`));
  return card;
}

async function refresh() {
  const { fields } = await api('/fields');
  const cards = await Promise.all(fields.map(async (f) => fieldCard(f, (await api(`/fields/${encodeURIComponent(f.id)}/latest`)).readings)));
  $('fields').replaceChildren(...cards);
  $('updated').textContent = new Date().toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB');
}

async function showFields() {
  $('login-view').hidden = true;
  $('fields-view').hidden = false;
  $('logout').hidden = false;
  const [me, cat] = await Promise.all([api('/me'), api('/catalogue')]);
  catalogue = new Map(cat.metrics.map((m) => [m.name, m]));
  $('coop').textContent = me.cooperative ? me.cooperative.name : '';
  await refresh();
  clearInterval(timer);
  timer = setInterval(() => { refresh().catch((err) => console.warn(err)); }, 5000);
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('login-error').textContent = '';
  try {
    const body = await api('/auth/login', { method: 'POST', body: JSON.stringify({ username: form.get('username'), password: form.get('password') }) });
    token = body.token;
    sessionStorage.setItem('ruong.token', token);
    await showFields();
  } catch {
    $('login-error').textContent = t('badLogin');
  }
});

$('logout').addEventListener('click', () => { api('/auth/logout', { method: 'POST' }).catch(() => {}).finally(showLogin); });
$('lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('ruong.lang', lang);
  applyLanguage();
  if (token) refresh().catch((err) => console.warn(err));
});

applyLanguage();
if (token) showFields().catch(showLogin); else showLogin();
