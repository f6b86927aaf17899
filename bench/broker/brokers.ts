// Starting and sampling the brokers under test, each in its own process: Mosquitto (Debian `mosquitto`,
// configured not to drop QoS 1 messages) and our Node brokers (bench/broker/our-broker.ts, forked).
// Memory is VmRSS from /proc/<pid>/status; CPU is utime + stime from /proc/<pid>/stat.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HeapSpaceInfo } from 'node:v8';

export const BENCH_SECRET = 'bench-device-secret';
export const BENCH_INGEST_SECRET = 'bench-ingest-secret';
export const benchDeviceId = (i: number): string => `bench-${String(i).padStart(5, '0')}`;

export const MOSQUITTO = '/usr/sbin/mosquitto';
export type BrokerKind = 'mosquitto' | 'aedes' | 'aedes-mq' | 'aedes-mq-store' | 'ours' | 'ours-auth' | 'ours-baseline';

/**
 * The script a Node broker runs in. `ours-baseline`: `ours` from another tree (BENCH_BASELINE_DIR, e.g.
 * `git archive HEAD | tar -x -C dir` plus a node_modules link), to compare a change with the code before it
 * in the same run. BENCH_BROKER_JS_DIR: the other modes from a compiled tree (`tsc --outDir dir`; a
 * package.json with "type": "module" and node_modules next to it), run by plain node like `ruong` in
 * production (under tsx, esbuild's keepNames wraps every closure the broker creates). A tree holding
 * bench/broker/our-broker.js is run without tsx.
 */
function brokerScript(kind: Exclude<BrokerKind, 'mosquitto'>): { script: string; mode: string; compiled: boolean } {
  const dir = kind === 'ours-baseline' ? process.env.BENCH_BASELINE_DIR : process.env.BENCH_BROKER_JS_DIR ?? join(import.meta.dirname, '../..');
  if (!dir) throw new Error('ours-baseline needs BENCH_BASELINE_DIR (a checkout of the code to compare with)');
  const mode = kind === 'ours-baseline' ? 'ours' : kind;
  const js = join(dir, 'bench/broker/our-broker.js');
  return existsSync(js) ? { script: js, mode, compiled: true } : { script: join(dir, 'bench/broker/our-broker.ts'), mode, compiled: false };
}

export interface BrokerProcess {
  readonly kind: BrokerKind;
  readonly port: number;
  readonly pid: number;
  /** Settles the heap first where the broker has one (Node: a full GC), then reads VmRSS in bytes. */
  rss(): Promise<number>;
  /** CPU seconds (user + system) the process used so far. */
  cpuSeconds(): number;
  /** Node brokers: a full GC, then a V8 heap snapshot written to `path` if given; resolves to process.memoryUsage() and v8's heap spaces. */
  snapshot?(path?: string): Promise<BrokerMemory>;
  stop(): Promise<void>;
}

export type BrokerMemory = NodeJS.MemoryUsage & { readonly spaces: readonly HeapSpaceInfo[] };

const CLOCK_TICKS = 100; // USER_HZ on Linux
const RSS_SETTLE_MS = 2000;

function procRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // 14 utime, 15 stime
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill(signal);
  });
}

async function startMosquitto(): Promise<BrokerProcess> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: apt-get install -y mosquitto`);
  const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-mosquitto-'));
  const port = await freePort();
  // Defaults drop QoS 1 messages to a slow subscriber (max_inflight 20, max_queued 1000): Ruộng never may.
  writeFileSync(join(dir, 'mosquitto.conf'), [
    `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_inflight_messages 0', 'max_queued_messages 0',
    'max_connections -1', 'persistence false', 'log_dest stderr', 'log_type error', '',
  ].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port);
  const pid = child.pid!;
  return {
    kind: 'mosquitto', port, pid,
    rss: () => Promise.resolve(procRss(pid)),
    cpuSeconds: () => procCpu(pid),
    stop: async () => { await stopChild(child); rmSync(dir, { recursive: true, force: true }); },
  };
}

async function startNodeBroker(kind: Exclude<BrokerKind, 'mosquitto'>, devices: number): Promise<BrokerProcess> {
  const { script, mode, compiled } = brokerScript(kind);
  const child = fork(script, [mode, String(devices)], {
    execArgv: [...(compiled ? [] : ['--import', 'tsx']), '--expose-gc', ...(process.env.BENCH_BROKER_NODE_FLAGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} broker exited with ${code}`)));
    child.on('message', (msg: { type: string; port?: number }) => { if (msg.type === 'ready') resolve(msg.port!); });
  });
  const pid = child.pid!;
  return {
    kind, port, pid,
    rss: async () => {
      const gc = (): Promise<void> => new Promise<void>((resolve) => {
        const onMessage = (msg: { type: string }): void => { if (msg.type === 'gc-done') { child.off('message', onMessage); resolve(); } };
        child.on('message', onMessage);
        child.send({ type: 'gc' });
      });
      await gc();
      await new Promise((r) => setTimeout(r, RSS_SETTLE_MS));
      await gc();
      // Right after gc() the pages it freed are still resident until V8's concurrent sweeper and unmapper
      // release them, and a second full GC once they have frees more: read after one gc(), VmRSS was 14.3 KB
      // per connection at 10,000 idle connections, after gc, 2 s, gc, 2 s 7.5–7.7 (bench/broker/heap.ts --settle-ms).
      await new Promise((r) => setTimeout(r, RSS_SETTLE_MS));
      return procRss(pid);
    },
    cpuSeconds: () => procCpu(pid),
    snapshot: (path) => new Promise((resolve) => {
      const onMessage = (msg: { type: string; memory?: NodeJS.MemoryUsage; spaces?: HeapSpaceInfo[] }): void => {
        if (msg.type === 'snapshot-done') { child.off('message', onMessage); resolve({ ...msg.memory!, spaces: msg.spaces ?? [] }); }
      };
      child.on('message', onMessage);
      child.send({ type: 'snapshot', path });
    }),
    stop: () => stopChild(child),
  };
}

export function startBroker(kind: BrokerKind, devices: number): Promise<BrokerProcess> {
  return kind === 'mosquitto' ? startMosquitto() : startNodeBroker(kind, devices);
}
