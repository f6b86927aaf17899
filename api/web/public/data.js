// What the pages share: the catalogue, the fields, their latest values, unresolved alerts and today's advice,
// and the status colour of a field card: alert > offline > irrigate > ok.
import { api, ApiError } from './api.js';

export const OFFLINE_AFTER_MS = 60 * 60_000;
let catalogue = new Map();

export async function loadCatalogue() {
  const { metrics } = await api('/catalogue');
  catalogue = new Map(metrics.map((m) => [m.name, m]));
}
export const metricSpec = (metric) => catalogue.get(metric.split('@')[0]);

/** Unresolved alerts (open and acknowledged), or undefined when the server has no alerts service. */
export async function loadAlerts(statuses = ['open', 'acknowledged']) {
  try {
    const lists = await Promise.all(statuses.map((s) => api(`/alerts?status=${s}&limit=200`)));
    return lists.flatMap((l) => l.alerts);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The nav badge: how many alerts are still unresolved (a list of them; undefined = no alerts service). */
export function setAlertCount(unresolved) {
  const count = (unresolved ?? []).filter((a) => a.status !== 'resolved').length;
  const badge = document.getElementById('alert-count');
  badge.textContent = String(count);
  badge.hidden = count === 0;
}

/** Today's advice for a field, or null (none yet, or no advice service). */
export async function loadAdvice(fieldId) {
  try {
    return await api(`/fields/${encodeURIComponent(fieldId)}/advice`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 503)) return null;
    throw err;
  }
}

export function fieldStatus({ field, readings, alerts, advice, now = Date.now() }) {
  if (alerts.some((a) => a.fieldId === field.id && a.status !== 'resolved' && a.severity !== 'info')) return 'alert';
  const active = field.devices.filter((d) => !d.revoked);
  const newest = readings.reduce((m, r) => Math.max(m, Date.parse(r.ts)), 0);
  if (active.length > 0 && now - newest > OFFLINE_AFTER_MS) return 'offline';
  if (advice && /^(irrigate|re_?flood|flood)/i.test(String(advice.status))) return 'irrigate';
  return 'ok';
}
