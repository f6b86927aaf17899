// Starts the real platform in-process (real broker on TCP, real ingest, real store, real HTTP API)
// on free ports in a temporary DATA_DIR.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createPlatform, type Platform } from '../../cli/platform.js';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/log.js';

export const DEMO_PASSWORD = 'demo-password-for-tests';

export interface TestPlatform extends Platform {
  readonly baseUrl: string;
  readonly mqttUrl: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ruong-platform-'));
  const config = loadConfig({
    DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_WS_PORT: '0',
    SIM: 'false', DEMO_PASSWORD, INGEST_BATCH_MS: '20', LOG_LEVEL: 'silent', ...env,
  });
  const platform = await createPlatform(config, silentLogger());
  await platform.lifecycle.start();
  return Object.assign(platform, {
    baseUrl: `http://127.0.0.1:${platform.httpPort()}`,
    mqttUrl: `mqtt://127.0.0.1:${platform.mqttPort()}`,
    dataDir,
    async close() {
      await platform.lifecycle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export async function login(baseUrl: string, username = 'demo', password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function getJson<T = unknown>(baseUrl: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

export function connectDevice(url: string, deviceId: string, secret: string, extra: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: deviceId, username: deviceId, password: secret, reconnectPeriod: 0, connectTimeout: 5000, ...extra });
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
