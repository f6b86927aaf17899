// What the user sees when a load fails. A missing or forbidden object (400/403/404 — the API answers 404 for
// another farm's or cooperative's object) is a page inside the app with a way back; any other failure (5xx,
// no network) is a banner naming the error with a Retry button that runs the load again. A 401 is not shown
// here: it goes to the login page (app.js), which returns to the asked page after login.
import { $, el } from './dom.js';
import { t } from './i18n.js';

let banner = null; // { err, retry } while the banner is shown

export const isMissing = (err) => [400, 403, 404].includes(err?.status);

function errorText(err) {
  if (err?.status === 0 || err instanceof TypeError) return t('networkError');
  if (err?.status) return `${t('serverError')} (HTTP ${err.status}${err.message && err.message !== `HTTP ${err.status}` ? `: ${err.message}` : ''})`;
  return `${t('serverError')} (${String(err?.message ?? err)})`;
}

function renderBanner() {
  const box = $('banner');
  if (!banner) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const { err, retry } = banner;
  const button = el('button', { type: 'button', id: 'banner-retry' }, t('retry'));
  button.addEventListener('click', () => {
    button.disabled = true;
    button.textContent = t('retrying');
    retry();
  });
  box.dataset.status = String(err?.status ?? 0);
  box.replaceChildren(el('p', { id: 'banner-text' }, errorText(err)), button);
  box.hidden = false;
}

/** Shows the failure with a Retry button that calls retry(). */
export function showBanner(err, retry) {
  console.warn(err);
  banner = { err, retry };
  renderBanner();
}
export function hideBanner() {
  banner = null;
  renderBanner();
}
/** Re-renders the banner in the chosen language. */
export const relabelBanner = renderBanner;

/** The "not found / not allowed" page inside the app, with the navigation still there. */
export function renderProblemPage(err) {
  const forbidden = err?.status === 403;
  $('problem-view').dataset.problem = forbidden ? 'forbidden' : 'not-found';
  $('problem-view').replaceChildren(
    el('h2', { id: 'problem-title' }, t(forbidden ? 'forbiddenTitle' : 'notFoundTitle')),
    el('p', {}, t(forbidden ? 'forbiddenText' : 'notFoundText')),
    el('p', {}, el('a', { href: '#/', id: 'problem-back' }, t('backToOverview'))));
}
