// `ruong rules` as its own process (issue 9): fed by an MQTT subscription to the broker (decoded with
// core/telemetry), it opens an alert in the shared registry for a device's reading below a cooperative's
// threshold — and after a kill -9 and a restart it does not open a second one for the same cause.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuleStore } from '../../core/alerts/rule-store.js';
import { createRegistry } from '../../core/registry/registry.js';
import { METRIC } from '../helpers/broker-witness.js';
import { startClusterBroker, startClusterIngest, startClusterRules, type ClusterBroker, type RuongChild } from '../helpers/cluster.js';
import { connectDevice, eventually } from '../helpers/platform.js';

const RULE = 'coop-demo:dry-probe';
const WET = 'coop-demo:wet-probe';

describe('`ruong rules` in its own process', () => {
  let dataDir: string;
  let secret: string;
  let broker: ClusterBroker;
  const children: RuongChild[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ruong-cluster-rules-'));
    const registry = createRegistry(join(dataDir, 'registry.db'));
    const coop = await registry.createCooperative({ id: 'coop-demo', name: 'Coop' });
    const farm = await registry.createFarm({ cooperativeId: coop, name: 'Farm' });
    const field = await registry.createField({ farmId: farm, name: 'Field', crop: 'coffee' });
    secret = (await registry.provisionDevice({ id: 'dry-1', fieldId: field, kind: 'soil_probe', name: 'dry' })).secret;
    await createRuleStore(registry.sql).putRule(coop, RULE, { version: 1, id: RULE, kind: 'threshold', scope: { deviceId: 'dry-1' }, metric: METRIC, below: 10, cooldown: '2h' });
    await createRuleStore(registry.sql).putRule(coop, WET, { version: 1, id: WET, kind: 'threshold', scope: { deviceId: 'dry-1' }, metric: METRIC, above: 50 });
    await registry.close();
    broker = await startClusterBroker(dataDir);
    children.push(broker);
    // The ingest beside it, as deployed: without Redis a device's PUBACK waits for the ingest to store the reading.
    children.push(await startClusterIngest(dataDir, broker.url));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill9()));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens one alert for a reading below the threshold, no second one after a restart, and resolves it', async () => {
    const openAlerts = (rule = RULE) => {
      const db = new Database(join(dataDir, 'registry.db'), { readonly: true });
      try {
        return db.prepare(`SELECT device_id AS deviceId, status FROM alerts WHERE rule_id = ?`).all(rule) as { deviceId: string; status: string }[];
      } finally { db.close(); }
    };
    const first = await startClusterRules(dataDir, broker.url);
    children.push(first);
    const device = await connectDevice(broker.url, 'dry-1', secret);
    const now = Date.now();
    await device.publishAsync('devices/dry-1/up', JSON.stringify({ ts: now - 60_000, seq: 1, readings: { [METRIC]: 6.5 } }), { qos: 1 });
    await eventually(() => Promise.resolve(openAlerts().length > 0 ? true : undefined), 15_000, 'alert opened');
    expect(openAlerts()).toEqual([{ deviceId: 'dry-1', status: 'open' }]);

    await first.kill9();
    const second = await startClusterRules(dataDir, broker.url);
    children.push(second);
    await device.publishAsync('devices/dry-1/up', JSON.stringify({ ts: now - 30_000, seq: 2, readings: { [METRIC]: 6.0 } }), { qos: 1 });
    // A reading after it, opening the other rule's alert, shows the new process has evaluated the dry one.
    await device.publishAsync('devices/dry-1/up', JSON.stringify({ ts: now - 10_000, seq: 3, readings: { [METRIC]: 60 } }), { qos: 1 });
    await eventually(() => Promise.resolve(openAlerts(WET).length > 0 ? true : undefined), 15_000, 'second rule\'s alert');
    // Still ONE alert for the dry cause (the reading after the restart did not open another); 60 resolved it.
    expect(openAlerts()).toEqual([{ deviceId: 'dry-1', status: 'resolved' }]);
    await device.endAsync();
  }, 60_000);
});
