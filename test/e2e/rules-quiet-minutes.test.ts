// Scenario on the real pipeline with fake time (issue 19): the every-minute check of devices whose state does not
// change writes nothing to the registry. What the operator sees in DATA_DIR/registry.db (read here as they would,
// with a second SQLite connection): a device's offline-rule state row is written when the device goes silent past
// its limit, not every minute while it stays quiet or stays offline. The alerts are the same as before: one per
// silent device, opened at 6 reporting intervals, and a restart in the middle neither opens a second one nor
// closes one while the device is still silent.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesPlatform, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;

describe('minute checks of devices that stay as they are', () => {
  let rp: RulesPlatform;
  const t0 = Math.floor((Date.now() - 6 * 3_600_000) / MIN) * MIN;

  beforeAll(async () => { rp = await startRulesPlatform(t0); });
  afterAll(async () => { await rp?.close(); });

  /** The offline rules' state rows as the registry file holds them: subject → `updated_at state`. */
  const offlineRows = (): Map<string, string> => {
    const db = new Database(join(rp.dataDir, 'registry.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT subject, state, updated_at AS updatedAt FROM rule_state WHERE rule_id LIKE '%:offline.%' ORDER BY subject").all() as { subject: string; state: string; updatedAt: number }[];
      return new Map(rows.map((r) => [r.subject, `${r.updatedAt} ${r.state}`]));
    } finally {
      db.close();
    }
  };
  const minutes = async (from: number, to: number) => {
    for (let m = from; m <= to; m++) {
      rp.clock.t = t0 + m * MIN;
      await rp.p.rules.checkMinute();
    }
  };
  const offline = async () => (await rp.alerts()).filter((a) => a.kind === 'device_offline');

  it('while every device is within its limit, 28 more checks leave every state row as the first check wrote it', async () => {
    rp.clock.t = t0 + MIN;
    await rp.publish('soil-coffee-b', [{ ts: t0, readings: { 'soil_moisture@20cm': 31, battery: 80 } }]);
    await minutes(2, 2);
    const first = offlineRows();
    expect(first.size).toBe(7); // every demo device has its offline rule's state
    await minutes(3, 30);
    expect(offlineRows()).toEqual(first);
    expect(await offline()).toEqual([]);
  });

  it('the devices going offline are written once, then 20 checks of them staying offline write nothing', async () => {
    const before = offlineRows();
    await minutes(31, 70);
    const alerts = await offline();
    expect(alerts.map((a) => a.deviceId).sort()).toEqual(['awd-rice-1', 'awd-rice-2', 'canal-mekong', 'soil-coffee-a', 'soil-coffee-b', 'wx-highlands', 'wx-mekong']);
    expect(alerts.every((a) => a.status === 'open')).toBe(true);
    const offlineNow = offlineRows();
    for (const [subject, row] of offlineNow) expect(row, subject).not.toBe(before.get(subject));
    await minutes(71, 90);
    expect(offlineRows()).toEqual(offlineNow);
  });

  it('after a restart the silent devices keep their one open alert, and one that reports again resolves it', async () => {
    const open = (await offline()).map((a) => a.id).sort();
    await rp.restart();
    await minutes(91, 100);
    const after = await offline();
    expect(after.map((a) => a.id).sort()).toEqual(open);
    expect(after.every((a) => a.status === 'open')).toBe(true);
    rp.clock.t = t0 + 101 * MIN;
    await rp.publish('soil-coffee-b', [{ ts: t0 + 100 * MIN, readings: { 'soil_moisture@20cm': 31, battery: 80 } }]);
    await minutes(102, 103);
    const b = (await offline()).find((a) => a.deviceId === 'soil-coffee-b');
    expect(b).toMatchObject({ status: 'resolved', resolveReason: 'the device reports again' });
    expect((await offline()).filter((a) => a.status === 'open')).toHaveLength(6);
  });
});
