// core/alerts: one unresolved alert per (rule, subject), open → acknowledged → resolved, events emitted once
// and only after commit, escalation to the cooperative's technicians, and tenant scoping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertService, type AlertService } from '../../../core/alerts/alert-service.js';
import type { AlertChangeEvent, AlertRaise } from '../../../core/alerts/alert-types.js';
import type { Sql, SqlParams } from '../../../core/db/sql.js';
import { isUniqueViolation } from '../../../core/db/sql-errors.js';
import { createRegistry, type Registry } from '../../../core/registry/registry.js';

const MIN = 60_000;

describe('alert service', () => {
  let registry: Registry;
  let alerts: AlertService;
  let t: number;
  let events: AlertChangeEvent[];
  let tech: string;
  const admin = { id: 'usr-admin', cooperativeId: 'coop-a', role: 'admin' as const, farmIds: [] };

  const cause: AlertRaise = {
    cooperativeId: 'coop-a', farmId: 'farm-a', fieldId: 'field-a', deviceId: 'dev-a', ruleId: 'r1', subject: 'field:field-a',
    kind: 'irrigate', severity: 'warning', text: { vi: 'tưới', en: 'irrigate' }, values: { depletionMm: 60 }, escalateAfterMs: 30 * MIN,
  };
  const raise = (over: Partial<AlertRaise> = {}): ReturnType<AlertService['raise']> => alerts.raise({ ...cause, ...over });

  beforeEach(async () => {
    registry = createRegistry(':memory:');
    await registry.createCooperative({ id: 'coop-a', name: 'A' });
    await registry.createCooperative({ id: 'coop-b', name: 'B' });
    await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Farm A' });
    await registry.createFarm({ id: 'farm-a2', cooperativeId: 'coop-a', name: 'Farm A2' });
    tech = await registry.createUser({ cooperativeId: 'coop-a', username: 'tech', password: 'password-1234', role: 'technician' });
    t = 1_000_000;
    alerts = createAlertService({ sql: registry.sql, now: () => t });
    events = [];
    alerts.subscribe((e) => events.push(e));
  });
  afterEach(async () => { await registry.close(); });

  it('a cause that keeps firing updates its one unresolved alert instead of opening another', async () => {
    const first = await raise();
    t += MIN;
    const second = await raise({ values: { depletionMm: 70 }, text: { vi: 'tưới 70', en: 'irrigate 70' } });
    expect(first.opened).toBe(true);
    expect(second.opened).toBe(false);
    expect(second.alert.id).toBe(first.alert.id);
    expect(second.alert.values).toEqual({ depletionMm: 70 });
    expect(await alerts.list({ cooperativeId: 'coop-a' })).toHaveLength(1);
    expect(events.map((e) => e.event)).toEqual(['opened']);
  });

  it('open → acknowledged → resolved, each change emitted once; a resolved cause opens a new alert next time', async () => {
    const { alert } = await raise();
    const acked = await alerts.acknowledge({ ...admin, id: tech }, alert.id, 'đang bơm');
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: tech, ackComment: 'đang bơm', acknowledgedAt: t });
    expect((await alerts.acknowledge(admin, alert.id)).status).toBe('acknowledged'); // twice: no change, no event
    expect((await raise()).opened).toBe(false); // still one cause, still one alert
    t += 5 * MIN;
    expect(await alerts.autoResolve('r1', 'field:field-a', 'soil refilled')).toMatchObject({ status: 'resolved', resolvedBy: 'auto', resolveReason: 'soil refilled' });
    await expect(alerts.acknowledge(admin, alert.id)).rejects.toThrow(/already resolved/);
    expect((await raise()).opened).toBe(true);
    expect(events.map((e) => e.event)).toEqual(['opened', 'acknowledged', 'resolved', 'opened']);
  });

  it('a person resolves by hand; resolving twice changes nothing', async () => {
    const { alert } = await raise();
    expect(await alerts.resolve(admin, alert.id, 'đã tưới')).toMatchObject({ status: 'resolved', resolvedBy: 'usr-admin', resolveReason: 'đã tưới' });
    expect((await alerts.resolve(admin, alert.id)).resolveReason).toBe('đã tưới');
    expect(events.filter((e) => e.event === 'resolved')).toHaveLength(1);
  });

  it('escalates an unacknowledged alert to the technicians after escalateAfter, then again each period up to level 3', async () => {
    const { alert } = await raise();
    t += 29 * MIN;
    expect(await alerts.escalateDue()).toEqual([]);
    t += MIN;
    expect((await alerts.escalateDue()).map((a) => [a.id, a.escalationLevel, a.escalatedTo])).toEqual([[alert.id, 1, [tech]]]);
    expect(await alerts.escalateDue()).toEqual([]); // once per level
    t += 30 * MIN;
    expect((await alerts.escalateDue())[0]?.escalationLevel).toBe(2);
    t += 10 * 60 * MIN;
    expect((await alerts.escalateDue())[0]?.escalationLevel).toBe(3);
    t += 10 * 60 * MIN;
    expect(await alerts.escalateDue()).toEqual([]);
    expect(events.filter((e) => e.event === 'escalated').map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('an acknowledged alert, or one without an escalation delay, is not escalated', async () => {
    const a = (await raise()).alert;
    await raise({ ruleId: 'r2', severity: 'info', escalateAfterMs: null });
    await alerts.acknowledge(admin, a.id);
    t += 24 * 60 * MIN;
    expect(await alerts.escalateDue()).toEqual([]);
  });

  it('another cooperative\'s alert does not exist; a farmer sees only their farms', async () => {
    const { alert } = await raise();
    const other = (await raise({ ruleId: 'r3', farmId: 'farm-a2', fieldId: 'field-a2', subject: 'field:field-a2' })).alert;
    const outsider = { id: 'usr-b', cooperativeId: 'coop-b', role: 'admin' as const, farmIds: [] };
    await expect(alerts.getFor(outsider, alert.id)).rejects.toThrow(/not found/);
    expect(await alerts.listFor(outsider, {})).toEqual([]);
    const farmer = { id: 'usr-f', cooperativeId: 'coop-a', role: 'farmer' as const, farmIds: ['farm-a'] };
    expect((await alerts.listFor(farmer, {})).map((a) => a.id)).toEqual([alert.id]);
    await expect(alerts.getFor(farmer, other.id)).rejects.toThrow(/not found/);
  });

  it('inside atomically, events wait for the commit; a rollback emits nothing', async () => {
    await expect(alerts.atomically(async () => {
      await raise();
      expect(events).toEqual([]);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(events).toEqual([]);
    expect(await alerts.list({ cooperativeId: 'coop-a' })).toEqual([]);
    await alerts.atomically(async () => {
      await raise();
      expect(events).toEqual([]);
    });
    expect(events.map((e) => e.event)).toEqual(['opened']);
  });

  it('a raise that races another process opening the same cause ends with that one open alert', async () => {
    // The other process opens the cause's alert right after this raise looked for one and found none.
    const rival = createAlertService({ sql: registry.sql, now: () => t });
    let raced = false;
    const racing: Sql = {
      ...registry.sql,
      async one<T>(query: string, params?: SqlParams): Promise<T | undefined> {
        const row = await registry.sql.one<T>(query, params);
        if (!raced && query.includes("status != 'resolved'")) {
          raced = true;
          await rival.raise({ ...cause, text: { vi: 'khác', en: 'other' } });
        }
        return row;
      },
    };
    const racer = createAlertService({ sql: racing, now: () => t });
    const result = await racer.raise(cause);
    expect(raced).toBe(true);
    expect(result.opened).toBe(false);
    expect(result.alert.text).toEqual(cause.text); // the rival's alert, refreshed with this raise's numbers
    const open = await alerts.list({ cooperativeId: 'coop-a' });
    expect(open.map((a) => a.id)).toEqual([result.alert.id]);
  });

  it('the database itself refuses a second unresolved alert for one cause', async () => {
    await raise();
    const err: unknown = await registry.sql.run(
      `INSERT INTO alerts (id, cooperative_id, rule_id, subject, kind, severity, status, text_vi, text_en, vals, opened_at, updated_at)
       VALUES ('x', 'coop-a', 'r1', 'field:field-a', 'k', 'info', 'open', '', '', '{}', 0, 0)`,
    ).then(() => undefined, (e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });
});
