// The SMS gateway's inbound webhook (issue 17; docs/interop.md "Inbound SMS"): POST /api/v1/sms/inbound with the
// sender's number and the text, JSON or form-encoded. Authenticated by SMS_INBOUND_SECRET — an HMAC-SHA256 of the
// raw body in `X-Ruong-Signature: sha256=<hex>`, or, for gateways that can only send a fixed header, the secret
// itself as `Authorization: Bearer <secret>` / `X-Ruong-Token` — compared in constant time; without the secret
// configured the route does not exist (404). A farmer's "ĐÃ TƯỚI 25" from a known contact's phone records 25 mm on
// that contact's field (several fields: "ĐÃ TƯỚI 25 <field>", else the answer asks which); the answer goes back
// through the gateway. An unknown number is ignored and counted, never answered. The gateway's message id makes a
// retried delivery record nothing twice. Every outcome is counted in ruong_sms_inbound_total{outcome}.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request } from 'express';
import type * as Prom from 'prom-client';
import { z } from 'zod';
import type { Logger } from '../../core/log.js';
import { Counter, type Metrics } from '../../core/metrics.js';
import type { SmsMessage } from '../../core/alerts/notification-types.js';
import { matchFields, parseReply, replyMessage, replyTexts } from '../../core/alerts/sms-reply.js';
import { PhoneNumber } from '../../core/registry/contact-schemas.js';
import { IRRIGATION_BOUNDS } from '../../core/registry/irrigation-events.js';
import type { Registry } from '../../core/registry/registry.js';
import type { SenderField } from '../../core/registry/sms-senders.js';
import { RuongError } from '../../core/errors.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';

export interface SmsInboundOptions {
  /** SMS_INBOUND_SECRET (≥ 16 characters). */
  readonly secret: string;
  /** Sends an answer through the SMS gateway (cli/ wires the SMS channel); a failure is logged, not retried. */
  readonly send: (message: SmsMessage) => Promise<void>;
  /** SMS_UNACCENTED: every answer without diacritics. */
  readonly unaccented?: boolean | undefined;
}

const first = (...xs: unknown[]) => xs.find((x) => typeof x === 'string' && x.trim() !== '') as string | undefined;

/** The gateway's fields and their common aliases (docs/interop.md). */
export const InboundSms = z.preprocess((raw) => {
  const r = (raw ?? {}) as Record<string, unknown>;
  return {
    from: first(r.from, r.sender, r.msisdn, r.phone), text: first(r.text, r.message, r.body, r.content) ?? '',
    id: first(r.id, r.message_id, r.messageId, r.sms_id),
  };
}, z.object({ from: PhoneNumber, text: z.string().max(1600), id: z.string().max(200).optional() }));

export const InboundOut = z.object({
  status: z.enum(['recorded', 'duplicate', 'ambiguous', 'unrecognised', 'out_of_range', 'no_field', 'ignored']),
  irrigationId: z.string().optional(), replied: z.boolean(),
});

export const smsInboundEndpoints: readonly Endpoint[] = [
  {
    method: 'post', path: '/sms/inbound', tag: 'irrigation', public: true, body: InboundSms, response: InboundOut,
    summary: 'SMS gateway webhook: a farmer\'s reply "ĐÃ TƯỚI 25" records 25 mm on their field (X-Ruong-Signature HMAC-SHA256 of the body, or the secret as a bearer token)',
  },
];

function metricOf(metrics: Metrics): Prom.Counter<'outcome'> {
  const name = 'ruong_sms_inbound_total';
  return (metrics.registry.getSingleMetric(name) as Prom.Counter<'outcome'> | undefined)
    ?? new Counter({ name, help: 'Inbound SMS on the gateway webhook, by outcome (recorded, unknown_sender, rejected_auth …)', labelNames: ['outcome'], registers: [metrics.registry] });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function authentic(req: Request, raw: Buffer, secret: string): boolean {
  const signature = req.get('x-ruong-signature');
  if (signature) return same(signature.trim().toLowerCase(), `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const auth = req.get('authorization');
  const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : req.get('x-ruong-token')?.trim();
  return token !== undefined && same(token, secret);
}

function bodyOf(req: Request, raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if ((req.get('content-type') ?? '').includes('json')) {
    try { return JSON.parse(text) as unknown; } catch { throw new RuongError('BAD_REQUEST', 'body is not valid JSON'); }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function smsInboundRoutes(deps: {
  registry: Registry; metrics: Metrics; log: Logger; smsInbound?: SmsInboundOptions | undefined; now?: (() => number) | undefined;
  irrigationRecorded?: (() => void) | undefined;
}): Router {
  const router = Router();
  const opts = deps.smsInbound;
  if (!opts) return router; // not configured: no webhook
  const now = deps.now ?? Date.now;
  const counted = metricOf(deps.metrics);
  const count = (outcome: string) => counted.inc({ outcome });

  router.post('/sms/inbound', express.raw({ type: () => true, limit: '16kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!authentic(req, raw, opts.secret)) {
      count('rejected_auth');
      throw new RuongError('UNAUTHORIZED', 'a valid X-Ruong-Signature or the inbound secret is required');
    }
    let sms: z.infer<typeof InboundSms>;
    try {
      sms = parseOr400(InboundSms, bodyOf(req, raw), 'body');
    } catch (err) {
      count('invalid');
      throw err;
    }
    const senders = await deps.registry.smsSenders(sms.from);
    if (senders.length === 0) {
      count('unknown_sender'); // never answered: the number may be anyone's
      res.json({ status: 'ignored', replied: false });
      return;
    }
    const sender = senders[0]!;
    const language = sender.language;
    const plain = opts.unaccented === true || sender.smsUnaccented;
    const reply = async (text: string, status: z.infer<typeof InboundOut>['status'], extra: { irrigationId?: string } = {}) => {
      count(status);
      let replied = false;
      try {
        await opts.send(replyMessage(sms.from, text, `sms-reply:${sms.id ?? `${sms.from}:${now()}`}`, plain));
        replied = true;
      } catch (err) {
        deps.log.warn({ err, status }, 'sms reply not sent');
      }
      res.json({ status, replied, ...extra });
    };

    const parsed = parseReply(sms.text);
    if (parsed.kind === 'unrecognised') return reply(replyTexts.help(language), 'unrecognised');
    if (!(parsed.depthMm > 0 && parsed.depthMm <= IRRIGATION_BOUNDS.maxDepthMm)) return reply(replyTexts.outOfRange(language, IRRIGATION_BOUNDS.maxDepthMm), 'out_of_range');
    const fields: (SenderField & { cooperativeId: string })[] = [];
    for (const s of senders) for (const f of await deps.registry.senderFields(s)) fields.push({ ...f, cooperativeId: s.cooperativeId });
    if (fields.length === 0) return reply(replyTexts.noField(language), 'no_field');
    const chosen = parsed.fieldRef === undefined ? (fields.length === 1 ? fields : []) : matchFields(fields, parsed.fieldRef);
    if (chosen.length !== 1) return reply(replyTexts.which(language, parsed.depthMm, fields.map((f) => f.name)), 'ambiguous');
    const field = chosen[0]!;
    const t = now();
    const { event, created } = await deps.registry.recordIrrigation(field.cooperativeId, field.id, {
      startAt: t, depthMm: parsed.depthMm, source: 'sms', recordedBy: sms.from, note: sms.text.slice(0, 300), externalId: sms.id,
    }, t);
    if (!created) {
      count('duplicate'); // a retried delivery: recorded and answered the first time
      res.json({ status: 'duplicate', irrigationId: event.id, replied: false });
      return;
    }
    deps.irrigationRecorded?.();
    return reply(replyTexts.recorded(language, event.depthMm, field.name, event.startAt), 'recorded', { irrigationId: event.id });
  });
  return router;
}
