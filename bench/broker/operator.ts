// `npm run bench:broker-operator` (issue 19, memory and connect time read as an operator would): the real
// `ruong broker` command, started from a built tree (dist/cli/main.js, as `npm start` and the `ruong` bin run it;
// a tree without dist/ runs cli/main.ts under tsx), with a registry of N devices provisioned each with its own
// secret (stored as provisioning stores it: salted SHA-256). Per measurement, in one fresh broker process:
//   base RSS     VmRSS --base-s after the broker printed that it runs, no client yet
//   connect      N devices log in with their own credentials from --loaders separate processes
//                (--loader, below; --in-flight handshakes each); time from the first CONNECT sent
//                to the last CONNACK received, and the broker's CPU over that time per connect
//   per conn     (VmRSS --idle-s after the last CONNACK − base RSS) ÷ N — no forced GC anywhere: nothing but the
//                broker's own run decides what is resident (VmRSS is also printed every 5 s of the idle time)
// Trees are measured in interleaved rounds (round 1: a, b; round 2: a, b; …), so a change and the code before it
// see the same machine. A tree is `name=dir` with optional node flags after `|`:
//   --tree main=. --tree 'before=/tmp/before|--max-semi-space-size=1'
// Several brokers (--brokers K): K `ruong broker` processes sharing a redis-server started for the run
// (REDIS_URL, the supported way to run several brokers), device i on broker i % K; figures summed over them.
// --platform: also `ruong ingest`, `ruong rules` and `ruong api` from the same tree, on the same DATA_DIR.
// --heap: METRICS_PORT on (broker 1), and V8's heap spaces read from /metrics at the base and idle reads.
// The peer: `--tree mosquitto=@mosquitto` measures Debian's Mosquitto 2 with the same devices and passwords, in the
// same rounds (bench/broker/operator-mosquitto.ts; one broker, without --platform).
// --loader lean (default, bench/broker/lean-connect-loader.ts) or wire (connect-loader.ts, the loader before issue
//   19's connect work): both send a prebuilt CONNECT per device and count only CONNACKs with return code 0; lean
//   spends less of the shared CPU per connection. The loaders' CPU per connect is reported (user / system).
//   --devices 10000 --rounds 1 --loaders N --in-flight N --base-s 10 --idle-s 30 --json out.json
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { provisionBenchDevices } from './bench-registry.js';
import { heapSpaces } from './heap-metrics.js';
import { MOSQUITTO_TREE, startAuthenticatedMosquitto } from './operator-mosquitto.js';

const { values: args } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true, default: ['main=.'] },
    devices: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '1' },
    loaders: { type: 'string' },
    loader: { type: 'string', default: 'lean' },
    'in-flight': { type: 'string' },
    'base-s': { type: 'string', default: '10' },
    'idle-s': { type: 'string', default: '30' },
    brokers: { type: 'string', default: '1' },
    platform: { type: 'boolean', default: false },
    heap: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

interface Tree { readonly name: string; readonly dir: string; readonly flags: readonly string[] }

const trees: Tree[] = args.tree.map((spec) => {
  const [head = '', flags = ''] = spec.split('|');
  const eq = head.indexOf('=');
  const name = eq > 0 ? head.slice(0, eq) : head;
  const where = eq > 0 ? head.slice(eq + 1) : head;
  return { name, dir: where === MOSQUITTO_TREE ? where : resolve(where), flags: flags.split(' ').filter(Boolean) };
});
if (trees.some((t) => t.dir === MOSQUITTO_TREE) && (Number(args.brokers) !== 1 || args.platform || args.heap)) {
  throw new Error('--tree …=@mosquitto: one broker, without --platform or --heap');
}

const devices = Number(args.devices);
const brokerCount = Number(args.brokers);
// lean: one process per 15,000 devices, 200 handshakes in flight each (more processes on 2 cores cost more CPU per
// connect, theirs and the broker's: 1 / 2 / 4 lean loaders 0.15 / 0.21 / 0.28 ms); wire: as before issue 19.
const lean = args.loader === 'lean';
const loaderCount = Number(args.loaders ?? (lean ? Math.ceil(devices / 15_000) : Math.max(4, Math.ceil(devices / 15_000))));
const inFlight = Number(args['in-flight'] ?? (lean ? 200 : 50));
const loaderFile = ({ lean: 'lean-connect-loader.ts', wire: 'connect-loader.ts' } as Record<string, string>)[args.loader];
if (!loaderFile) throw new Error(`--loader lean|wire, not ${args.loader}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function procRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds of a process so far: [user, system]. */
function procCpuS(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]) / 100, Number(f[12]) / 100];
}

/**
 * The main thread's scheduler times so far, in seconds: [on a CPU, runnable but waiting for one] (/proc/PID/task/PID/
 * schedstat). The broker is one JS thread: its on-CPU time per connect is the floor of the connect time on any
 * machine, and the wait shows how much of the wall time was the other threads (V8's compiler and GC, the loaders).
 */
function mainThreadSchedS(pid: number): [number, number] {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run! / 1e9, wait! / 1e9];
  } catch {
    return [NaN, NaN];
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await sleep(100);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => { clearTimeout(timer); r(); });
    child.kill('SIGTERM');
  });
}

/** `ruong <command>` from the tree: dist/cli/main.js when built, else cli/main.ts under tsx. */
function ruong(tree: Tree, command: string, env: Record<string, string>, onLine?: (line: string) => void): ChildProcess {
  const built = join(tree.dir, 'dist/cli/main.js');
  const argv = existsSync(built) ? [...tree.flags, built, command] : [...tree.flags, '--import', 'tsx', join(tree.dir, 'cli/main.ts'), command];
  const child = spawn(process.execPath, argv, { cwd: tree.dir, env: { ...process.env, ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine?.(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  return child;
}

interface Loader { readonly child: ChildProcess; next(type: string): Promise<Record<string, unknown>> }

async function startLoader(): Promise<Loader> {
  const child = fork(join(import.meta.dirname, loaderFile!), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  child.on('message', (m: Record<string, unknown>) => { const w = waiting.shift(); if (w) w(m); else queue.push(m); });
  const loader: Loader = {
    child,
    next: (type) => new Promise((r, reject) => {
      const take = (m: Record<string, unknown>): void => (m.type === type ? r(m) : reject(new Error(`loader: expected ${type}, got ${String(m.type)}`)));
      const q = queue.shift();
      if (q) take(q); else waiting.push(take);
    }),
  };
  await loader.next('ready');
  return loader;
}

export interface OperatorMeasurement {
  readonly tree: string;
  readonly round: number;
  readonly devices: number;
  readonly brokers: number;
  readonly connected: number;
  readonly failed: number;
  readonly startRssMb: number;
  readonly baseRssMb: number;
  readonly idleRssMb: number;
  readonly idleSeriesMb: number[];
  readonly kbPerConnection: number;
  readonly connectS: number;
  readonly brokerCpuMsPerConnect: number;
  /** The kernel's share of it (accept, the CONNACK's write, epoll). */
  readonly brokerSysMsPerConnect: number;
  /** The brokers' main threads alone: on a CPU, and runnable but waiting for one (mainThreadSchedS). */
  readonly brokerMainMsPerConnect: number;
  readonly brokerMainWaitMsPerConnect: number;
  readonly loaderCpuMsPerConnect: number;
  /** Of it, the kernel's share (connect, the CONNECT's write, reading the CONNACK). */
  readonly loaderSysMsPerConnect: number;
  readonly loadAverage: string;
  readonly heap?: { readonly base: string; readonly idle: string } | undefined;
}

async function measure(tree: Tree, round: number): Promise<OperatorMeasurement> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ruong-bench-operator-'));
  const runKey = randomBytes(16).toString('hex');
  const children: ChildProcess[] = [];
  const loaders: Loader[] = [];
  try {
    await provisionBenchDevices(dataDir, devices, runKey);
    let redisUrl: string | undefined;
    if (brokerCount > 1) {
      const port = await freePort();
      children.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir], { stdio: 'ignore' }));
      await waitForPort(port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    const ports = await Promise.all(Array.from({ length: brokerCount }, freePort));
    const common: Record<string, string> = {
      DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', MQTT_HOST: '127.0.0.1', MQTT_WS_PORT: '0',
      // Every device comes from 127.0.0.1 here: the per-address connect limit (20/s) would throttle the bench.
      MQTT_CONNECT_RATE: '0', ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    };
    const brokers: ChildProcess[] = [];
    const metricsPort = args.heap ? await freePort() : undefined;
    for (const [k, port] of ports.entries()) {
      if (tree.dir === MOSQUITTO_TREE) {
        const child = startAuthenticatedMosquitto(dataDir, port, devices, runKey);
        children.push(child);
        brokers.push(child);
        await waitForPort(port);
        continue;
      }
      let running!: () => void;
      const started = new Promise<void>((r) => { running = r; });
      const child = ruong(tree, 'broker', { ...common, MQTT_PORT: String(port), ...(metricsPort && k === 0 ? { METRICS_PORT: String(metricsPort) } : {}) }, (line) => { if (line.includes('Stop with Ctrl-C')) running(); });
      children.push(child);
      brokers.push(child);
      await Promise.race([started, new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`ruong broker exited with ${code}`))))]);
    }
    const pids = brokers.map((b) => b.pid!);
    const rss = (): number => pids.reduce((sum, pid) => sum + procRss(pid), 0);
    const cpu = (): [number, number] => pids.map(procCpuS).reduce(([u, s], [u1, s1]) => [u + u1, s + s1], [0, 0]);
    const sched = (): [number, number] => pids.map(mainThreadSchedS).reduce(([r, w], [r1, w1]) => [r + r1, w + w1], [0, 0]);
    const startRss = rss();
    const platform: ChildProcess[] = [];
    if (args.platform) {
      const ingestEnv = { ...common, INGEST_MQTT_URL: ports.map((p) => `mqtt://127.0.0.1:${p}`).join(','), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()) };
      for (const command of ['ingest', 'rules', 'api']) platform.push(ruong(tree, command, ingestEnv));
      children.push(...platform);
    }
    for (let i = 0; i < loaderCount; i++) loaders.push(await startLoader());
    await sleep(Number(args['base-s']) * 1000);
    const baseRss = rss();
    const baseHeap = metricsPort ? await heapSpaces(metricsPort) : '';
    const cpu0 = cpu();
    const sched0 = sched();
    const per = Math.ceil(devices / loaderCount);
    loaders.forEach((l, k) => l.child.send({ type: 'go', host: '127.0.0.1', ports, from: k * per, to: Math.min(devices, (k + 1) * per), inFlight, runKey }));
    const results = await Promise.all(loaders.map((l) => l.next('connected')));
    const cpu1 = cpu();
    const sched1 = sched();
    const brokerCpu = cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1];
    const brokerSys = cpu1[1] - cpu0[1];
    const first = Math.min(...results.map((r) => r.first as number));
    const last = Math.max(...results.map((r) => r.last as number));
    const failed = results.reduce((s, r) => s + (r.failed as number), 0);
    for (const r of results) if ((r.failed as number) > 0) console.log(`  loader errors: ${JSON.stringify(r.errors)}`);
    const loaderCpu = results.reduce((s, r) => s + (r.cpuMs as number), 0);
    const loaderSys = results.reduce((s, r) => s + ((r.systemMs as number | undefined) ?? NaN), 0);
    const idleSeries: number[] = [];
    const idleS = Number(args['idle-s']);
    const t0 = Date.now();
    for (let s = 5; s <= idleS; s += 5) {
      await sleep(Math.max(0, t0 + s * 1000 - Date.now()));
      idleSeries.push(rss() / 2 ** 20);
    }
    if (idleS % 5 !== 0) await sleep(Math.max(0, t0 + idleS * 1000 - Date.now()));
    const idleRss = rss();
    const others = [...platform, ...(redisUrl ? [children[0]!] : [])].map((c) => `${c === children[0] && redisUrl ? 'redis' : c.spawnargs.at(-1)!} ${(procRss(c.pid!) / 2 ** 20).toFixed(0)} MB`);
    if (others.length > 0) console.log(`  other processes' RSS at the idle read: ${others.join(', ')}`);
    const idleHeap = metricsPort ? await heapSpaces(metricsPort) : '';
    const connected = devices - failed;
    return {
      tree: tree.name, round, devices, brokers: brokerCount, connected, failed,
      startRssMb: startRss / 2 ** 20, baseRssMb: baseRss / 2 ** 20, idleRssMb: idleRss / 2 ** 20, idleSeriesMb: idleSeries,
      kbPerConnection: (idleRss - baseRss) / connected / 1024,
      connectS: (last - first) / 1000,
      brokerCpuMsPerConnect: (brokerCpu * 1000) / connected,
      brokerSysMsPerConnect: (brokerSys * 1000) / connected,
      brokerMainMsPerConnect: ((sched1[0] - sched0[0]) * 1000) / connected,
      brokerMainWaitMsPerConnect: ((sched1[1] - sched0[1]) * 1000) / connected,
      loaderCpuMsPerConnect: loaderCpu / connected,
      loaderSysMsPerConnect: loaderSys / connected,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      heap: metricsPort ? { base: baseHeap, idle: idleHeap } : undefined,
    };
  } finally {
    for (const l of loaders) l.child.send({ type: 'close' });
    await Promise.all(loaders.map((l) => stopChild(l.child)));
    for (const c of [...children].reverse()) await stopChild(c);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`# bench:broker-operator — ${new Date().toISOString()}, node ${process.version}, ${devices} devices, ${brokerCount} broker(s)${args.platform ? ' + ingest, rules, api' : ''}, ${loaderCount} ${args.loader} loaders × ${inFlight} handshakes in flight, base read ${args['base-s']} s after start, idle ${args['idle-s']} s, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  const all: OperatorMeasurement[] = [];
  for (let round = 1; round <= Number(args.rounds); round++) {
    for (const tree of trees) {
      const m = await measure(tree, round);
      all.push(m);
      console.log(`${m.tree} round ${round}: connected ${m.connected}/${m.devices} in ${m.connectS.toFixed(2)} s (broker CPU ${m.brokerCpuMsPerConnect.toFixed(3)} ms/connect of which system ${m.brokerSysMsPerConnect.toFixed(3)}; main thread ${m.brokerMainMsPerConnect.toFixed(3)} on a CPU + ${m.brokerMainWaitMsPerConnect.toFixed(3)} waiting for one; ${args.loader} loaders ${m.loaderCpuMsPerConnect.toFixed(3)} of which system ${m.loaderSysMsPerConnect.toFixed(3)}) | RSS at start ${m.startRssMb.toFixed(1)} MB, base ${m.baseRssMb.toFixed(1)} MB, ${args['idle-s']} s after the last CONNACK ${m.idleRssMb.toFixed(1)} MB → ${m.kbPerConnection.toFixed(2)} KB/connection | idle RSS every 5 s: ${m.idleSeriesMb.map((x) => x.toFixed(0)).join(' ')} MB | load ${m.loadAverage}`);
      if (m.heap) console.log(`  heap spaces MB size/used — base: ${m.heap.base}\n  idle: ${m.heap.idle}`);
    }
  }
  if (args.json) writeFileSync(args.json, JSON.stringify(all, null, 2));
}

await main();
