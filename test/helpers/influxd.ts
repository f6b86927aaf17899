// Starts a private influxd (InfluxDB 1.x) for tests: its own config, temp dir and loopback ports.
// Facts this relies on (Debian's influxd 1.6, checked on this machine):
// - apt installs the binary but does not start it; /etc/influxdb/influxdb.conf enables [ifql] on :8082 and
//   the RPC (backup/restore) `bind-address` defaults to :8088, so the test instance gets its own config file.
// - INFLUXDB_* environment variables override the config file, so they are stripped from the child's env.
// - `GET /ping` answers 204 once the HTTP service is up.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Influxd {
  readonly url: string;
  stop(): Promise<void>;
}

const defaultBin = '/usr/bin/influxd';
const readyTimeoutMs = 20_000;
const killGraceMs = 3_000;
const stderrKeep = 8_000;

export function influxdBin(): string {
  return process.env.INFLUXD_BIN ?? defaultBin;
}

/** True when the influxd binary exists and is executable. */
export function influxdAvailable(): boolean {
  try {
    accessSync(influxdBin(), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}

export function configText(dir: string, httpPort: number, rpcPort: number): string {
  // No [[udp]]/[[graphite]]/[[collectd]]/[[opentsdb]] sections: the built-in defaults leave them disabled.
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  wal-fsync-delay = "0s"
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  log-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false

[ifql]
  enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('INFLUXDB_')) env[key] = value;
  }
  return env;
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`influxd exited (${child.exitCode ?? child.signalCode}) before answering /ping:\n${stderr()}`);
    }
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`influxd did not answer /ping within ${readyTimeoutMs} ms:\n${stderr()}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
  await exited;
  clearTimeout(timer);
}

async function startOnce(): Promise<Influxd> {
  const dir = await mkdtemp(join(tmpdir(), 'ruong-influxd-'));
  const httpPort = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === httpPort) rpcPort = await freePort();
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, configText(dir, httpPort, rpcPort));

  const child = spawn(influxdBin(), ['run', '-config', configPath], { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrText = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrText = (stderrText + chunk).slice(-stderrKeep);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined); // only awaited during startup
  // If the test runner dies without teardown, do not leave influxd behind.
  const onExit = (): void => void child.kill('SIGKILL');
  process.once('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', onExit);
      await kill(child);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await Promise.race([waitReady(url, child, () => stderrText), spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/**
 * Starts influxd and resolves once /ping answers 204. Retries with new ports if one was taken between
 * picking it and influxd binding it.
 */
export async function startInfluxd(): Promise<Influxd> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error && /address already in use/i.test(err.message))) throw err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
