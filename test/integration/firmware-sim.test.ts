// The firmware simulator against a real Aedes broker on port 0: devices authenticate with their own
// credentials, publish native payloads that decode without rejections, keep their clocks honest (never
// ahead of the real one), and deliver what they buffered during a dropped connection as a backlog with
// the original timestamps and sequence numbers.
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeNative, NativePayload, type NativeEntry } from '../../core/telemetry/decoders/native.js';
import { parseDeviceTopic } from '../../core/telemetry/topics.js';
import { createSimulator, devEuiOf, encodeDownlink, type SimDeviceSpec, type Simulator } from '../../firmware-sim/index.js';

interface Received {
  readonly deviceId: string;
  readonly kind: string;
  readonly payload: Buffer;
  readonly receivedAt: number;
  readonly retain: boolean;
}

const HOUR = 3_600_000;
const secrets: Record<string, string> = { 'wx-it': 's3cret-wx', 'awd-it': 's3cret-awd', 'soil-it': 's3cret-soil', 'canal-it': 's3cret-canal' };
const device = (deviceId: string, kind: SimDeviceSpec['kind'], extra: Partial<SimDeviceSpec> = {}): SimDeviceSpec => ({
  deviceId,
  secret: secrets[deviceId] ?? '',
  kind,
  lat: 9.55,
  elevationM: 1,
  seed: 5,
  ...extra,
});

async function waitFor(what: string, check: () => boolean, timeoutMs = 6_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every entry of a device's up messages, in arrival order, with the message it came in. */
function entriesOf(messages: Received[], deviceId: string): { entry: NativeEntry; message: Received; batch: number }[] {
  return messages
    .filter((m) => m.deviceId === deviceId && m.kind === 'up')
    .flatMap((message) => {
      const parsed = NativePayload.parse(JSON.parse(message.payload.toString('utf8')));
      const entries = Array.isArray(parsed) ? parsed : [parsed];
      return entries.map((entry) => ({ entry, message, batch: entries.length }));
    });
}

describe('firmware simulator on a real broker', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  let watcher: MqttClient;
  let sim: Simulator | undefined;
  const messages: Received[] = [];
  const clients = new Map<string, Client>();
  const connects = new Map<string, number>();

  beforeAll(async () => {
    broker = await Aedes.createBroker({
      authenticate(client, username, password, done) {
        const ok = username === 'watcher' || (username === client.id && password?.toString() === secrets[username ?? '']);
        if (ok) return done(null, true);
        const err = new Error('bad credentials') as AuthenticateError;
        err.returnCode = 4;
        done(err, false);
      },
    });
    broker.on('clientReady', (client) => {
      clients.set(client.id, client);
      connects.set(client.id, (connects.get(client.id) ?? 0) + 1);
    });
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    watcher = await mqtt.connectAsync(url, { clientId: 'watcher', username: 'watcher', password: 'x', reconnectPeriod: 0 });
    watcher.on('message', (topic, payload, packet) => {
      const parsed = parseDeviceTopic(topic);
      if (parsed) messages.push({ ...parsed, payload, receivedAt: Date.now(), retain: packet.retain });
    });
    await watcher.subscribeAsync(['devices/+/up', 'devices/+/status'], { qos: 1 });
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  afterAll(async () => {
    await watcher?.endAsync();
    await new Promise<void>((resolve) => broker?.close(() => resolve()));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('publishes decodable native payloads with increasing seq and timestamps never in the future', async () => {
    const startMs = Date.now() - HOUR;
    sim = createSimulator({ brokerUrl: url, devices: [device('wx-it', 'weather_station'), device('awd-it', 'awd_tube')], speed: 7200, intervalS: 60, startMs });
    await sim.start();
    await waitFor('an hour of readings from both devices', () => ['wx-it', 'awd-it'].every((id) => entriesOf(messages, id).length >= 59));

    for (const [id, metric] of [['wx-it', 'air_temperature'], ['awd-it', 'awd_level']] as const) {
      const ups = messages.filter((m) => m.deviceId === id && m.kind === 'up');
      for (const m of ups) {
        const { readings, rejected } = decodeNative(id, m.payload, { now: m.receivedAt });
        expect(rejected).toEqual([]);
        expect(readings.length).toBeGreaterThan(0);
      }
      const entries = entriesOf(messages, id).map((e) => ({ ...e.entry, receivedAt: e.message.receivedAt }));
      expect(entries.every((e) => e.readings[metric] !== undefined)).toBe(true);
      for (const [i, e] of entries.entries()) {
        expect(e.ts).toBeLessThanOrEqual(e.receivedAt); // never ahead of the real clock
        expect(e.ts).toBeGreaterThanOrEqual(startMs);
        const prev = entries[i - 1];
        if (prev) {
          expect(e.seq).toBeGreaterThan(prev.seq ?? -1);
          expect(e.ts).toBeGreaterThan(prev.ts as number);
        }
      }
      expect(messages.some((m) => m.deviceId === id && m.kind === 'status' && m.payload.toString() === 'online')).toBe(true);
    }
    expect(sim.published()).toBeGreaterThanOrEqual(118);

    await sim.stop();
    await sim.stop(); // safe twice
    const lastStatus = (id: string): string | undefined => messages.filter((m) => m.deviceId === id && m.kind === 'status').at(-1)?.payload.toString();
    await waitFor('both devices to say offline', () => lastStatus('wx-it') === 'offline' && lastStatus('awd-it') === 'offline', 2_000);
  });

  it('buffers while its connection is down and delivers the backlog with original timestamps', async () => {
    const startMs = Date.now() - HOUR;
    const intervalMs = 60_000;
    sim = createSimulator({
      brokerUrl: url,
      devices: [device('soil-it', 'soil_probe', { depthsCm: [20, 50], soilTexture: 'clay', crop: 'coffee' }), device('canal-it', 'canal_sensor')],
      speed: 3600,
      intervalS: intervalMs / 1000,
      startMs,
      reconnectPeriodMs: 18 * 60_000, // device time: 300 ms of real time at 3600×
    });
    await sim.start();
    await waitFor('the first reading of soil-it', () => entriesOf(messages, 'soil-it').length > 0);
    const droppedAt = Date.now();
    clients.get('soil-it')?.close(); // the broker drops the device's connection
    await waitFor('soil-it to reconnect', () => (connects.get('soil-it') ?? 0) >= 2);
    await waitFor('soil-it to catch up with the real clock and empty its buffer', () => {
      const stats = sim?.stats()['soil-it'];
      return entriesOf(messages, 'soil-it').length >= 59 && stats?.buffered === 0;
    });

    const entries = entriesOf(messages, 'soil-it');
    // Nothing lost: every sequence number from 0 up arrived (a resent in-flight message may repeat one).
    const seqs = [...new Set(entries.map((e) => e.entry.seq ?? -1))].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    // Original timestamps: each entry's ts is its sampling instant, startMs + offset + seq × interval.
    const origin = (entries[0]?.entry.ts as number) - (entries[0]?.entry.seq ?? 0) * intervalMs;
    for (const { entry, message } of entries) {
      expect(entry.ts).toBe(origin + (entry.seq ?? 0) * intervalMs);
      expect(entry.ts).toBeLessThanOrEqual(message.receivedAt);
    }
    // The readings sampled while offline came as an array backlog right after the reconnect (at 3600×, a
    // 300 ms outage is ≈ 18 simulated minutes) and decode without rejections.
    const after = entries.filter((e) => e.message.receivedAt > droppedAt);
    const biggest = after.reduce((best, e) => (e.batch > (best?.batch ?? 0) ? e : best), after[0]);
    expect(biggest?.batch).toBeGreaterThanOrEqual(5);
    const backlog = entries.filter((e) => e.message === biggest?.message);
    for (const m of new Set(backlog.map((e) => e.message))) {
      expect(decodeNative('soil-it', m.payload, { now: m.receivedAt }).rejected).toEqual([]);
    }
    expect(sim.stats()['soil-it']?.dropped).toBe(0);
    expect(entriesOf(messages, 'canal-it').length).toBeGreaterThan(0);
  });

  it('applies an irrigation command from its down topic', async () => {
    sim = createSimulator({ brokerUrl: url, devices: [device('awd-it', 'awd_tube')], speed: 1, intervalS: 60, startMs: Date.now() });
    await sim.start();
    await waitFor('awd-it to subscribe', () => sim?.stats()['awd-it']?.connected === true);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the SUBSCRIBE land
    await watcher.publishAsync('devices/awd-it/down', JSON.stringify({ cmd: 'irrigate', mm: 20 }), { qos: 1 });
    await watcher.publishAsync('devices/awd-it/down', 'not json', { qos: 1 });
    await waitFor('the command to be applied', () => (sim?.stats()['awd-it']?.commands ?? 0) === 1 && sim?.stats()['awd-it']?.rejectedCommands === 1);
  });
});

describe('commands make the field respond', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  let watcher: MqttClient;
  let sim: Simulator | undefined;
  const ups: { deviceId: string; entries: NativeEntry[] }[] = [];
  const uplinks: { topic: string; body: { fCnt?: number; object?: Record<string, number> } }[] = [];

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    watcher = await mqtt.connectAsync(url, { clientId: 'watcher-cmd', reconnectPeriod: 0 });
    watcher.on('message', (topic, payload) => {
      const parsed = parseDeviceTopic(topic);
      if (parsed?.kind === 'up') {
        const p = NativePayload.parse(JSON.parse(payload.toString('utf8')));
        ups.push({ deviceId: parsed.deviceId, entries: Array.isArray(p) ? p : [p] });
      } else if (topic.startsWith('application/')) uplinks.push({ topic, body: JSON.parse(payload.toString('utf8')) as (typeof uplinks)[number]['body'] });
    });
    await watcher.subscribeAsync(['devices/+/up', 'application/+/device/+/event/up'], { qos: 1 });
  });

  afterAll(async () => {
    await sim?.stop();
    await watcher?.endAsync();
    await new Promise<void>((resolve) => broker?.close(() => resolve()));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('an irrigate command on devices/{id}/down wets the soil the probe measures', async () => {
    const place = { lat: 12.82, lonE: 108.08, elevationM: 520 };
    sim = createSimulator({
      brokerUrl: url, speed: 3_600, intervalS: 600, startMs: Date.now() - 6 * HOUR, weather: { rainFactor: 0 },
      devices: [{ deviceId: 'soil-cmd', kind: 'soil_probe', ...place, depthsCm: [20, 50], soilTexture: 'clay', crop: 'coffee', seed: 9 }],
    });
    await sim.start();
    const moisture = (): number[] => ups.filter((u) => u.deviceId === 'soil-cmd').flatMap((u) => u.entries.map((e) => e.readings['soil_moisture@20cm'] ?? NaN));
    await waitFor('six readings before the command', () => moisture().length >= 6);
    await watcher.publishAsync('devices/soil-cmd/down', JSON.stringify({ cmd: 'irrigate', mm: 40 }), { qos: 1 });
    await waitFor('the command to be applied', () => sim?.stats()['soil-cmd']?.commands === 1);
    const before = moisture().at(-1) ?? NaN;
    const count = moisture().length;
    await waitFor('six readings after the command', () => moisture().length >= count + 6);
    expect(Math.max(...moisture().slice(count))).toBeGreaterThan(before + 3); // 40 mm into the top 35 cm
    await sim.stop();
    sim = undefined;
  });

  it('a LoRaWAN AWD tube gets its downlink after its next uplink (class A), and its field fills', async () => {
    sim = createSimulator({
      brokerUrl: url, speed: 3_600, intervalS: 600, startMs: Date.now() - 6 * HOUR, weather: { rainFactor: 0 },
      devices: [{ deviceId: 'awd-lora', kind: 'awd_tube', lat: 9.55, lonE: 105.98, elevationM: 1, crop: 'rice', farmer: false, format: 'chirpstack', rssiDbm: -70, seed: 10 }],
    });
    await sim.start();
    const levels = (): number[] => uplinks.filter((u) => u.topic.includes(devEuiOf('awd-lora'))).map((u) => u.body.object?.awd_level ?? NaN);
    await waitFor('six uplinks before the command', () => levels().length >= 6);
    const app = sim.networkServers()[0]?.identity.applicationId ?? '';
    const down = { devEui: devEuiOf('awd-lora'), confirmed: false, fPort: 10, data: encodeDownlink({ cmd: 'valve', minutes: 120 }).toString('base64') };
    await watcher.publishAsync(`application/${app}/device/${devEuiOf('awd-lora')}/command/down`, JSON.stringify(down), { qos: 1 });
    await waitFor('the downlink to be delivered and applied', () => sim?.stats()['awd-lora']?.commands === 1);
    const count = levels().length;
    const before = levels().at(-1) ?? NaN;
    await waitFor('six more uplinks', () => levels().length >= count + 6);
    expect(Math.max(...levels().slice(count))).toBeGreaterThan(before + 2); // 60 mm through the inlet gate
  });
});
