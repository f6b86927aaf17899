// Authentication and authorization at the real broker, with real MQTT clients (mqtt.js) over TCP:
// anonymous clients, session takeover, topic ACLs, last wills and presence, service credentials.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerService } from '../../broker/broker-service.js';
import { createLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { metricValue, provision, reading, storedCount } from '../helpers/broker-witness.js';
import { connectDevice, eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
beforeAll(async () => { p = await startTestPlatform(); });
afterAll(async () => { await p?.close(); });

const closeOf = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()));
const service = (name: string, file: string, clientId: string) =>
  mqtt.connectAsync(p.mqttUrl, { clientId, username: name, password: readFileSync(join(p.dataDir, file), 'utf8').trim(), reconnectPeriod: 0 });

describe('anonymous clients', () => {
  it('are refused by default (CONNACK 0x05)', async () => {
    await expect(mqtt.connectAsync(p.mqttUrl, { clientId: 'tool', reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
  });

  it('are accepted with MQTT_ALLOW_ANONYMOUS=true, which warns at start-up', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb(); } });
    const broker = createBrokerService({
      auth: { verifyDevice: () => Promise.resolve(false), verifyService: () => Promise.resolve(false) },
      log: createLogger({ level: 'warn', destination }), metrics: createMetrics(), host: '127.0.0.1', port: 0, allowAnonymous: true,
    });
    await broker.start();
    try {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.addresses().tcp}`, { clientId: 'tool', reconnectPeriod: 0 });
      await client.endAsync();
      expect(lines.join('')).toMatch(/"level":40.*MQTT_ALLOW_ANONYMOUS=true/);
    } finally {
      await broker.stop();
    }
  });

  it('may send readings but never a pump command on devices/{id}/down: the connection is closed', async () => {
    const broker = createBrokerService({
      auth: { verifyDevice: () => Promise.resolve(false), verifyService: () => Promise.resolve(false) },
      log: createLogger({ level: 'silent' }), metrics: createMetrics(), host: '127.0.0.1', port: 0, allowAnonymous: true,
    });
    await broker.start();
    try {
      const url = `mqtt://127.0.0.1:${broker.addresses().tcp}`;
      const pump = await mqtt.connectAsync(url, { clientId: 'pump-1', reconnectPeriod: 0 });
      const commands: string[] = [];
      pump.on('message', (topic) => commands.push(topic));
      await pump.subscribeAsync('devices/pump-1/down', { qos: 1 });
      const tool = await mqtt.connectAsync(url, { clientId: 'tool', reconnectPeriod: 0 });
      await tool.publishAsync('devices/pump-1/up', reading(1), { qos: 1 });
      expect(tool.connected).toBe(true);
      const closed = closeOf(tool);
      tool.publish('devices/pump-1/down', JSON.stringify({ cmd: 'pump_on' }), { qos: 1 });
      await closed;
      tool.end(true);
      await pump.publishAsync('devices/pump-1/status', 'online', { qos: 1 }); // a round trip after the refused publish
      expect(commands).toEqual([]);
      await pump.endAsync();
    } finally {
      await broker.stop();
    }
  });
});

describe('session takeover', () => {
  it('refuses another credential using a device\'s client id, and the device stays connected', async () => {
    const secret = await provision(p, 'victim');
    const otherSecret = await provision(p, 'intruder');
    const victim = await connectDevice(p.mqttUrl, 'victim', secret);
    await expect(connectDevice(p.mqttUrl, 'victim', otherSecret, { username: 'intruder' })).rejects.toThrow(/Not authorized/i);
    await victim.publishAsync('devices/victim/up', reading(1), { qos: 1 });
    expect(victim.connected).toBe(true);
    await victim.endAsync();
  });

  it('replaces the live session when the same credential connects again, and counts it', async () => {
    const secret = await provision(p, 'twice');
    const first = await connectDevice(p.mqttUrl, 'twice', secret);
    const firstClosed = closeOf(first);
    const second = await connectDevice(p.mqttUrl, 'twice', secret);
    await firstClosed;
    first.end(true);
    await second.publishAsync('devices/twice/up', reading(1), { qos: 1 });
    await eventually(async () => ((await storedCount(p, 'twice')) === 1 ? true : undefined));
    expect(await metricValue(p, 'ruong_mqtt_session_takeovers_total')).toBe(1);
    await second.endAsync();
  });
});

describe('topic ACL', () => {
  it('refuses a device\'s subscription to # and to another device\'s topics (SUBACK 0x80)', async () => {
    const secret = await provision(p, 'nosy');
    const nosy = await connectDevice(p.mqttUrl, 'nosy', secret);
    // mqtt.js rejects a SUBACK holding 0x80; the packet it carries has the per-filter return codes.
    const err = await nosy.subscribeAsync(['#', 'devices/victim/down', 'devices/nosy/down'], { qos: 1 }).then(() => undefined, (e: unknown) => e);
    expect((err as { packet?: { granted?: number[] } }).packet?.granted).toEqual([128, 128, 1]);
    await nosy.endAsync();
  });

  it('closes a device that publishes on another device\'s topic', async () => {
    const secret = await provision(p, 'spoofer');
    const spoofer = await connectDevice(p.mqttUrl, 'spoofer', secret);
    const closed = closeOf(spoofer);
    spoofer.publish('devices/victim/up', reading(2), { qos: 1 });
    await closed;
    spoofer.end(true);
  });
});

describe('last will and presence', () => {
  it('refuses a CONNECT whose will is not the device\'s own status topic (CONNACK 0x05)', async () => {
    const secret = await provision(p, 'willful');
    await expect(connectDevice(p.mqttUrl, 'willful', secret, { will: { topic: 'devices/victim/status', payload: Buffer.from('offline'), qos: 1, retain: true } }))
      .rejects.toThrow(/Not authorized/i);
  });

  it('publishes the retained online status and, on a lost connection, the retained offline will', async () => {
    const secret = await provision(p, 'present');
    const device = await connectDevice(p.mqttUrl, 'present', secret, { will: { topic: 'devices/present/status', payload: Buffer.from('offline'), qos: 1, retain: true } });
    await device.publishAsync('devices/present/status', 'online', { qos: 1, retain: true });
    device.stream.destroy(); // the link drops: no DISCONNECT
    device.end(true);
    const watcher = await service('ruong-ingest', 'ingest.secret', 'ruong-ingest-presence');
    const seen = new Promise<string>((resolve) => watcher.on('message', (topic, payload, packet) => {
      if (topic === 'devices/present/status' && packet.retain && payload.toString() === 'offline') resolve('offline');
    }));
    await watcher.subscribeAsync('devices/+/status', { qos: 1 });
    expect(await seen).toBe('offline');
    await watcher.endAsync();
  });
});

describe('LoRaWAN network server credential (ruong-lns)', () => {
  it('publishes under application/ and v3/', async () => {
    const lns = await service('ruong-lns', 'lns.secret', 'ruong-lns-chirpstack');
    await lns.publishAsync('application/7/device/0004a30b001c0530/event/up', '{}', { qos: 1 });
    await lns.publishAsync('v3/rice@ttn/devices/probe-7/up', '{}', { qos: 1 });
    await lns.endAsync();
  });

  it('is closed when it publishes on a device topic', async () => {
    const lns = await service('ruong-lns', 'lns.secret', 'ruong-lns-chirpstack');
    const closed = closeOf(lns);
    lns.publish('devices/victim/up', reading(3), { qos: 1 });
    await closed;
    lns.end(true);
  });

  it('is refused with a client id that does not start with ruong-lns', async () => {
    await expect(service('ruong-lns', 'lns.secret', 'victim')).rejects.toThrow(/Bad username or password/i);
  });
});
