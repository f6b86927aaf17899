import { describe, expect, it } from 'vitest';
import { WEBHOOK_HEADERS, createWebhookVerifier, signWebhook, verifyWebhook, webhookSecretFor } from '../../../core/alerts/notification-webhook.js';

const MASTER = 'master-secret-for-unit-tests';
const secret = webhookSecretFor(MASTER, 'ct-erp');
const T0 = Date.parse('2026-03-10T08:00:00Z');

function delivery(body: string, tsS = T0 / 1000, key = 'al-1:opened:ct-erp:webhook') {
  return { [WEBHOOK_HEADERS.timestamp]: String(tsS), [WEBHOOK_HEADERS.signature]: signWebhook(secret, tsS, body), [WEBHOOK_HEADERS.delivery]: key };
}

describe('webhook signatures (HMAC-SHA256 over "<timestamp>.<body>")', () => {
  const body = JSON.stringify({ id: 'al-1:opened:ct-erp:webhook', message: { detail: 'độ mặn 2,6 ‰' } });

  it('accepts a fresh, correctly signed delivery', () => {
    expect(verifyWebhook({ secret, headers: delivery(body), body, now: T0 + 2_000 })).toEqual({ ok: true, deliveryId: 'al-1:opened:ct-erp:webhook', duplicate: false });
  });

  it('rejects a changed body, a changed timestamp and another contact\'s secret', () => {
    const headers = delivery(body);
    expect(verifyWebhook({ secret, headers, body: body.replace('2,6', '0,6'), now: T0 })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook({ secret, headers: { ...headers, [WEBHOOK_HEADERS.timestamp]: String(T0 / 1000 + 1) }, body, now: T0 })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook({ secret: webhookSecretFor(MASTER, 'ct-other'), headers, body, now: T0 })).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a timestamp older (or newer) than the 5 minute tolerance', () => {
    expect(verifyWebhook({ secret, headers: delivery(body), body, now: T0 + 301_000 })).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(verifyWebhook({ secret, headers: delivery(body), body, now: T0 - 301_000 })).toMatchObject({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects missing headers', () => {
    expect(verifyWebhook({ secret, headers: {}, body, now: T0 })).toMatchObject({ ok: false, reason: 'missing_headers' });
  });

  it('a verifier rejects the same signed request twice (replay) but reports our retry as a duplicate', () => {
    let now = T0;
    const verifier = createWebhookVerifier({ secret, now: () => now });
    const first = delivery(body);
    expect(verifier.verify(first, body)).toMatchObject({ ok: true, duplicate: false });
    expect(verifier.verify(first, body)).toMatchObject({ ok: false, reason: 'replay' });
    now += 30_000;
    expect(verifier.verify(delivery(body, now / 1000), body)).toMatchObject({ ok: true, duplicate: true });
  });

  it('derives a different secret per contact, stable across restarts', () => {
    expect(webhookSecretFor(MASTER, 'ct-erp')).toBe(secret);
    expect(webhookSecretFor(MASTER, 'ct-b')).not.toBe(secret);
    expect(webhookSecretFor('another-master-secret', 'ct-erp')).not.toBe(secret);
  });
});
