// A private influxd that a test can kill -9 and start again on the same port and data directory (the
// "store down for a while" scenarios of issue 4). Built on test/helpers/influxd.ts's config.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configText, freePort, influxdBin } from './influxd.js';

export interface KillableInfluxd {
  readonly url: string;
  /** SIGKILL: no flush, no goodbye. Resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Starts it again on the same port and data; resolves once /ping answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The running influxd's process id (benchmarks read its CPU time). */
  pid(): number | undefined;
}

async function waitPing(url: string, child: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`influxd exited before answering /ping:\n${out()}`);
    try {
      if ((await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 204) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`influxd did not answer /ping:\n${out()}`);
}

export async function startKillableInfluxd(): Promise<KillableInfluxd> {
  const dir = await mkdtemp(join(tmpdir(), 'ruong-influxd-killable-'));
  const httpPort = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === httpPort) rpcPort = await freePort();
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, configText(dir, httpPort, rpcPort));
  const url = `http://127.0.0.1:${httpPort}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INFLUXDB_')));
  let child: ChildProcess | undefined;
  let stderr = '';
  const onExit = () => void child?.kill('SIGKILL');
  process.once('exit', onExit);

  async function start(): Promise<void> {
    stderr = '';
    const c = spawn(influxdBin(), ['run', '-config', configPath], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (d: string) => { stderr = (stderr + d).slice(-8000); });
    await waitPing(url, c, () => stderr);
  }

  async function kill9(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGKILL');
    await gone;
  }

  await start();
  return {
    url,
    kill9,
    restart: start,
    pid: () => child?.pid,
    async stop() {
      process.removeListener('exit', onExit);
      await kill9();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
