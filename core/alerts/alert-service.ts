// The alert lifecycle (docs/architecture.md: state two services touch lives in core/ with its transitions):
// open → acknowledged → resolved, at most one unresolved alert per (rule, subject). The rules engine
// raises, refreshes and auto-resolves; the API acknowledges and resolves by hand; escalation to the
// cooperative's technicians is recorded when an alert stays unacknowledged (delivery is issue 7).
// Every change is emitted once, after its transaction committed: 'opened' | 'acknowledged' | 'resolved' | 'escalated'.
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
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
  readonly db: Database;
  readonly log?: Logger | undefined;
  readonly now?: (() => number) | undefined;
}

type Viewer = Pick<User, 'id' | 'cooperativeId' | 'role' | 'farmIds'>;

export type AlertService = ReturnType<typeof createAlertService>;

export function createAlertService(opts: AlertServiceOptions) {
  const store = createAlertStore(opts.db);
  const now = opts.now ?? Date.now;
  const events = new EventEmitter<AlertEvents>();
  let pending: AlertChangeEvent[] | undefined; // events held back until the surrounding transaction commits

  function publish(change: AlertChangeEvent): void {
    if (pending) {
      pending.push(change);
      return;
    }
    try {
      events.emit(change.event, change);
    } catch (err) {
      // A subscriber's bug must not undo a committed transition.
      opts.log?.error({ err, alertId: change.alert.id, event: change.event }, 'alert listener failed');
    }
  }

  function mustGet(id: string): Alert {
    const alert = store.get(id);
    if (!alert) throw new RuongError('NOT_FOUND', `alert ${id} not found`);
    return alert;
  }

  /** Farmers see their own farms' alerts; everyone else the whole cooperative; others' alerts do not exist. */
  function visibleTo(user: Viewer, alert: Alert): boolean {
    if (alert.cooperativeId !== user.cooperativeId) return false;
    return user.role !== 'farmer' || (alert.farmId !== null && user.farmIds.includes(alert.farmId));
  }

  const service = {
    events,

    /** Runs fn in one SQLite transaction; lifecycle events are emitted only after it committed. */
    atomically<T>(fn: () => T): T {
      if (pending) return fn();
      pending = [];
      let held: AlertChangeEvent[] = [];
      try {
        const result = opts.db.transaction(fn)();
        held = pending;
        return result;
      } finally {
        pending = undefined;
        for (const change of held) publish(change);
      }
    },

    /** Opens an alert for the cause, or refreshes the numbers and text of the unresolved one. */
    raise(a: AlertRaise): { alert: Alert; opened: boolean } {
      const existing = store.unresolved(a.ruleId, a.subject);
      const t = now();
      if (existing) {
        store.update(existing.id, a, t);
        return { alert: mustGet(existing.id), opened: false };
      }
      const id = `al-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      store.insert(id, a, t);
      const alert = mustGet(id);
      publish({ event: 'opened', alert });
      return { alert, opened: true };
    },

    /** Refreshes the unresolved alert of a cause, if there is one; never opens. */
    refresh(ruleId: string, subject: string, patch: Pick<AlertRaise, 'kind' | 'severity' | 'text' | 'values'>): Alert | undefined {
      const existing = store.unresolved(ruleId, subject);
      if (!existing) return undefined;
      store.update(existing.id, patch, now());
      return mustGet(existing.id);
    },

    /** The rule saw the condition clear (with its hysteresis): resolves the unresolved alert, if any. */
    autoResolve(ruleId: string, subject: string, reason: string): Alert | undefined {
      const existing = store.unresolved(ruleId, subject);
      if (!existing || !store.resolve(existing.id, 'auto', reason, now())) return undefined;
      const alert = mustGet(existing.id);
      publish({ event: 'resolved', alert });
      return alert;
    },

    unresolved(ruleId: string, subject: string): Alert | undefined {
      return store.unresolved(ruleId, subject);
    },

    get(id: string): Alert | undefined {
      return store.get(id);
    },

    list(filter: AlertFilter): Alert[] {
      return store.list(filter);
    },

    /** The alert as the user may see it, else NOT_FOUND (another cooperative's alert does not exist). */
    getFor(user: Viewer, id: string): Alert {
      const alert = store.get(id);
      if (!alert || !visibleTo(user, alert)) throw new RuongError('NOT_FOUND', `alert ${id} not found`);
      return alert;
    },

    listFor(user: Viewer, filter: Omit<AlertFilter, 'cooperativeId' | 'farmIds'>): Alert[] {
      return store.list({ ...filter, cooperativeId: user.cooperativeId, farmIds: user.role === 'farmer' ? user.farmIds : undefined });
    },

    /** open → acknowledged. Acknowledging twice changes nothing; a resolved alert cannot be acknowledged. */
    acknowledge(user: Viewer, id: string, comment?: string): Alert {
      const alert = service.getFor(user, id);
      if (alert.status === 'acknowledged') return alert;
      if (alert.status === 'resolved') throw new RuongError('CONFLICT', `alert ${id} is already resolved`);
      if (!store.acknowledge(id, user.id, comment ?? null, now())) throw new RuongError('CONFLICT', `alert ${id} changed meanwhile`);
      const updated = mustGet(id);
      publish({ event: 'acknowledged', alert: updated });
      return updated;
    },

    /** open | acknowledged → resolved by a person. Resolving twice changes nothing. */
    resolve(user: Viewer, id: string, reason?: string): Alert {
      const alert = service.getFor(user, id);
      if (alert.status === 'resolved') return alert;
      if (!store.resolve(id, user.id, reason ?? 'resolved by hand', now())) throw new RuongError('CONFLICT', `alert ${id} changed meanwhile`);
      const updated = mustGet(id);
      publish({ event: 'resolved', alert: updated });
      return updated;
    },

    /**
     * Escalates every alert still unacknowledged escalateAfterMs after it opened (and again every
     * escalateAfterMs, up to MAX_ESCALATION_LEVEL) to the cooperative's technicians. Returns the escalated.
     */
    escalateDue(): Alert[] {
      const t = now();
      const out: Alert[] = [];
      for (const due of store.dueForEscalation(t, MAX_ESCALATION_LEVEL)) {
        const level = due.escalationLevel + 1;
        if (!store.escalate(due.id, level, store.escalationTargets(due.cooperativeId), t)) continue;
        const alert = mustGet(due.id);
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
