// Every limit or protocol violation that closes a connection is counted in a metric; it is logged once per
// client (or source address) and kind, so a misbehaving device cannot flood the log (docs/architecture.md:
// nothing per message above debug on the hot path).
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Verdict } from './packet-checks.js';

export interface LimitReporter {
  report(verdict: Verdict, who: { clientId?: string | undefined; address?: string | undefined }): void;
}

const MAX_REMEMBERED = 10_000;

export function createLimitReporter(log: Logger, metrics: Metrics): LimitReporter {
  const logged = new Set<string>();
  return {
    report(verdict, who) {
      const what = verdict.kind === 'limit' ? verdict.limit : verdict.rule;
      if (verdict.kind === 'limit') metrics.mqttLimitHits.inc({ limit: verdict.limit });
      else metrics.mqttProtocolViolations.inc({ rule: verdict.rule });
      const key = `${what}|${who.clientId ?? who.address ?? '?'}`;
      if (logged.has(key)) return;
      if (logged.size >= MAX_REMEMBERED) logged.clear();
      logged.add(key);
      const fields = { clientId: who.clientId, address: who.address, reason: verdict.reason, connack: verdict.connack };
      if (verdict.kind === 'limit') log.warn({ ...fields, limit: verdict.limit }, 'mqtt limit reached: connection closed');
      else log.info({ ...fields, rule: verdict.rule }, 'mqtt protocol violation: connection closed');
    },
  };
}
