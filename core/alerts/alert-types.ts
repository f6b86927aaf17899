// Alert records and their lifecycle vocabulary (docs/architecture.md: "alerts (open → acknowledged → resolved;
// one open alert per cause)"). The rules engine opens, updates and auto-resolves; the API acknowledges and
// resolves by hand; issue 7's outbox subscribes to the lifecycle events.
import { z } from 'zod';
import { Severity, type AlertEventName, type NotifiableAlert } from './notification-types.js';

export { Severity };

export const AlertStatus = z.enum(['open', 'acknowledged', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** Text of an alert in both languages; Vietnamese first, with diacritics. */
export interface AlertText {
  readonly vi: string;
  readonly en: string;
}

/** The numbers that justify an alert (reading, threshold, ET0, depletion …), JSON-serialisable. */
export type AlertValues = Readonly<Record<string, number | string | boolean | null>>;

/** What a rule asks for when its condition starts to hold (or keeps holding). */
export interface AlertRaise {
  readonly cooperativeId: string;
  readonly farmId: string | null;
  readonly fieldId: string | null;
  readonly deviceId: string | null;
  readonly ruleId: string;
  readonly subject: string;
  readonly kind: string;
  readonly severity: Severity;
  readonly text: AlertText;
  readonly values: AlertValues;
  /** Escalate to technicians when still unacknowledged after this long; null = never. */
  readonly escalateAfterMs: number | null;
}

/** An alert as stored: what the rule raised, plus its identity and lifecycle. */
export interface Alert extends NotifiableAlert, AlertRaise {
  readonly id: string;
  readonly values: AlertValues;
  readonly status: AlertStatus;
  /** Epoch ms. */
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  readonly ackComment: string | null;
  readonly resolvedAt: number | null;
  /** A user id, or `auto` when the rule saw the condition clear. */
  readonly resolvedBy: string | null;
  readonly resolveReason: string | null;
  readonly escalationLevel: number;
  readonly escalatedAt: number | null;
  /** User ids of the cooperative's technicians the alert was escalated to (delivery: issue 7). */
  readonly escalatedTo: readonly string[];
}

/** One lifecycle change, as issue 7's AlertSource expects it (`seq` = escalation level). */
export interface AlertChangeEvent {
  readonly event: AlertEventName;
  readonly alert: Alert;
  readonly seq?: number | undefined;
}

export interface AlertFilter {
  readonly cooperativeId: string;
  /** A farmer's farms; undefined = the whole cooperative. */
  readonly farmIds?: readonly string[] | undefined;
  readonly status?: AlertStatus | undefined;
  readonly fieldId?: string | undefined;
  readonly severity?: Severity | undefined;
  readonly ruleId?: string | undefined;
  readonly limit?: number | undefined;
}

/** Default escalation delays by severity [judg]: critical after 30 min, warning after 2 h, info never. */
export const DEFAULT_ESCALATE_AFTER_MS: Readonly<Record<Severity, number | null>> = {
  critical: 30 * 60_000,
  warning: 2 * 3_600_000,
  info: null,
};

/** An unacknowledged alert escalates again every escalateAfterMs, up to this level [judg]. */
export const MAX_ESCALATION_LEVEL = 3;
