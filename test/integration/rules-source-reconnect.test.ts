// `ruong rules`' MQTT reading source (cli/mqtt-reading-source.ts) when the broker is slow to answer: a broker busy
// with a connect storm can take longer than one attempt's CONNACK timeout, and mqtt.js reports that attempt as an
// 'error' event — which, without a listener, ends the process (bench:broker-operator, 50,000 devices, once did).
// Over real TCP through a small proxy that can hold new connections unanswered: the source starts while no
// CONNACK comes, keeps going through a later outage of the same kind, and hands over the readings a device
// publishes after each; a broker refusing its credentials still fails the start with the broker's reason.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttReadingSource, type MqttReadingSource } from '../../cli/mqtt-reading-source.js';
import { ensureIngestSecret } from '../../cli/service-secret.js';
import { silentLogger } from '../../core/log.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { connectDevice, eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** A TCP proxy to `port`: `hold()` leaves new connections unanswered and cuts the open ones; `pass()` forwards. */
async function startHoldingProxy(port: number): Promise<{ port: number; hold(): void; pass(): void; close(): Promise<void> }> {
  let holding = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (holding) return; // accepted, never answered: the CONNACK times out
    const upstream = createConnection({ host: '127.0.0.1', port });
    sockets.add(upstream);
    upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hold() { holding = true; for (const s of sockets) s.destroy(); },
    pass() { holding = false; },
    close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(() => r())); },
  };
}

describe('the rules\' reading source when the broker does not answer in time', () => {
  let p: TestPlatform;
  let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
  let source: MqttReadingSource | undefined;
  const warnings: string[] = [];
  const log = { ...silentLogger(), warn: (_o: unknown, msg?: string) => { warnings.push(msg ?? ''); } } as unknown as ReturnType<typeof silentLogger>;

  beforeAll(async () => {
    p = await startTestPlatform();
    proxy = await startHoldingProxy(p.mqttPort());
  }, 30_000);
  afterAll(async () => {
    await source?.stop();
    await proxy?.close();
    await p?.close();
  });

  async function publishReading(deviceId: string, secret: string, value: number): Promise<void> {
    const device = await connectDevice(p.mqttUrl, deviceId, secret);
    await device.publishAsync(`devices/${deviceId}/up`, JSON.stringify({ ts: Date.now() - 1000, readings: { 'soil_moisture@20cm': value } }), { qos: 1 });
    await device.endAsync();
  }

  it('starts once the broker answers, stays up through attempts without a CONNACK, and hands over the readings after each', async () => {
    const credential = await ensureIngestSecret(p.registry, p.dataDir);
    const { secret } = await p.registry.provisionDevice({ id: 'probe-slow-broker', fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'slow broker' });
    const seen: StoredReading[] = [];
    proxy.hold();
    source = createMqttReadingSource({
      servers: [{ host: '127.0.0.1', port: proxy.port }], ...credential, clientId: 'ruong-ingest-rules-slow', registry: p.registry,
      log, connectTimeoutMs: 300,
    });
    source.subscribe((batch) => seen.push(...batch));
    let started = false;
    const starting = source.start().then(() => { started = true; });
    await eventually(() => Promise.resolve(warnings.length >= 2 ? true : undefined), 10_000, 'two attempts without a CONNACK');
    expect(started).toBe(false);
    proxy.pass();
    await starting;

    await publishReading('probe-slow-broker', secret, 31.5);
    await eventually(() => Promise.resolve(seen.some((r) => r.value === 31.5) ? true : undefined), 10_000, 'the first reading');

    // The connection drops and the next attempts get no CONNACK either; the process carries on.
    const before = warnings.length;
    proxy.hold();
    await eventually(() => Promise.resolve(warnings.length >= before + 2 ? true : undefined), 10_000, 'two more failed attempts');
    proxy.pass();
    // Once connected again (and subscribed again: clean session), a new reading reaches the rules.
    await eventually(async () => {
      await publishReading('probe-slow-broker', secret, 27.25);
      return seen.some((r) => r.value === 27.25) ? true : undefined;
    }, 15_000, 'a reading after the outage');
    expect(seen.filter((r) => r.deviceId === 'probe-slow-broker').map((r) => r.metric)).toContain('soil_moisture@20cm');
  }, 40_000);

  it('a broker that refuses the credentials fails the start with its reason', async () => {
    const wrong = createMqttReadingSource({
      servers: [{ host: '127.0.0.1', port: p.mqttPort() }], username: 'ruong-ingest', password: 'not-the-secret', clientId: 'ruong-ingest-rules-wrong',
      registry: p.registry, log, connectTimeoutMs: 2000,
    });
    await expect(wrong.start()).rejects.toThrow(/Not authorized|Bad username or password/i);
    await wrong.stop();
  });
});
