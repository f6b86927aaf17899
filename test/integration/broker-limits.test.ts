// Each broker limit closes the offending connection and is counted in ruong_mqtt_limit_hits_total, while a
// well-behaved device keeps publishing and every one of its readings is stored. Limits are set small here
// through the same environment variables an operator uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, provision, reading, startWitness, storedCount, type Witness } from '../helpers/broker-witness.js';
import { CONNACK, deviceConnect, field, packet, rawSession, remainingLength } from '../helpers/mqtt-raw.js';
import { connectDevice, eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const hits = (p: TestPlatform, limit: string) => metricValue(p, `ruong_mqtt_limit_hits_total{limit="${limit}"}`);

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('packet size, keepalive, CONNECT timeout and publish rate', () => {
  let p: TestPlatform;
  let witness: Witness;
  let secret: string;

  beforeAll(async () => {
    p = await startTestPlatform({
      MQTT_MAX_PACKET_BYTES: '1024', MQTT_KEEPALIVE_MAX_S: '60', MQTT_CONNECT_TIMEOUT_S: '1', MQTT_PUBLISH_RATE: '1', MQTT_PUBLISH_BURST: '20',
    });
    witness = await startWitness(p);
    secret = await provision(p, 'offender');
  });
  afterAll(async () => {
    await witness?.end();
    await p?.close();
  });

  it('closes a connection whose PUBLISH announces more than MQTT_MAX_PACKET_BYTES, before its body is sent', async () => {
    const s = await rawSession(p.mqttPort());
    s.write(deviceConnect('offender', secret));
    await waitFor(() => s.received().length >= 4, 'CONNACK');
    // Header of a 64 MiB PUBLISH and the start of its topic: the rest never needs to arrive.
    s.write(Buffer.concat([Buffer.from([0x30]), remainingLength(64 * 1024 * 1024), field('devices/offender/up')]));
    await s.closed;
    expect(s.received()).toEqual(CONNACK(0));
    expect(await hits(p, 'packet_size')).toBe(1);
    await witness.publish();
  });

  it('accepts keepalive 0 and a keepalive above MQTT_KEEPALIVE_MAX_S (§3.1.2.10; the idle close: broker-mqtt311.test.ts)', async () => {
    for (const keepalive of [0, 61]) {
      const s = await rawSession(p.mqttPort());
      s.write(deviceConnect('offender', secret, { keepalive }));
      await waitFor(() => s.received().length >= 4, 'CONNACK');
      expect(s.received()).toEqual(CONNACK(0));
      expect(s.isClosed()).toBe(false);
      s.write(Buffer.from([0xe0, 0x00])); // DISCONNECT
      await s.closed;
    }
    expect(await hits(p, 'keepalive')).toBe(0);
    await witness.publish();
  });

  it('closes a connection that sends no CONNECT within MQTT_CONNECT_TIMEOUT_S', async () => {
    const s = await rawSession(p.mqttPort());
    await s.closed;
    expect(s.received()).toEqual(Buffer.alloc(0));
    expect(await hits(p, 'connect_timeout')).toBe(1);
    await witness.publish();
  });

  it('closes a device that runs further over MQTT_PUBLISH_RATE than half its keepalive can absorb', async () => {
    // Keepalive 1 s: the broker may hold its reads for at most 0.5 s, i.e. half a token at 1/s; 50 PUBLISH at once
    // after a burst of 20 owe 30 s. (A device that can wait is slowed instead: next describe.)
    const fast = await connectDevice(p.mqttUrl, 'offender', secret, { keepalive: 1 });
    const closed = new Promise<void>((resolve) => fast.once('close', () => resolve()));
    for (let i = 0; i < 50 && fast.connected; i++) fast.publish('devices/offender/up', reading(i), { qos: 0 });
    await closed;
    fast.end(true);
    expect(await hits(p, 'publish_rate')).toBe(1);
    await witness.publish();
  });

  it('kept storing every reading of the well-behaved device', async () => {
    expect(await witness.allStored()).toBe(4);
  });
});

describe('a device over MQTT_PUBLISH_RATE that can wait is slowed, not cut off', () => {
  let p: TestPlatform;
  afterAll(async () => {
    await p?.close();
  });

  it('receives a PUBACK for every reading, on one connection, no faster than the rate (TCP flow control)', async () => {
    // A probe back from hours offline replays its buffer as fast as it can (mqtt.js, keepalive 60 s). Closing it
    // made it reconnect into an empty bucket and resend: it never got through (issue 14).
    const RATE = 20;
    const BURST = 10;
    const WINDOW = 10; // in flight at once, as firmware keeps a small window
    const COUNT = 70;
    p = await startTestPlatform({ MQTT_PUBLISH_RATE: String(RATE), MQTT_PUBLISH_BURST: String(BURST) });
    const secret = await provision(p, 'catch-up');
    const device = await connectDevice(p.mqttUrl, 'catch-up', secret, { keepalive: 60 });
    let closes = 0;
    device.on('close', () => closes++);
    const started = Date.now();
    const acks = [];
    for (let i = 0; i < COUNT; i += WINDOW) {
      acks.push(...(await Promise.all(Array.from({ length: WINDOW }, (_, j) => device.publishAsync('devices/catch-up/up', reading(i + j), { qos: 1 })))));
    }
    const tookMs = Date.now() - started;
    expect(acks).toHaveLength(COUNT);
    expect(closes).toBe(0);
    expect(device.connected).toBe(true);
    // The limit still holds: the broker reads a window (one TCP chunk) at once and then waits until the device is
    // under the rate again, so all but the burst and the last window wait for tokens (a lower bound, not a timing).
    expect(tookMs).toBeGreaterThanOrEqual(((COUNT - BURST - WINDOW) / RATE) * 1000 - 100);
    await eventually(async () => ((await storedCount(p, 'catch-up')) === COUNT ? true : undefined), 10_000, 'every reading stored');
    expect(await hits(p, 'publish_rate')).toBe(0);
    await device.endAsync();
  });
});

describe('connection rate per source address', () => {
  let p: TestPlatform;
  let witness: Witness;

  beforeAll(async () => {
    p = await startTestPlatform({ MQTT_CONNECT_RATE: '0.001', MQTT_CONNECT_BURST: '8' });
    witness = await startWitness(p);
  });
  afterAll(async () => {
    await witness?.end();
    await p?.close();
  });

  it('closes new connections from an address over its budget, at once; connected devices keep publishing', async () => {
    const secret = await provision(p, 'flooder');
    const sessions = [];
    let refused = 0;
    for (let i = 0; i < 9 && refused === 0; i++) {
      const s = await rawSession(p.mqttPort());
      sessions.push(s);
      s.write(deviceConnect('flooder', secret));
      await Promise.race([s.closed, waitFor(() => s.received().length >= 4, 'CONNACK')]);
      if (s.isClosed() && s.received().length === 0) refused++;
    }
    for (const s of sessions) s.destroy();
    expect(refused).toBe(1);
    expect(await hits(p, 'connect_rate')).toBe(1);
    await witness.publish();
    expect(await witness.allStored()).toBe(1);
  });
});

describe('a stalled subscriber', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await startTestPlatform({ MQTT_DRAIN_TIMEOUT_S: '1' });
  });
  afterAll(async () => { await p?.close(); });

  it('is disconnected after MQTT_DRAIN_TIMEOUT_S with its socket full, and the publisher is not held up', async () => {
    const secret = await provision(p, 'stalled');
    const s = await rawSession(p.mqttPort());
    s.write(deviceConnect('stalled', secret));
    const subscribe = packet(0x82, Buffer.concat([Buffer.from([0x00, 0x01]), field('devices/stalled/down'), Buffer.from([0x00])]));
    await waitFor(() => s.received().length >= 4, 'CONNACK');
    s.write(subscribe);
    await waitFor(() => s.received().length >= 9, 'SUBACK');
    s.socket.pause(); // a device that stops reading: the broker's writes back up

    const ingestSecret = readFileSync(join(p.dataDir, 'ingest.secret'), 'utf8').trim();
    const commander = await mqtt.connectAsync(p.mqttUrl, { clientId: 'ruong-ingest-commands', username: 'ruong-ingest', password: ingestSecret, reconnectPeriod: 0 });
    const big = Buffer.alloc(60_000, 0x61);
    for (let i = 0; i < 1000 && (await hits(p, 'drain_timeout')) === 0; i++) await commander.publishAsync('devices/stalled/down', big, { qos: 0 });
    expect(await hits(p, 'drain_timeout')).toBe(1);
    s.socket.resume(); // read what the kernel still holds, then the broker's close
    await s.closed;
    await commander.publishAsync('devices/stalled/down', 'still here', { qos: 1 });
    await commander.endAsync();
  });
});
