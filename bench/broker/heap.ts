// `node --import tsx bench/broker/heap.ts` (issue 3, memory per connection): where a Node broker's bytes per idle
// connection go. For each broker mode: fork it (bench/broker/our-broker.ts), take a V8 heap snapshot after
// a full GC, connect N/2 devices (CONNECT → CONNACK, then idle), take another, connect the other N/2, take a
// third, and print per connection the marginal live JS heap (second half only) by node type and constructor
// (self size and count). VmRSS and process.memoryUsage() come from a first pass without snapshots (a snapshot
// leaves native memory in the RSS), over all N (fixed costs such as V8's grown young generation and
// mqtt-packet's lazily built number cache included) and over the second half only (marginal).
//   --brokers aedes,ours  --devices 2000  --top 25  --keep (keep the .heapsnapshot files)
//   --no-snapshots (only the memory pass: VmRSS and process.memoryUsage())
//   --settle-ms 2000 (full GC, wait this long, full GC, wait again, then read VmRSS: right after gc() the pages
//     it freed are still resident until V8's concurrent sweeper and unmapper release them — read at once after
//     one gc(), ours showed 14.1–14.3 KB per connection at 10,000 idle connections, settled 7.0–7.7; the
//     unsettled figure is printed too, as 'read right after the forced GC')
//   --idle-ms 0 (> 0: then wait this long without a forced GC, at 0 and at N connections, and print VmRSS once
//     V8's memory reducer has shrunk the young generation and compacted old space, as an idle broker does)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeConnect, openMqtt, type MqttSocket } from '../../firmware-sim/loadgen-wire.js';
import { benchDeviceId, startBroker, type BrokerKind, type BrokerMemory } from './brokers.js';

const { values: args } = parseArgs({
  options: {
    brokers: { type: 'string', default: 'aedes,ours' },
    devices: { type: 'string', default: '2000' },
    top: { type: 'string', default: '25' },
    keep: { type: 'boolean', default: false },
    'no-snapshots': { type: 'boolean', default: false },
    'settle-ms': { type: 'string', default: '2000' },
    'idle-ms': { type: 'string', default: '0' },
  },
});

interface Group { bytes: number; count: number }

/** Self size and count of every live heap node, grouped by node type and constructor / function name. */
function groupSnapshot(path: string): Map<string, Group> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const groups = new Map<string, Group>();
  for (let n = 0; n < snap.nodes.length; n += width) {
    const type = types[snap.nodes[n + iType]!]!;
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array';
    const key = named ? `${type} ${snap.strings[snap.nodes[n + iName]!]!.slice(0, 60)}` : type;
    const g = groups.get(key) ?? { bytes: 0, count: 0 };
    g.bytes += snap.nodes[n + iSize]!;
    g.count++;
    groups.set(key, g);
  }
  return groups;
}

async function connectRange(port: number, from: number, to: number, conns: MqttSocket[]): Promise<void> {
  let next = from;
  async function worker(): Promise<void> {
    while (next < to) {
      const i = next++;
      conns.push(await openMqtt('127.0.0.1', port, encodeConnect({ clientId: benchDeviceId(i) }, true)));
    }
  }
  await Promise.all(Array.from({ length: Math.min(200, to - from) }, worker));
}

const kb = (bytes: number, n: number): string => (bytes / n / 1024).toFixed(2).padStart(7);

/** Resident bytes by mapping kind (/proc/PID/smaps): main-thread malloc arena ([heap], brk), other anonymous
 * mappings (V8's heap pages, other threads' malloc arenas, large mmap'd allocations) and file-backed pages
 * (the node binary's code and shared libraries paged in: not per connection). */
interface Mappings { readonly brk: number; readonly anon: number; readonly file: number }

function mappings(pid: number): Mappings {
  const out = { brk: 0, anon: 0, file: 0 };
  let kind: keyof Mappings = 'file';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) kind = head[1] === '[heap]' ? 'brk' : head[1] === '' ? 'anon' : 'file';
    else if (line.startsWith('Rss:')) out[kind] += Number(/(\d+) kB/.exec(line)![1]) * 1024;
  }
  return out;
}

function vmRss(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Sample {
  /** VmRSS after the GC has settled (--settle-ms), and read right after the forced GC (the old figure). */
  readonly rss: number;
  readonly rssAtGc: number;
  readonly maps: Mappings;
  readonly mem: BrokerMemory;
  /** With --idle-ms, at 0 and N connections: VmRSS and mappings after that long without a forced GC. */
  readonly idle?: { readonly rss: number; readonly maps: Mappings };
}

/** Connects 0 → N/2 → N devices, sampling at each step; with a dir, also writes a heap snapshot at each step. */
async function pass(kind: ProfiledKind, devices: number, dir: string | undefined): Promise<Sample[]> {
  const b = await startBroker(kind, devices);
  const conns: MqttSocket[] = [];
  try {
    const samples: Sample[] = [];
    const steps = [0, Math.floor(devices / 2), devices];
    for (let s = 0; s < steps.length; s++) {
      await connectRange(b.port, s === 0 ? 0 : steps[s - 1]!, steps[s]!, conns);
      await sleep(500);
      // VmRSS first: a heap snapshot itself allocates native memory that stays in the RSS.
      await b.snapshot!(); // a full GC
      const rssAtGc = vmRss(b.pid);
      const settle = Number(args['settle-ms']);
      await sleep(settle);
      const mem = await b.snapshot!();
      await sleep(settle);
      const rss = vmRss(b.pid);
      const maps = mappings(b.pid);
      if (dir) await b.snapshot!(join(dir, `${kind}-${steps[s]}.heapsnapshot`));
      const idleMs = Number(args['idle-ms']);
      let idle: Sample['idle'];
      if (!dir && idleMs > 0 && s !== 1) {
        await sleep(idleMs);
        idle = { rss: vmRss(b.pid), maps: mappings(b.pid) };
      }
      samples.push({ rss, rssAtGc, maps, mem, idle });
    }
    return samples;
  } finally {
    for (const c of conns) c.socket.destroy();
    await b.stop();
  }
}

type ProfiledKind = Exclude<BrokerKind, 'mosquitto' | 'ours-auth'>;

async function profile(kind: ProfiledKind, devices: number, dir: string): Promise<void> {
  const [z, h, f] = await pass(kind, devices, undefined);
  const half = Math.floor(devices / 2);
  const n = devices - half;
  const line = (label: string, a: Sample, count: number): string =>
    `${label}: VmRSS ${kb(f!.rss - a.rss, count)} | heapUsed ${kb(f!.mem.heapUsed - a.mem.heapUsed, count)} | heapTotal ${kb(f!.mem.heapTotal - a.mem.heapTotal, count)} | external ${kb(f!.mem.external - a.mem.external, count)}`;
  console.log(`\n## ${kind}: ${devices} idle connections — KB per connection (memory pass without snapshots)`);
  console.log(line(`all ${devices}     `, z!, devices));
  console.log(line(`marginal ${n}`, h!, n));
  console.log(`VmRSS read right after the forced GC (not settled): all ${kb(f!.rssAtGc - z!.rssAtGc, devices)} | marginal ${kb(f!.rssAtGc - h!.rssAtGc, n)}`);
  if (z!.idle && f!.idle) {
    const d = (k: keyof Mappings): string => kb(f!.idle!.maps[k] - z!.idle!.maps[k], devices);
    console.log(`after ${args['idle-ms']} ms idle without a forced GC: VmRSS ${kb(f!.idle.rss - z!.idle.rss, devices)} | malloc [heap] ${d('brk')} | other anon ${d('anon')} | file-backed ${d('file')}`);
  }
  const v8 = (m: BrokerMemory): number => m.spaces.reduce((sum, x) => sum + x.physical_space_size, 0);
  const native = (a: Sample): number => a.maps.brk + a.maps.anon - v8(a.mem);
  const parts = (label: string, a: Sample, count: number): string =>
    `${label}: malloc [heap] ${kb(f!.maps.brk - a.maps.brk, count)} | other anon ${kb(f!.maps.anon - a.maps.anon, count)} | file-backed ${kb(f!.maps.file - a.maps.file, count)}` +
    ` | V8 spaces ${kb(v8(f!.mem) - v8(a.mem), count)} | native (anon − V8) ${kb(native(f!) - native(a), count)} | arrayBuffers ${kb(f!.mem.arrayBuffers - a.mem.arrayBuffers, count)}`;
  console.log(parts(`all ${devices}     `, z!, devices));
  console.log(parts(`marginal ${n}`, h!, n));
  const space = (m: BrokerMemory, name: string) => m.spaces.find((x) => x.space_name === name)?.physical_space_size ?? 0;
  console.log(`V8 spaces, physical KB per connection (all ${devices} / marginal): ` + f!.mem.spaces.map((x) =>
    `${x.space_name.replace('_space', '')} ${(((x.physical_space_size - space(z!.mem, x.space_name)) / devices) / 1024).toFixed(2)}/${(((x.physical_space_size - space(h!.mem, x.space_name)) / n) / 1024).toFixed(2)}`).join(', '));
  if (args['no-snapshots']) return;
  await pass(kind, devices, dir);
  const g0 = groupSnapshot(join(dir, `${kind}-${half}.heapsnapshot`));
  const g1 = groupSnapshot(join(dir, `${kind}-${devices}.heapsnapshot`));
  const rows = [...g1].map(([key, g]) => {
    const was = g0.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: g.bytes - was.bytes, count: g.count - was.count };
  }).sort((a, b) => b.bytes - a.bytes);
  const live = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`snapshot pass: marginal live heap ${kb(live, n)} KB per connection`);
  console.log('\n| node (type constructor), marginal | bytes per conn | objects per conn |\n|---|---|---|');
  for (const r of rows.slice(0, Number(args.top))) console.log(`| ${r.key} | ${(r.bytes / n).toFixed(0)} | ${(r.count / n).toFixed(2)} |`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-heap-'));
  const devices = Number(args.devices);
  console.log(`# bench:broker-heap — ${new Date().toISOString()}, node ${process.version}, ${devices} devices`);
  try {
    for (const kind of args.brokers.split(',') as ProfiledKind[]) await profile(kind, devices, dir);
  } finally {
    if (args.keep) console.log(`\nsnapshots kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
