// `ruong sim --scenario` as a user runs it (a child process through tsx) against a real broker: it plays
// the scenario at the speed given, delivers every entry, prints its stats as JSON lines and exits 0.
import { Aedes } from 'aedes';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeviceTopic } from '../../core/telemetry/topics.js';

describe('ruong sim --scenario', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  let watcher: MqttClient;
  const entries = new Map<string, number>();

  beforeAll(async () => {
    broker = await Aedes.createBroker(); // anonymous: the scenario's devices have no credentials here
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    watcher = await mqtt.connectAsync(url, { clientId: 'watcher-cli', reconnectPeriod: 0 });
    watcher.on('message', (topic, payload) => {
      const t = parseDeviceTopic(topic);
      const json = JSON.parse(payload.toString('utf8')) as unknown;
      if (t) entries.set(t.deviceId, (entries.get(t.deviceId) ?? 0) + (Array.isArray(json) ? json.length : 1));
    });
    await watcher.subscribeAsync('devices/+/up', { qos: 1 });
  });

  afterAll(async () => {
    await watcher?.endAsync();
    await new Promise<void>((resolve) => broker?.close(() => resolve()));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('plays dead-probe.json (a day, 3 devices, every 10 min) at 50,000× and exits when all is delivered', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'sim', '--scenario', 'scenarios/dead-probe.json', '--speed', '50000', '--broker', url, '--stats', '1'], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', DATA_DIR: '/nonexistent-ruong-sim-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, out).toBe(0);
    const last = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{"t"')).at(-1) ?? '{}') as { devices: number; published: number; buffered: number };
    expect(last).toMatchObject({ devices: 3, published: 3 * 144, buffered: 0 });
    expect(Object.fromEntries(entries)).toEqual({ 'dead-soil-a': 144, 'dead-soil-b': 144, 'dead-wx': 144 });
  });

  it('plays it with --speed max (as fast as the broker acknowledges, issue 16) and delivers every entry once', async () => {
    entries.clear();
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'sim', '--scenario', 'scenarios/dead-probe.json', '--speed', 'max', '--broker', url, '--stats', '1'], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', DATA_DIR: '/nonexistent-ruong-sim-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, out).toBe(0);
    expect(Object.fromEntries(entries)).toEqual({ 'dead-soil-a': 144, 'dead-soil-b': 144, 'dead-wx': 144 });
  });
});
