// `ruong rules` memory with N provisioned devices (issue 19): a DATA_DIR whose registry holds N devices, provisioned as
// bench/broker/operator.ts provisions them (one cooperative, farm and field; device rows inserted with their salted
// secret hash), one `ruong broker` (the rules process needs a broker to subscribe to) and `ruong rules` from each
// tree's dist/. No device connects or publishes: what is measured is what the rules process holds for the registry
// alone. Trees are measured in interleaved rounds (a, b, a, b …), each in a fresh DATA_DIR and fresh processes.
// Reported per run: the rules process's VmRSS at --at seconds after it was spawned (and how long it took to print
// that it runs), with V8's heap (size / used, young generation, external) from its /metrics at each read, and V8's
// heap spaces at the end. --flags='<node flags>' for the rules process (output to --log), --snapshot for a heap
// snapshot at the first read.
//   node --import tsx bench/rules/memory.ts --tree before=<main, built> --tree after=. --devices 50000 --rounds 2 --at 10,30,70
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../test/helpers/influxd.js';
import { provisionBenchDevices } from '../broker/bench-registry.js';
import { heapSpaces } from '../broker/heap-metrics.js';

const { values: args } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true, default: ['main=.'] },
    devices: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '1' },
    at: { type: 'string', default: '10,30,70' },
    kind: { type: 'string', default: 'soil' },
    /** node flags for the rules process (e.g. --trace-gc); its output is then copied to --log. */
    flags: { type: 'string', default: '' },
    log: { type: 'string' },
    /** Writes a heap snapshot of the rules process (into the tree's directory) at the first read. */
    snapshot: { type: 'boolean', default: false },
  },
});

const trees = args.tree.map((spec) => {
  const eq = spec.indexOf('=');
  return { name: eq > 0 ? spec.slice(0, eq) : spec, dir: resolve(eq > 0 ? spec.slice(eq + 1) : spec) };
});
const devices = Number(args.devices);
const at = args.at.split(',').map(Number);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function procRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function ruong(dir: string, command: string, env: Record<string, string>, running: () => void, flags: readonly string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...flags, join(dir, 'dist/cli/main.js'), command], { cwd: dir, env: { ...process.env, ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('Stop with Ctrl-C')) running();
    if (flags.length > 0 && args.log) appendFileSync(args.log, chunk);
  });
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); });
}

/** V8's heap (size / used), of it the young generation's size, and the external memory (MB), from /metrics. */
async function heapBrief(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const get = (re: RegExp): string => (Number(re.exec(text)?.[1] ?? NaN) / 2 ** 20).toFixed(0);
  return `heap ${get(/^nodejs_heap_size_total_bytes (\d+)/m)}/${get(/^nodejs_heap_size_used_bytes (\d+)/m)}, new ${get(/^nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)/m)}, external ${get(/^nodejs_external_memory_bytes (\d+)/m)}`;
}

async function measure(tree: { name: string; dir: string }, round: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ruong-bench-rules-memory-'));
  const children: ChildProcess[] = [];
  try {
    await provisionBenchDevices(dataDir, devices, 'memory', args.kind);
    const mqttPort = await freePort();
    const metricsPort = await freePort();
    const common = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', MQTT_HOST: '127.0.0.1', MQTT_PORT: String(mqttPort), MQTT_WS_PORT: '0' };
    let brokerUp!: () => void;
    const brokerRunning = new Promise<void>((r) => { brokerUp = r; });
    children.push(ruong(tree.dir, 'broker', common, brokerUp));
    await brokerRunning;
    let rulesUp!: () => void;
    const rulesRunning = new Promise<void>((r) => { rulesUp = r; });
    const t0 = Date.now(); // reads are timed from the spawn: a tree that starts slower is read at the same moment
    const rules = ruong(tree.dir, 'rules', { ...common, METRICS_PORT: String(metricsPort) }, rulesUp, [...args.flags.split(' ').filter(Boolean), ...(args.snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : [])]);
    children.push(rules);
    await rulesRunning;
    const runningS = (Date.now() - t0) / 1000;
    const reads: string[] = [];
    for (const s of at) {
      await sleep(Math.max(0, t0 + s * 1000 - Date.now()));
      if (args.snapshot && reads.length === 0) {
        rules.kill('SIGUSR2');
        await sleep(20_000); // written synchronously by the process; read on after it
      }
      reads.push(`${s} s ${procRssMb(rules.pid!).toFixed(0)} MB (${await heapBrief(metricsPort)})`);
    }
    console.log(`${tree.name} round ${round}: ${devices} devices — running after ${runningS.toFixed(1)} s; rules RSS ${reads.join(', ')} | load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    console.log(`  heap spaces MB size/used: ${await heapSpaces(metricsPort)}`);
  } finally {
    for (const c of [...children].reverse()) await stop(c);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`# rules memory — ${new Date().toISOString()}, node ${process.version}, ${devices} devices (kind ${args.kind}), reads at ${args.at} s after start`);
for (let round = 1; round <= Number(args.rounds); round++) for (const tree of trees) await measure(tree, round);
