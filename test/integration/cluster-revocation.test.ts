// Revoking a device or rotating its secret in another process (as `ruong api` does, issue 9) closes the
// device's live session on a separate `ruong broker` process within about a second (registry migration 7's
// credential change feed, cli/credential-watch.ts), and the old credential cannot reconnect. The broker
// process also serves GET /metrics on METRICS_PORT (cli/metrics-endpoint.ts).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, type Registry } from '../../core/registry/registry.js';
import { seedClusterDataDir, startClusterBroker, startClusterIngest, type ClusterBroker, type RuongChild } from '../helpers/cluster.js';
import { freePort } from '../helpers/influxd.js';
import { eventually } from '../helpers/platform.js';

describe('credential changes made by another process', () => {
  let dataDir: string;
  let registry: Registry;
  let broker: ClusterBroker;
  let ingest: RuongChild | undefined;
  let metricsPort: number;
  let secrets: Map<string, string>;

  beforeAll(async () => {
    ({ dataDir, secrets } = await seedClusterDataDir('ruong-cluster-revoke-', ['revoked-1', 'rotated-1', 'bystander']));
    registry = createRegistry(join(dataDir, 'registry.db')); // as `ruong api` would, in another process
    metricsPort = await freePort();
    broker = await startClusterBroker(dataDir, undefined, { METRICS_PORT: String(metricsPort) });
    // Without Redis a device's QoS 1 PUBACK waits for the ingest to store the reading: run one, as deployed.
    ingest = await startClusterIngest(dataDir, broker.url);
  }, 60_000);
  afterAll(async () => {
    await ingest?.kill9();
    await broker?.kill9();
    await registry?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const connect = (id: string, password = secrets.get(id)!) => mqtt.connectAsync(broker.url, { clientId: id, username: id, password, reconnectPeriod: 0 });
  const closed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()));

  it('closes the session of a device revoked elsewhere, and only that one', async () => {
    const [revoked, bystander] = await Promise.all([connect('revoked-1'), connect('bystander')]);
    const gone = closed(revoked);
    expect(await registry.revokeDevice('revoked-1')).toBe(true);
    await gone;
    await expect(connect('revoked-1')).rejects.toThrow(/Not authorized|Bad username or password/i);
    await bystander.publishAsync('devices/bystander/up', JSON.stringify({ readings: { 'soil_moisture@20cm': 30 } }), { qos: 1 });
    expect(bystander.connected).toBe(true);
    await bystander.endAsync();
  });

  it('serves its metrics to a Prometheus scraper, nothing else', async () => {
    const device = await connect('bystander');
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^ruong_mqtt_connected_clients(\{[^}]*\})? [1-9]/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    await device.endAsync();
  });

  it('closes the session opened with a secret rotated elsewhere; the new secret connects', async () => {
    const old = await connect('rotated-1');
    const gone = closed(old);
    const fresh = await registry.rotateDeviceSecret('rotated-1');
    await gone;
    await expect(connect('rotated-1')).rejects.toThrow(/Not authorized|Bad username or password/i);
    const renewed = await eventually(async () => connect('rotated-1', fresh).catch(() => undefined), 5000, 'the new secret accepted');
    await renewed.endAsync();
  });
});
