// The management screens (issue 16): which hash opens which screen, for which roles, and the nav entries.
// The nav shows a screen only to the roles allowed to use it; the API still checks every call (README roles).
// Each screen module draws into the one #manage-view section and keeps its own vi/en labels.
import { $ } from './dom.js';
import { showManageDevices } from './manage-devices.js';
import { showManageRules } from './manage-rules.js';
import { showMyContact } from './my-contact.js';
import { showManageFields } from './manage-fields.js';
import { showManagePeople } from './manage-people.js';
import { showManageContacts } from './manage-contacts.js';

const MANAGERS = ['admin', 'technician'];
const pages = [
  { hash: '#/manage/devices', nav: 'nav-manage-devices', roles: MANAGERS, show: showManageDevices },
  { hash: '#/manage/rules', nav: 'nav-manage-rules', roles: ['admin', 'technician', 'farmer', 'viewer'], show: showManageRules },
  { hash: '#/manage/fields', nav: 'nav-manage-fields', roles: ['admin'], show: showManageFields },
  { hash: '#/manage/people', nav: 'nav-manage-people', roles: ['admin'], show: showManagePeople },
  { hash: '#/manage/contacts', nav: 'nav-manage-contacts', roles: MANAGERS, show: showManageContacts },
  { hash: '#/me', nav: 'nav-my-contact', roles: ['admin', 'technician', 'farmer'], show: showMyContact },
];

/** The management screen of a hash (ignoring a `?…` tail), or undefined. */
export function managePage(hash) {
  const path = hash.split('?')[0];
  return pages.find((p) => p.hash === path);
}
export const mayOpen = (page, me) => Boolean(me && page.roles.includes(me.role));

/** Shows the nav entries of the screens the user's role may use. */
export function showManageNav(me) {
  for (const p of pages) $(p.nav).hidden = !mayOpen(p, me);
}

/** The 400 body's zod messages by field path ({field, message}[] from api/http-errors.ts), or undefined. */
export function issuesOf(err) {
  return err?.status === 400 && Array.isArray(err.issues) ? err.issues : undefined;
}

/**
 * A refused form's reasons where the user looks: each 400 issue in the box of its input (`boxFor` names the box for a
 * field path; by default its first segment), the rest — and any other error — in the form's general line.
 */
export function showIssues(err, boxes, general, boxFor = (path) => path[0]) {
  const issues = issuesOf(err);
  if (!issues) { general.textContent = err.message; return; }
  const rest = [];
  for (const i of issues) {
    const box = boxes[boxFor(String(i.field).split('.'))];
    if (box) box.textContent = i.message; else rest.push(`${i.field}: ${i.message}`);
  }
  general.textContent = rest.join('; ');
}
