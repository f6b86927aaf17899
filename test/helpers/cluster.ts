// Runs the separate `ruong` processes of a cluster (issue 9) as real child processes through tsx: brokers
// sharing a redis-server, ingest workers, all on free loopback ports and one DATA_DIR (the shared registry) — or,
// with REGISTRY_URL in their env (issue 18), each on its own DATA_DIR with the registry on PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '../../core/registry/registry.js';
import { freePort } from './influxd.js';
import { eventually } from './platform.js';

export interface RuongChild {
  readonly child: ChildProcess;
  output(): string;
  /** SIGKILL, as a crashed machine: no flush, no goodbye. */
  kill9(): Promise<void>;
}

async function spawnRuong(command: string, env: Record<string, string>, ready: string): Promise<RuongChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', command], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const kill9 = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await eventually(() => {
      if (child.exitCode !== null) return Promise.reject(new Error(`ruong ${command} exited:\n${out}`));
      return Promise.resolve(out.includes(ready) ? true : undefined);
    }, 30_000, `ruong ${command} to start`);
  } catch (err) {
    await kill9();
    throw err;
  }
  return { child, output: () => out, kill9 };
}

export interface ClusterBroker extends RuongChild {
  readonly port: number;
  readonly url: string;
}

/** `ruong broker` on a free port; with Redis persistence and the Redis emitter when given a URL. */
export async function startClusterBroker(dataDir: string, redisUrl?: string, env: Record<string, string> = {}): Promise<ClusterBroker> {
  const port = await freePort();
  const child = await spawnRuong('broker', {
    DATA_DIR: dataDir, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), MQTT_WS_PORT: '0', PUBLIC_HOST: '127.0.0.1', ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...env,
  }, 'broker is running');
  return { ...child, port, url: `mqtt://127.0.0.1:${port}` };
}

/** `ruong ingest` (SQLite store in DATA_DIR) subscribed to one broker. */
export function startClusterIngest(dataDir: string, brokerUrl: string, env: Record<string, string> = {}): Promise<RuongChild> {
  return spawnRuong('ingest', { DATA_DIR: dataDir, INGEST_MQTT_URL: brokerUrl, INGEST_BATCH_MS: '20', ...env }, 'ingest is running');
}

export interface ClusterApi extends RuongChild {
  readonly baseUrl: string;
}

/** `ruong api` (SQLite store in DATA_DIR unless `env` says otherwise) on a free port. */
export async function startClusterApi(dataDir: string, env: Record<string, string> = {}): Promise<ClusterApi> {
  const port = await freePort();
  const child = await spawnRuong('api', { DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), PUBLIC_HOST: '127.0.0.1', ...env }, 'API is running');
  return { ...child, baseUrl: `http://127.0.0.1:${port}` };
}

/** `ruong rules` fed by a subscription to one broker (or several, comma-separated, tried in turn). */
export function startClusterRules(dataDir: string, brokerUrl: string, env: Record<string, string> = {}): Promise<RuongChild> {
  return spawnRuong('rules', { DATA_DIR: dataDir, INGEST_MQTT_URL: brokerUrl, ...env }, 'rules are running');
}

/**
 * A new DATA_DIR whose registry holds cooperative `coop-demo` with one farm and field and the given devices
 * (soil probes); returns the directory and each device's secret. The cluster processes share it.
 */
export async function seedClusterDataDir(prefix: string, deviceIds: readonly string[], crop = 'coffee'): Promise<{ dataDir: string; secrets: Map<string, string> }> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const registry = createRegistry(join(dataDir, 'registry.db'));
  const coop = await registry.createCooperative({ id: 'coop-demo', name: 'Coop' });
  const farm = await registry.createFarm({ cooperativeId: coop, name: 'Farm' });
  const field = await registry.createField({ farmId: farm, name: 'Field', crop });
  const secrets = new Map<string, string>();
  for (const id of deviceIds) secrets.set(id, (await registry.provisionDevice({ id, fieldId: field, kind: 'soil_probe', name: id })).secret);
  await registry.close();
  return { dataDir, secrets };
}
