// People and API keys (issue 16; admins — api/routes/users.ts): the cooperative's users with their roles and, for
// farmers, their farms; add a user (the login name the API answers is shown: it names the cooperative unless it is
// the installation's first), change a role or a farmer's farms, delete a user (after an in-page confirmation).
// API keys for integrations: issue one (the key is shown once, only a hash is kept) and revoke one. The API's
// zod messages are shown next to the input they name; the API refuses an admin demoting or deleting themselves.
import { api } from './api.js';
import { el } from './dom.js';
import { formatTime, getLang } from './i18n.js';
import { showIssues } from './manage.js';

const TEXT = {
  vi: {
    title: 'Người dùng và khoá API', users: 'Người dùng', addUser: 'Thêm người dùng', username: 'Tên đăng nhập', password: 'Mật khẩu (ít nhất 10 ký tự)',
    displayName: 'Họ tên', role: 'Vai trò', farms: 'Trại (nông dân)', role_admin: 'Quản trị', role_technician: 'Cán bộ kỹ thuật', role_farmer: 'Nông dân', role_viewer: 'Chỉ xem',
    create: 'Thêm', del: 'Xoá', delQ: 'Xoá người dùng này? Họ sẽ không đăng nhập được nữa.', yes: 'Xoá', cancel: 'Huỷ', saved: 'Đã lưu', created: 'Đã thêm — tên đăng nhập:',
    keys: 'Khoá API (cho hệ thống khác)', addKey: 'Cấp khoá API', keyName: 'Tên khoá', issue: 'Cấp khoá', revoke: 'Thu hồi', revokeQ: 'Thu hồi khoá này? Hệ thống đang dùng nó sẽ bị từ chối.',
    keyOnce: 'Khoá chỉ hiện MỘT lần — chép ngay; máy chủ chỉ lưu bản băm.', done: 'Tôi đã lưu, ẩn đi', revoked: 'Đã thu hồi', lastUsed: 'Dùng lần cuối', never: 'chưa dùng', failed: 'Không thực hiện được',
  },
  en: {
    title: 'People and API keys', users: 'Users', addUser: 'Add a user', username: 'Username', password: 'Password (at least 10 characters)',
    displayName: 'Full name', role: 'Role', farms: 'Farms (farmers)', role_admin: 'Admin', role_technician: 'Technician', role_farmer: 'Farmer', role_viewer: 'Viewer',
    create: 'Add', del: 'Delete', delQ: 'Delete this user? They will no longer be able to log in.', yes: 'Delete', cancel: 'Cancel', saved: 'Saved', created: 'Added — login name:',
    keys: 'API keys (for other systems)', addKey: 'Issue an API key', keyName: 'Key name', issue: 'Issue key', revoke: 'Revoke', revokeQ: 'Revoke this key? Systems using it will be refused.',
    keyOnce: 'The key is shown ONCE — copy it now; the server keeps only a hash.', done: 'I have saved it, hide it', revoked: 'Revoked', lastUsed: 'Last used', never: 'never', failed: 'Could not be done',
  },
};
const tx = (key) => (TEXT[getLang()] ?? TEXT.vi)[key] ?? key;
const ROLES = ['admin', 'technician', 'farmer', 'viewer'];

let newKey = null; // the API key just issued, until hidden

function confirmInPlace(anchor, question, onYes) {
  const yes = el('button', { type: 'button', class: 'danger', 'data-action': 'confirm' }, tx('yes'));
  const no = el('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, tx('cancel'));
  const box = el('div', { class: 'confirm', role: 'alertdialog' }, el('p', {}, question), el('div', { class: 'actions' }, yes, no));
  no.addEventListener('click', () => box.replaceWith(anchor));
  yes.addEventListener('click', () => { yes.disabled = true; void onYes().catch((err) => { box.replaceWith(anchor); anchor.after(el('span', { class: 'error' }, `${tx('failed')}: ${err.message}`)); }); });
  anchor.replaceWith(box);
}

function farmChecks(farms, chosen, name) {
  return el('div', { class: 'farm-checks' }, farms.map((f) => el('label', { class: 'inline' },
    el('input', { type: 'checkbox', name, value: f.id, checked: chosen.includes(f.id) || undefined }), el('span', {}, f.name))));
}

function userForm(farms, reload) {
  const boxes = {};
  const field = (name, control) => { boxes[name] = el('span', { class: 'field-error', 'data-issue-for': name }); return el('label', {}, el('span', {}, tx(name)), control, boxes[name]); };
  const general = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'manage-form', id: 'user-form' }, el('h3', {}, tx('addUser')),
    field('username', el('input', { name: 'username', required: true, autocomplete: 'off' })),
    field('password', el('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' })),
    field('displayName', el('input', { name: 'displayName' })),
    field('role', el('select', { name: 'role' }, ROLES.map((r) => el('option', { value: r, selected: r === 'farmer' || undefined }, tx(`role_${r}`))))),
    el('fieldset', { class: 'quiet' }, el('legend', {}, tx('farms')), farmChecks(farms, [], 'farmIds')),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, tx('create'))), general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    general.textContent = '';
    for (const b of Object.values(boxes)) b.textContent = '';
    const data = new FormData(form);
    const role = String(data.get('role'));
    const body = {
      username: String(data.get('username')).trim(), password: String(data.get('password')), role,
      displayName: String(data.get('displayName')).trim() || null, ...(role === 'farmer' ? { farmIds: data.getAll('farmIds').map(String) } : {}),
    };
    let user;
    try {
      user = await api('/users', { method: 'POST', body: JSON.stringify(body) });
    } catch (err) {
      showIssues(err, boxes, general);
      return;
    }
    await reload(`${tx('created')} ${user.username}`);
  });
  return form;
}

function userRow(u, farms, reload) {
  const status = el('span', { class: 'muted small', role: 'status' });
  const fail = (err) => { status.textContent = `${tx('failed')}: ${err.message}`; };
  const role = el('select', { 'data-action': 'role', 'aria-label': tx('role') }, ROLES.map((r) => el('option', { value: r, selected: r === u.role || undefined }, tx(`role_${r}`))));
  role.addEventListener('change', () => {
    api(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body: JSON.stringify({ role: role.value }) }).then(() => reload(tx('saved')), (err) => { role.value = u.role; fail(err); });
  });
  const farmBox = farmChecks(farms, u.farmIds, `farms-${u.id}`);
  farmBox.addEventListener('change', () => {
    const farmIds = [...farmBox.querySelectorAll('input:checked')].map((i) => i.value);
    api(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body: JSON.stringify({ farmIds }) }).then(() => { status.textContent = tx('saved'); }, fail);
  });
  const del = el('button', { type: 'button', class: 'secondary', 'data-action': 'delete-user' }, tx('del'));
  del.addEventListener('click', () => confirmInPlace(del, tx('delQ'), async () => { await api(`/users/${encodeURIComponent(u.id)}`, { method: 'DELETE' }); await reload(); }));
  return el('tr', { 'data-user-id': u.id, 'data-username': u.username },
    el('td', {}, el('strong', {}, u.username), u.displayName ? el('div', { class: 'sub' }, u.displayName) : null),
    el('td', {}, role),
    el('td', {}, u.role === 'farmer' ? farmBox : '—'),
    el('td', {}, del, status));
}

function keyForm(reload) {
  const boxes = { name: el('span', { class: 'field-error', 'data-issue-for': 'name' }) };
  const general = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'manage-form', id: 'key-form' }, el('h3', {}, tx('addKey')),
    el('label', {}, el('span', {}, tx('keyName')), el('input', { name: 'name', required: true, maxlength: '100' }), boxes.name),
    el('label', {}, el('span', {}, tx('role')), el('select', { name: 'role' }, ['viewer', 'technician', 'admin'].map((r) => el('option', { value: r }, tx(`role_${r}`))))),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, tx('issue'))), general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      newKey = await api('/api-keys', { method: 'POST', body: JSON.stringify({ name: String(data.get('name')).trim(), role: String(data.get('role')) }) });
    } catch (err) {
      showIssues(err, boxes, general);
      return;
    }
    await reload();
  });
  return form;
}

function keyRow(k, reload) {
  const revoke = el('button', { type: 'button', class: 'secondary', 'data-action': 'revoke-key' }, tx('revoke'));
  revoke.addEventListener('click', () => confirmInPlace(revoke, tx('revokeQ'), async () => {
    await api(`/api-keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
    if (newKey?.id === k.id) newKey = null;
    await reload();
  }));
  return el('tr', { 'data-key-id': k.id, 'data-revoked': String(k.revokedAt !== null) },
    el('td', {}, el('strong', {}, k.name), el('div', { class: 'sub' }, `${k.prefix}…`)),
    el('td', {}, tx(`role_${k.role}`)),
    el('td', {}, `${tx('lastUsed')}: ${k.lastUsedAt ? formatTime(k.lastUsedAt) : tx('never')}`),
    el('td', {}, k.revokedAt ? tx('revoked') : revoke));
}

export async function showManagePeople(view, { stale }) {
  const [{ users }, { apiKeys }, { farms }] = await Promise.all([api('/users'), api('/api-keys'), api('/farms')]);
  if (stale()) return;
  const reload = async (message) => {
    await showManagePeople(view, { stale });
    const s = view.querySelector('#people-status');
    if (s && message) s.textContent = message;
  };
  const hide = el('button', { type: 'button', class: 'secondary', 'data-action': 'hide-key' }, tx('done'));
  hide.addEventListener('click', () => { newKey = null; void reload(); });
  const table = (id, heads, rows) => el('div', { class: 'table-wrap' }, el('table', { class: 'list manage-list', id }, el('thead', {}, el('tr', {}, heads.map((h) => el('th', {}, h)))), el('tbody', {}, rows)));
  view.replaceChildren(...[
    el('div', { class: 'page-head' }, el('h2', {}, tx('title'))),
    el('p', { class: 'muted small', role: 'status', id: 'people-status' }),
    newKey ? el('section', { class: 'credential', id: 'new-key' }, el('h3', {}, newKey.name), el('p', { class: 'warning', role: 'alert' }, tx('keyOnce')),
      el('pre', { class: 'credential-text', 'data-api-key': '' }, newKey.key), el('div', { class: 'actions' }, hide)) : null,
    el('h3', {}, tx('users')),
    table('manage-users', [tx('username'), tx('role'), tx('farms'), ''], users.map((u) => userRow(u, farms, reload))),
    userForm(farms, reload),
    el('h3', {}, tx('keys')),
    table('manage-keys', [tx('keyName'), tx('role'), tx('lastUsed'), ''], apiKeys.map((k) => keyRow(k, reload))),
    keyForm(reload)].filter(Boolean));
}
