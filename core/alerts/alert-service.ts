// The alert lifecycle (docs/architecture.md: state two services touch lives in core/ with its transitions):
// open → acknowledged → resolved, at most one unresolved alert per (rule, subject). The rules engine
// raises, refreshes and auto-resolves; the API acknowledges and resolves by hand; escalation to the
// cooperative's technicians is recorded when an alert stays unacknowledged (delivery is issue 7).
// Every change is emitted once, after its transaction committed: 'opened' | 'acknowledged' | 'resolved' | 'escalated'.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Sql } from '../db/sql.js';
import { RuongError } from '../errors.js';
import type { Logger } from '../log.js';
import type { User } from '../registry/types.js';
import { createAlertStore } from './alert-store.js';
import { MAX_ESCALATION_LEVEL, type Alert, type AlertChangeEvent, type AlertFilter, type AlertRaise } from './alert-types.js';

export type AlertEvents = {
  opened: [AlertChangeEvent];
  acknowledged: [AlertChangeEvent];
  resolved: [AlertChangeEvent];
  escalated: [AlertChangeEvent];
};

export interface AlertServiceOptions {
  readonly sql: Sql;
  readonly log?: Logger | undefined;
  readonly now?: (() => number) | undefined;
}

// The async context of no transaction (this module's load): listeners run in it, so the work an event starts (the
// notification planner's own transaction) never joins a transaction the event was emitted from by accident.
const outsideAnyTransaction = AsyncLocalStorage.snapshot();

type Viewer = Pick<User, 'id' | 'cooperativeId' | 'role' | 'farmIds'>;

export type AlertService = ReturnType<typeof createAlertService>;

export function createAlertService(opts: AlertServiceOptions) {
  const store = createAlertStore(opts.sql);
  const now = opts.now ?? Date.now;
  const events = new EventEmitter<AlertEvents>();
  // Events held back until the surrounding transaction commits, per async context: work outside the
  // transaction publishes at once, and a rolled-back transaction takes only its own events with it.
  const held = new AsyncLocalStorage<AlertChangeEvent[]>();

  function publish(change: AlertChangeEvent): void {
    const pending = held.getStore();
    if (pending) {
      pending.push(change);
      return;
    }
    try {
      outsideAnyTransaction(() => events.emit(change.event, change));
    } catch (err) {
      // A subscriber's bug must not undo a committed transition.
      opts.log?.error({ err, alertId: change.alert.id, event: change.event }, 'alert listener failed');
    }
  }

  async function mustGet(id: string): Promise<Alert> {
    const alert = await store.get(id);
    if (!alert) throw new RuongError('NOT_FOUND', `alert ${id} not found`);
    return alert;
  }

  /** Farmers see their own farms' alerts; everyone else the whole cooperative; others' alerts do not exist. */
  function visibleTo(user: Viewer, alert: Alert): boolean {
    if (alert.cooperativeId !== user.cooperativeId) return false;
    return user.role !== 'farmer' || (alert.farmId !== null && user.farmIds.includes(alert.farmId));
  }

  async function raiseNow(a: AlertRaise): Promise<{ alert: Alert; opened: boolean }> {
    const t = now();
    const existing = await store.unresolved(a.ruleId, a.subject);
    if (!existing) {
      const id = `al-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      if (await store.insert(id, a, t)) {
        const alert = await mustGet(id);
        publish({ event: 'opened', alert });
        return { alert, opened: true };
      }
    }
    // The cause's unresolved alert: the one read above, or the one another process opened since
    // (alerts_one_unresolved made the insert do nothing) — one open alert per cause either way.
    const current = existing ?? (await store.unresolved(a.ruleId, a.subject));
    if (!current) throw new RuongError('CONFLICT', `alert of ${a.ruleId} for ${a.subject} changed meanwhile`);
    await store.update(current.id, a, t);
    return { alert: await mustGet(current.id), opened: false };
  }

  const service = {
    events,

    /**
     * Runs fn in one transaction (core/db/sql.ts; a nested call joins the outer one); lifecycle events are
     * emitted only after it committed, and not at all when it rolled back. PostgreSQL may run fn again after a
     * serialization failure: only the events of the attempt that committed are emitted.
     */
    async atomically<T>(fn: () => Promise<T>): Promise<T> {
      if (held.getStore()) return fn();
      let committed: AlertChangeEvent[] = [];
      const result = await opts.sql.tx(async () => {
        const pending: AlertChangeEvent[] = [];
        const value = await held.run(pending, fn);
        committed = pending;
        return value;
      });
      for (const change of committed) publish(change);
      return result;
    },

    /** Opens an alert for the cause, or refreshes the numbers and text of the unresolved one. */
    raise(a: AlertRaise): Promise<{ alert: Alert; opened: boolean }> {
      return service.atomically(() => raiseNow(a));
    },

    /** Refreshes the unresolved alert of a cause, if there is one; never opens. */
    async refresh(ruleId: string, subject: string, patch: Pick<AlertRaise, 'kind' | 'severity' | 'text' | 'values'>): Promise<Alert | undefined> {
      const existing = await store.unresolved(ruleId, subject);
      if (!existing) return undefined;
      await store.update(existing.id, patch, now());
      return mustGet(existing.id);
    },

    /** The rule saw the condition clear (with its hysteresis): resolves the unresolved alert, if any. */
    async autoResolve(ruleId: string, subject: string, reason: string): Promise<Alert | undefined> {
      const existing = await store.unresolved(ruleId, subject);
      if (!existing || !(await store.resolve(existing.id, 'auto', reason, now()))) return undefined;
      const alert = await mustGet(existing.id);
      publish({ event: 'resolved', alert });
      return alert;
    },

    unresolved(ruleId: string, subject: string): Promise<Alert | undefined> {
      return store.unresolved(ruleId, subject);
    },

    get(id: string): Promise<Alert | undefined> {
      return store.get(id);
    },

    list(filter: AlertFilter): Promise<Alert[]> {
      return store.list(filter);
    },

    /** The alert as the user may see it, else NOT_FOUND (another cooperative's alert does not exist). */
    async getFor(user: Viewer, id: string): Promise<Alert> {
      const alert = await store.get(id);
      if (!alert || !visibleTo(user, alert)) throw new RuongError('NOT_FOUND', `alert ${id} not found`);
      return alert;
    },

    listFor(user: Viewer, filter: Omit<AlertFilter, 'cooperativeId' | 'farmIds'>): Promise<Alert[]> {
      return store.list({ ...filter, cooperativeId: user.cooperativeId, farmIds: user.role === 'farmer' ? user.farmIds : undefined });
    },

    /** open → acknowledged. Acknowledging twice changes nothing; a resolved alert cannot be acknowledged. */
    async acknowledge(user: Viewer, id: string, comment?: string): Promise<Alert> {
      const alert = await service.getFor(user, id);
      if (alert.status === 'acknowledged') return alert;
      if (alert.status === 'resolved') throw new RuongError('CONFLICT', `alert ${id} is already resolved`);
      if (!(await store.acknowledge(id, user.id, comment ?? null, now()))) throw new RuongError('CONFLICT', `alert ${id} changed meanwhile`);
      const updated = await mustGet(id);
      publish({ event: 'acknowledged', alert: updated });
      return updated;
    },

    /** open | acknowledged → resolved by a person. Resolving twice changes nothing. */
    async resolve(user: Viewer, id: string, reason?: string): Promise<Alert> {
      const alert = await service.getFor(user, id);
      if (alert.status === 'resolved') return alert;
      if (!(await store.resolve(id, user.id, reason ?? 'resolved by hand', now()))) throw new RuongError('CONFLICT', `alert ${id} changed meanwhile`);
      const updated = await mustGet(id);
      publish({ event: 'resolved', alert: updated });
      return updated;
    },

    /**
     * Escalates every alert still unacknowledged escalateAfterMs after it opened (and again every
     * escalateAfterMs, up to MAX_ESCALATION_LEVEL) to the cooperative's technicians. Returns the escalated.
     */
    async escalateDue(): Promise<Alert[]> {
      const t = now();
      const out: Alert[] = [];
      for (const due of await store.dueForEscalation(t, MAX_ESCALATION_LEVEL)) {
        const level = due.escalationLevel + 1;
        if (!(await store.escalate(due.id, level, await store.escalationTargets(due.cooperativeId), t))) continue;
        const alert = await mustGet(due.id);
        out.push(alert);
        publish({ event: 'escalated', alert, seq: level });
      }
      return out;
    },

    /** issue 7's AlertSource: one listener for every lifecycle event. */
    subscribe(listener: (change: AlertChangeEvent) => void): () => void {
      const names = ['opened', 'acknowledged', 'resolved', 'escalated'] as const;
      for (const n of names) events.on(n, listener);
      return () => { for (const n of names) events.off(n, listener); };
    },
  };
  return service;
}
