// The real platform (broker on TCP, ingest, SQLite store, rules engine, HTTP API) with the demo cooperative,
// a fake clock for the rules engine and alerts, and the manual scheduler: a test decides when the minute
// check and the daily run happen. `restart()` stops it and starts a new process-equivalent on the same
// DATA_DIR, as a real restart would.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { createPlatform, type Platform } from '../../cli/platform.js';
import type { SimDeviceRecord } from '../../cli/demo-seed.js';
import type { AlertOut } from '../../api/routes/alerts.js';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/log.js';
import { createManualScheduler } from '../../rules/scheduler.js';
import { connectDevice, DEMO_PASSWORD, login } from './platform.js';

export interface Clock {
  t: number;
  now(): number;
}

export interface RulesPlatform {
  readonly p: Platform;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly baseUrl: string;
  readonly mqttUrl: string;
  token(): Promise<string>;
  /** Connects a demo (or added) device with its own credentials. */
  device(deviceId: string): Promise<MqttClient>;
  /** Provisions another device and keeps its secret for `device()` / `publish()`. */
  addDevice(input: { id: string; fieldId: string; kind: 'soil_probe' | 'weather_station' | 'canal_sensor' | 'awd_tube'; name: string }): Promise<void>;
  /** Publishes a backlog (one message) from a demo device and waits until the rules engine evaluated it. */
  publish(deviceId: string, entries: readonly { ts: number; readings: Record<string, number> }[]): Promise<void>;
  /** Every alert through the API, newest first. */
  alerts(query?: string): Promise<AlertOut[]>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** `env`: more configuration (e.g. FORECAST_URL of a local forecast peer). */
export async function startRulesPlatform(clockStart = Date.now(), env: Record<string, string> = {}): Promise<RulesPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ruong-rules-'));
  const clock: Clock = { t: clockStart, now: () => clock.t };
  const config = loadConfig({
    DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_WS_PORT: '0',
    SIM: 'false', DEMO_PASSWORD, INGEST_BATCH_MS: '20', LOG_LEVEL: 'silent', ...env,
  });
  const boot = async () => {
    const p = await createPlatform(config, silentLogger(), { now: () => clock.t, scheduler: createManualScheduler(silentLogger()) });
    await p.lifecycle.start();
    await p.rules.idle();
    return p;
  };
  let p = await boot();
  let token: string | undefined;
  const secrets = new Map((JSON.parse(readFileSync(join(dataDir, 'sim-devices.json'), 'utf8')) as SimDeviceRecord[]).map((d) => [d.deviceId, d.secret]));
  const urls = () => ({ baseUrl: `http://127.0.0.1:${p.httpPort()}`, mqttUrl: `mqtt://127.0.0.1:${p.mqttPort()}` });

  const rp: RulesPlatform = {
    get p() { return p; },
    clock,
    dataDir,
    get baseUrl() { return urls().baseUrl; },
    get mqttUrl() { return urls().mqttUrl; },
    async token() {
      token ??= await login(urls().baseUrl);
      return token;
    },
    device(deviceId) {
      const secret = secrets.get(deviceId);
      if (!secret) throw new Error(`no demo device ${deviceId}`);
      return connectDevice(urls().mqttUrl, deviceId, secret);
    },
    async addDevice(input) {
      const { secret } = await p.registry.provisionDevice(input);
      secrets.set(input.id, secret);
    },
    async publish(deviceId, entries) {
      const stored = new Promise<void>((resolve) => {
        let left = entries.reduce((n, e) => n + Object.keys(e.readings).length, 0);
        const onStored = (batch: readonly { deviceId: string }[]) => {
          left -= batch.filter((r) => r.deviceId === deviceId).length;
          if (left <= 0) {
            p.ingest.events.off('stored', onStored);
            resolve();
          }
        };
        p.ingest.events.on('stored', onStored);
      });
      const client = await rp.device(deviceId);
      await client.publishAsync(`devices/${deviceId}/up`, JSON.stringify(entries), { qos: 1 });
      await client.endAsync();
      await stored;
      await p.rules.idle();
    },
    async alerts(query = '') {
      const res = await fetch(`${urls().baseUrl}/api/v1/alerts${query}`, { headers: { authorization: `Bearer ${await rp.token()}` } });
      if (!res.ok) throw new Error(`GET /alerts: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { alerts: AlertOut[] }).alerts;
    },
    async restart() {
      await p.lifecycle.stop();
      token = undefined;
      p = await boot();
    },
    async close() {
      await p.lifecycle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return rp;
}

/** A series of timestamps `stepMs` apart starting at `from`. */
export function times(from: number, count: number, stepMs: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i * stepMs);
}
