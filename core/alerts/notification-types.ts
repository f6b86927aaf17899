// Notification vocabulary shared by the outbox (core/alerts), the channels (rules/notify) and the API:
// the alert as the notifier sees it, the source of alert events, the per-channel messages (persisted as
// JSON in the outbox, parsed with zod when read back) and the one Notifier interface every channel
// implements (docs/architecture.md, "Interfaces that carry the design").
import { z } from 'zod';

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const Language = z.enum(['vi', 'en']);
export type Language = z.infer<typeof Language>;

export const AlertEventName = z.enum(['opened', 'acknowledged', 'resolved', 'escalated']);
export type AlertEventName = z.infer<typeof AlertEventName>;

export const Channel = z.enum(['sms', 'zalo', 'email', 'webhook', 'mqtt']);
export type Channel = z.infer<typeof Channel>;

/** The fields of an alert record (core/alerts, issue 5) that notifications use. */
export interface NotifiableAlert {
  readonly id: string;
  readonly ruleId: string;
  readonly kind: string;
  readonly severity: Severity;
  readonly status: string;
  readonly fieldId: string | null;
  readonly farmId: string | null;
  readonly deviceId: string | null;
  readonly openedAt: number | string;
  readonly text: { readonly vi: string; readonly en: string };
  readonly values: Readonly<Record<string, unknown>>;
}

/** One lifecycle change of an alert. `seq` tells repeated escalations apart (level 1, 2, …). */
export interface AlertChange {
  readonly event: AlertEventName;
  readonly alert: NotifiableAlert;
  readonly seq?: number | undefined;
}

/** Where alert changes come from: the alerts service's event emitter, adapted in cli/. */
export interface AlertSource {
  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: (change: AlertChange) => void): () => void;
}

const Key = z.string().min(1).max(300);

export const EmailMessage = z.object({ channel: z.literal('email'), key: Key, to: z.string(), subject: z.string(), text: z.string() });
export type EmailMessage = z.infer<typeof EmailMessage>;

export const SmsMessage = z.object({
  channel: z.literal('sms'), key: Key, to: z.string(), text: z.string(),
  encoding: z.enum(['gsm7', 'ucs2']), segments: z.number().int().positive(),
});
export type SmsMessage = z.infer<typeof SmsMessage>;

export const ZaloMessage = z.object({
  channel: z.literal('zalo'), key: Key, phone: z.string(), templateData: z.record(z.string(), z.string()),
});
export type ZaloMessage = z.infer<typeof ZaloMessage>;

export const WebhookMessage = z.object({
  channel: z.literal('webhook'), key: Key, url: z.string(), contactId: z.string(), body: z.record(z.string(), z.unknown()),
});
export type WebhookMessage = z.infer<typeof WebhookMessage>;

export const MqttMessage = z.object({ channel: z.literal('mqtt'), key: Key, topic: z.string(), payload: z.record(z.string(), z.unknown()) });
export type MqttMessage = z.infer<typeof MqttMessage>;

export const NotificationMessage = z.discriminatedUnion('channel', [EmailMessage, SmsMessage, ZaloMessage, WebhookMessage, MqttMessage]);
export type NotificationMessage = z.infer<typeof NotificationMessage>;

/**
 * A failed send. `retryable` = the peer may accept the same message later (down, timeout, 5xx, 429);
 * not retryable = it never will (bad address, 4xx, rejected template) and the outbox marks it failed.
 */
export class NotifierError extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotifierError';
    this.retryable = retryable;
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof NotifierError ? err.retryable : true;
}

/** One channel. `send` resolves once the peer accepted the message, rejects with a NotifierError. */
export interface Notifier {
  readonly channel: Channel;
  send(message: NotificationMessage, signal: AbortSignal): Promise<void>;
  /** Releases connections; safe twice. A send after close rejects (retryable). */
  close(): Promise<void>;
}
