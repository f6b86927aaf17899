// Webhook signatures, for the sender (rules/notify/webhook.ts) and for receivers (`verifyWebhook`).
// A delivery is a POST with a JSON body and three headers:
//   X-Ruong-Timestamp: Unix seconds when this attempt was signed
//   X-Ruong-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
//   X-Ruong-Delivery:  the notification's idempotency key (also `id` in the body)
// A receiver recomputes the HMAC over the RAW body bytes, compares in constant time, rejects a timestamp
// outside ±tolerance (default 5 min) and a signature it has already seen (a replay); a retry of ours
// carries the same delivery id with a fresh timestamp, which `verify` reports as `duplicate`.
// Each webhook contact has its own secret, derived from WEBHOOK_SECRET and the contact id, so one
// cooperative's secret never verifies another's deliveries.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_HEADERS = { timestamp: 'x-ruong-timestamp', signature: 'x-ruong-signature', delivery: 'x-ruong-delivery' } as const;
export const WEBHOOK_TOLERANCE_S = 300;

/** The signing secret of one webhook contact (HMAC-SHA256 of the contact id under WEBHOOK_SECRET). */
export function webhookSecretFor(masterSecret: string, contactId: string): string {
  return createHmac('sha256', masterSecret).update(`ruong-webhook:${contactId}`).digest('base64url');
}

export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

export type WebhookVerdict =
  | { readonly ok: true; readonly deliveryId: string; readonly duplicate: boolean }
  | { readonly ok: false; readonly reason: 'missing_headers' | 'bad_signature' | 'stale_timestamp' | 'replay' };

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] as string | undefined) : (v as string | undefined);
}

/**
 * A receiver's verifier: keeps the signatures seen within the tolerance window (replays) and the delivery
 * ids seen (duplicates: answer 2xx, do not process twice).
 */
export function createWebhookVerifier(opts: { secret: string; toleranceS?: number; now?: () => number }) {
  const toleranceS = opts.toleranceS ?? WEBHOOK_TOLERANCE_S;
  const now = opts.now ?? Date.now;
  const seenSignatures = new Map<string, number>();
  const seenDeliveries = new Map<string, number>();

  function prune(nowS: number): void {
    for (const [sig, ts] of seenSignatures) if (ts < nowS - toleranceS) seenSignatures.delete(sig);
    for (const [id, ts] of seenDeliveries) if (ts < nowS - 7 * 86_400) seenDeliveries.delete(id);
  }

  return {
    verify(headers: Headers, rawBody: string | Buffer): WebhookVerdict {
      const timestamp = header(headers, WEBHOOK_HEADERS.timestamp);
      const signature = header(headers, WEBHOOK_HEADERS.signature);
      const deliveryId = header(headers, WEBHOOK_HEADERS.delivery);
      if (!timestamp || !signature || !deliveryId || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing_headers' };
      const expected = Buffer.from(signWebhook(opts.secret, Number(timestamp), rawBody.toString()));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
      const nowS = Math.floor(now() / 1000);
      if (Math.abs(nowS - Number(timestamp)) > toleranceS) return { ok: false, reason: 'stale_timestamp' };
      prune(nowS);
      if (seenSignatures.has(signature)) return { ok: false, reason: 'replay' };
      seenSignatures.set(signature, Number(timestamp));
      const duplicate = seenDeliveries.has(deliveryId);
      seenDeliveries.set(deliveryId, nowS);
      return { ok: true, deliveryId, duplicate };
    },
  };
}

/** One-shot check without replay memory (signature and timestamp only). Prefer createWebhookVerifier. */
export function verifyWebhook(opts: { secret: string; headers: Headers; body: string | Buffer; toleranceS?: number; now?: number }): WebhookVerdict {
  const nowMs = opts.now;
  return createWebhookVerifier({ secret: opts.secret, toleranceS: opts.toleranceS ?? WEBHOOK_TOLERANCE_S, now: () => nowMs ?? Date.now() }).verify(opts.headers, opts.body);
}
