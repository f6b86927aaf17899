// core/alerts on both engines (issue 18): SQLite on a temporary file, PostgreSQL on a fresh database of the cluster
// the global setup starts (skipped only when PostgreSQL is not installed and REQUIRE_POSTGRES is not set).
// "Two processes" are two Sql handles on one database: on PostgreSQL two pools, truly concurrent; on SQLite one
// handle shared by concurrent async work (better-sqlite3 is synchronous, two connections of one thread would
// only wait for each other's write lock).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAlertService } from '../../core/alerts/alert-service.js';
import { createNotificationService } from '../../core/alerts/notification-service.js';
import type { AlertRaise } from '../../core/alerts/alert-types.js';
import { createOutbox, type NewOutboxEntry } from '../../core/alerts/outbox.js';
import { createRuleStore } from '../../core/alerts/rule-store.js';
import { openPostgresSql } from '../../core/db/postgres-sql.js';
import type { Sql } from '../../core/db/sql.js';
import { openSqliteSql } from '../../core/db/sqlite-sql.js';
import { silentLogger } from '../../core/log.js';
import { openRegistry, type Registry } from '../../core/registry/registry.js';
import { createPostgresDatabase } from '../helpers/postgres.js';
import { alertOn, fakeNotifiers } from '../unit/notify/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'ruong-alerts-engines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Engine {
  /** A migrated database and a second handle on it ("another process"). */
  open(): Promise<{ sql: Sql; other: Sql }>;
}

const postgresUrl = inject('postgresUrl');
const engines: [string, Engine | undefined][] = [
  ['SQLite', {
    open: () => {
      const sql = openSqliteSql(join(dir, `${randomUUID()}.db`));
      return Promise.resolve({ sql, other: sql });
    },
  }],
  ['PostgreSQL', postgresUrl === '' ? undefined : {
    open: async () => {
      const url = await createPostgresDatabase(postgresUrl, `ruong_alerts_${randomUUID().replace(/-/g, '')}`);
      return { sql: openPostgresSql(url, { max: 4 }), other: openPostgresSql(url, { max: 4 }) };
    },
  }],
];

const cause = (i: number): AlertRaise => ({
  cooperativeId: 'coop-a', farmId: 'farm-a', fieldId: null, deviceId: null, ruleId: 'r1', subject: `field:f${i}`,
  kind: 'irrigate', severity: 'warning', text: { vi: 'tưới', en: 'irrigate' }, values: { depletionMm: 60 + i }, escalateAfterMs: 60_000,
});

function entry(i: number, channel: NewOutboxEntry['channel'], now: number): NewOutboxEntry {
  return {
    key: `k${i}:${channel}`, kind: 'alert', alertId: `al-${i}`, event: 'opened', cooperativeId: 'coop-a', farmId: 'farm-a',
    recipient: `c${i}`, recipientName: `C ${i}`, channel, severity: 'warning', summary: `s${i}`,
    message: { channel: 'webhook', key: `k${i}:${channel}`, url: 'http://127.0.0.1:9/hook', body: {} } as unknown as NewOutboxEntry['message'],
    status: 'pending', holdReason: null, windowStart: null, createdAt: now, notBefore: now - 1_000 + i, expiresAt: now + 3_600_000,
  };
}

for (const [name, engine] of engines) {
  describe.skipIf(!engine)(`core/alerts on ${name}`, () => {
    let sql: Sql;
    let other: Sql;
    let registry: Registry;

    beforeEach(async () => {
      ({ sql, other } = await engine!.open());
      registry = await openRegistry(sql);
      await registry.createCooperative({ id: 'coop-a', name: 'A' });
      await registry.createCooperative({ id: 'coop-b', name: 'B' });
      await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Farm A' });
    });
    afterEach(async () => {
      if (other !== sql) await other.close();
      await sql.close();
    });

    it('two processes raising the same causes at once end with one open alert per cause, opened once', async () => {
      const a = createAlertService({ sql });
      const b = createAlertService({ sql: other });
      const opened: string[] = [];
      for (const s of [a, b]) s.subscribe((e) => { if (e.event === 'opened') opened.push(e.alert.id); });
      const results = await Promise.all([0, 1, 2, 3, 4, 5].flatMap((i) => [a.raise(cause(i)), b.raise(cause(i)), a.raise(cause(i))]));
      const open = await a.list({ cooperativeId: 'coop-a', limit: 1000 });
      expect(open).toHaveLength(6);
      expect(new Set(open.map((al) => al.subject)).size).toBe(6);
      for (const r of results) expect(open.map((al) => al.id)).toContain(r.alert.id);
      expect(results.filter((r) => r.opened)).toHaveLength(6);
      expect(opened.sort()).toEqual(open.map((al) => al.id).sort());
    });

    it('the lifecycle reads back the same on this engine: numbers, JSON, escalation targets', async () => {
      let t = 1_000_000;
      const alerts = createAlertService({ sql, now: () => t });
      const tech = await registry.createUser({ cooperativeId: 'coop-a', username: 'tech', password: 'password-1234', role: 'technician' });
      const { alert } = await alerts.raise(cause(1));
      expect(alert).toMatchObject({ openedAt: 1_000_000, escalateAfterMs: 60_000, escalationLevel: 0, values: { depletionMm: 61 }, escalatedTo: [] });
      t += 60_000;
      const [escalated] = await alerts.escalateDue();
      expect(escalated).toMatchObject({ id: alert.id, escalationLevel: 1, escalatedAt: 1_060_000, escalatedTo: [tech] });
      const admin = { id: 'usr-x', cooperativeId: 'coop-a', role: 'admin' as const, farmIds: [] };
      expect(await alerts.acknowledge(admin, alert.id, 'ok')).toMatchObject({ status: 'acknowledged', acknowledgedAt: 1_060_000 });
      expect(await alerts.resolve(admin, alert.id)).toMatchObject({ status: 'resolved', resolvedAt: 1_060_000 });
      expect((await alerts.raise(cause(1))).opened).toBe(true);
    });

    it('two dispatchers claiming at once never claim the same row, and each takes at most its room per channel', async () => {
      const now = 10_000_000;
      const box = createOutbox(sql);
      const rival = createOutbox(other);
      for (let i = 0; i < 30; i++) await box.insert(entry(i, i % 3 === 0 ? 'sms' : 'webhook', now));
      const room = { sms: 3, webhook: 6 };
      const claims = await Promise.all([box.claimDue(now, room), rival.claimDue(now, room), box.claimDue(now, room)]);
      for (const c of claims) {
        expect(c.filter((e) => e.channel === 'sms').length).toBeLessThanOrEqual(3);
        expect(c.filter((e) => e.channel === 'webhook').length).toBeLessThanOrEqual(6);
        expect(c.map((e) => e.id)).toEqual([...c].sort((x, y) => x.id - y.id).map((e) => e.id)); // oldest first
        for (const e of c) expect(e).toMatchObject({ attempts: 1, expiresAt: now + 3_600_000 });
      }
      const ids = claims.flat().map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(3 * 3 + 3 * 6); // 10 sms and 20 webhook rows: enough for every claim
      expect(await box.pendingByChannel()).toEqual([{ channel: 'sms', n: 10 }, { channel: 'webhook', n: 20 }]); // pending or sending
      expect(await box.nextDue()).toBe(now - 1_000 + 27); // left pending: the newest sms (27) and webhook rows (28, 29)
    });

    it('expires, retries, completes and refreshes a pending digest only', async () => {
      const now = 20_000_000;
      const box = createOutbox(sql);
      expect(await box.insert(entry(1, 'webhook', now))).toBe(true);
      expect(await box.insert(entry(1, 'webhook', now))).toBe(false); // its key exists
      await box.insert({ ...entry(2, 'webhook', now), expiresAt: now - 1 });
      expect(await box.expireDue(now)).toEqual(['webhook']);
      const [claimed] = await box.claimDue(now, { webhook: 4 });
      await box.markRetry(claimed!.id, now + 5_000, 'peer down');
      expect(await box.nextDue()).toBe(now + 5_000);
      const [again] = await box.claimDue(now + 5_000, { webhook: 4 });
      expect(again).toMatchObject({ id: claimed!.id, attempts: 2 });
      expect(await box.markSent(again!.id, now + 6_000)).toBe(true);
      const [delivery] = await box.deliveries('al-1', { cooperativeId: 'coop-a' });
      expect(delivery).toMatchObject({ status: 'sent', attempts: 2, sentAt: now + 6_000, notBefore: now + 5_000, lastError: null });

      const digest = { ...entry(3, 'sms', now), key: 'digest:c3:sms:0', holdReason: 'rate_limit' as const, windowStart: 0, digestCount: 1 };
      await box.upsertDigest(digest);
      await box.upsertDigest({ ...digest, summary: 'two', digestCount: 2 });
      expect(await sql.one('SELECT summary, digest_count AS n FROM notification_outbox WHERE idem_key = ?', [digest.key])).toEqual({ summary: 'two', n: 2 });
      await box.claimDue(now, { sms: 4 });
      await box.upsertDigest({ ...digest, summary: 'three', digestCount: 3 }); // being sent: unchanged
      expect(await sql.one('SELECT summary, digest_count AS n FROM notification_outbox WHERE idem_key = ?', [digest.key])).toEqual({ summary: 'two', n: 2 });
    });

    it('two notification services (dispatchers of two processes) send each message exactly once', async () => {
      await registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'Ruộng A', crop: 'rice' });
      const erp = await registry.createContact('coop-a', { name: 'ERP', role: 'integration', language: 'en', phone: '+84900000101', webhookUrl: 'http://127.0.0.1:9/hook' });
      await registry.addSubscription('coop-a', erp.id, { farmId: null, fieldId: null, severities: ['critical'], channels: null, events: ['opened'] });
      const otherRegistry = other === sql ? registry : await openRegistry(other);
      const notifiers = [fakeNotifiers(), fakeNotifiers()];
      const services = [sql, other].map((s, i) => createNotificationService({
        sql: s, directory: i === 0 ? registry : otherRegistry, notifiers: Object.values(notifiers[i]!), log: silentLogger(), idleMs: 20,
      }));
      for (const service of services) await service.start();
      const alerts = Array.from({ length: 12 }, () => alertOn({ severity: 'critical', fieldId: 'field-a', farmId: 'farm-a' }));
      try {
        for (const alert of alerts) {
          const { queued } = await services[0]!.handle({ event: 'opened', alert });
          expect(queued.sort()).toEqual(['mqtt', 'sms', 'webhook']);
          services[1]!.kick();
        }
        for (let i = 0; i < 250; i++) {
          const left = await sql.one<{ n: number }>("SELECT count(*) AS n FROM notification_outbox WHERE status != 'sent'");
          if (left?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        for (const service of services) await service.stop();
      }
      for (const channel of ['sms', 'webhook', 'mqtt'] as const) {
        const keys = notifiers.flatMap((n) => n[channel].keys());
        expect(keys.sort()).toEqual(alerts.map((al) => `${al.id}:opened:${channel === 'mqtt' ? 'farm:farm-a' : erp.id}:${channel}`).sort());
      }
      const rows = await sql.all<{ status: string; attempts: number }>('SELECT status, attempts FROM notification_outbox');
      expect(rows).toHaveLength(36);
      for (const r of rows) expect(r).toEqual({ status: 'sent', attempts: 1 });
    });

    it('rules: an id of another cooperative is never overwritten; each change moves the cooperative\'s revision', async () => {
      const rules = createRuleStore(sql);
      expect(await rules.revision('coop-a')).toBe(0);
      await rules.putRule('coop-a', 'coop-a-r1', { v: 1 }, 5);
      await rules.putRule('coop-a', 'coop-a-r1', { v: 2 }, 6);
      await expect(rules.putRule('coop-b', 'coop-a-r1', { v: 3 })).rejects.toThrow(/taken/);
      expect(await rules.rule('coop-a', 'coop-a-r1')).toEqual({ id: 'coop-a-r1', cooperativeId: 'coop-a', definition: { v: 2 }, updatedAt: 6 });
      expect(await rules.rule('coop-b', 'coop-a-r1')).toBeUndefined();
      expect(await rules.hasRules('coop-a')).toBe(true);
      expect(await rules.hasRules('coop-b')).toBe(false);
      expect(await rules.deleteRule('coop-a', 'coop-a-r1')).toBe(true);
      expect(await rules.revision('coop-a')).toBe(3);
      await rules.putState('r1', 'field:f1', { since: 1 });
      await rules.putState('r1', 'field:f1', { since: 2 });
      expect(await rules.state('r1', 'field:f1')).toEqual({ since: 2 });
      expect(await rules.cooperativeIds()).toEqual(['coop-a', 'coop-b']);
    });
  });
}
