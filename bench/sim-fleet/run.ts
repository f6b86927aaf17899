// Fleet benchmark: `ruong sim --devices N` (one process, mqtt.js per device) against a real broker
// process — Debian's mosquitto as a neutral peer, and `ruong start` (SIM=false, MQTT_ALLOW_ANONYMOUS=true, and
// MQTT_CONNECT_RATE=0: the whole fleet connects from 127.0.0.1, which the per-address limit would throttle).
// The simulator runs under /usr/bin/time -v (peak RSS, CPU seconds) and prints a stats line every 5 s
// (connected devices, entries acknowledged, its own CPU % and RSS); the broker's CPU and RSS come from
// /proc. Run through bench/sim-fleet/run.sh, which raises `ulimit -n`.
//   bench/sim-fleet/run.sh [--devices 10000] [--interval 60] [--hold 120] [--connect-rate 500] [--peers mosquitto,ruong]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { devices: { type: 'string', default: '10000' }, interval: { type: 'string', default: '60' }, hold: { type: 'string', default: '120' }, 'connect-rate': { type: 'string', default: '500' }, peers: { type: 'string', default: 'mosquitto,ruong' } },
});
const devices = Number(args.devices);
const intervalS = Number(args.interval);
const holdS = Number(args.hold);

interface Peer { readonly name: string; readonly port: number; readonly pid: number; stop(): Promise<void> }
interface Stats { t: string; devices: number; connected: number; published: number; rssMB: number; cpuPct: number }

const freePort = async (): Promise<number> => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};
const procRssMB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const procCpuS = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const stop = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });

async function waitFor(child: ChildProcess, text: string, what: string): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 60_000);
    const on = (d: Buffer): void => {
      out += d.toString();
      if (out.includes(text)) { clearTimeout(timer); resolve(); }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
  });
}

async function startMosquitto(): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-simbench-mosq-'));
  const port = await freePort();
  writeFileSync(join(dir, 'm.conf'), [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_connections -1', 'max_inflight_messages 0', 'max_queued_messages 0', 'persistence false', 'log_dest stderr', 'log_type error', ''].join('\n'));
  const child = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'm.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((r) => setTimeout(r, 500));
  return { name: 'mosquitto', port, pid: child.pid ?? 0, stop: async () => { await stop(child); rmSync(dir, { recursive: true, force: true }); } };
}

async function startRuong(): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-simbench-start-'));
  const [port, http] = [await freePort(), await freePort()];
  const env = { PATH: process.env.PATH ?? '', DATA_DIR: dir, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), MQTT_WS_PORT: '0', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), SIM: 'false', MQTT_ALLOW_ANONYMOUS: 'true', MQTT_CONNECT_RATE: '0', LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(child, 'Dashboard:', 'ruong start');
  return { name: 'ruong start (SIM=false, MQTT_ALLOW_ANONYMOUS=true)', port, pid: child.pid ?? 0, stop: async () => { await stop(child); rmSync(dir, { recursive: true, force: true }); } };
}

async function runAgainst(peer: Peer): Promise<Record<string, unknown>> {
  const brokerCpu0 = procCpuS(peer.pid);
  const sim = spawn('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', 'cli/main.ts', 'sim', '--devices', String(devices), '--broker', `mqtt://127.0.0.1:${peer.port}`,
    '--interval', String(intervalS), '--stats', '5', '--duration', String(holdS + 60), '--connect-rate', String(args['connect-rate'])], { env: { ...process.env, LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stats: Stats[] = [];
  let stderr = '';
  let connectedAt: number | undefined;
  let brokerAtConnected: { cpu: number; rss: number } | undefined;
  const started = Date.now();
  sim.stdout.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n').filter((l) => l.startsWith('{'))) {
      const s = JSON.parse(line) as Stats;
      stats.push(s);
      process.stderr.write(`  ${peer.name.split(' ')[0]}: ${line}\n`);
      if (connectedAt === undefined && s.connected >= devices) {
        connectedAt = Date.now();
        brokerAtConnected = { cpu: procCpuS(peer.pid), rss: procRssMB(peer.pid) };
      }
    }
  });
  sim.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  await new Promise<void>((resolve) => sim.once('exit', () => resolve()));
  const brokerEnd = { cpu: procCpuS(peer.pid), rss: procRssMB(peer.pid) };
  const field = (name: string): number => Number(new RegExp(`${name}: ([\\d.:]+)`).exec(stderr)?.[1]?.split(':').reduce((a, b) => a * 60 + Number(b), 0) ?? NaN);
  const held = stats.filter((s) => s.connected >= devices).slice(1, -1); // whole intervals with every device connected
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const steadyS = connectedAt === undefined ? NaN : (Date.now() - connectedAt) / 1000;
  const last = stats.at(-2);
  return {
    peer: peer.name,
    devices,
    intervalS,
    connectRatePerS: Number(args['connect-rate']),
    connectS: connectedAt === undefined ? NaN : Math.round((connectedAt - started) / 100) / 10,
    maxConnected: Math.max(...stats.map((s) => s.connected)),
    published: last?.published,
    simCpuPctSteady: Math.round(mean(held.map((s) => s.cpuPct)) * 10) / 10,
    simRssMBSteady: Math.round(mean(held.map((s) => s.rssMB))),
    simPeakRssMB: Math.round(field('Maximum resident set size \\(kbytes\\)') / 1024),
    simCpuS: Math.round((field('User time \\(seconds\\)') + field('System time \\(seconds\\)')) * 10) / 10,
    simElapsedS: field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)'),
    brokerCpuSConnect: brokerAtConnected ? Math.round((brokerAtConnected.cpu - brokerCpu0) * 10) / 10 : NaN,
    brokerCpuPctSteady: brokerAtConnected ? Math.round(((brokerEnd.cpu - brokerAtConnected.cpu) / steadyS) * 1000) / 10 : NaN,
    brokerRssMB: Math.round(brokerAtConnected?.rss ?? NaN),
  };
}

const results: Record<string, unknown>[] = [];
for (const name of (args.peers ?? '').split(',')) {
  const peer = name === 'mosquitto' ? await startMosquitto() : await startRuong();
  try {
    results.push(await runAgainst(peer));
  } finally {
    await peer.stop();
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
