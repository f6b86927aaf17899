// `npm run bench:api-ab` — the 30-day field chart (and the writes beneath it) of two or more source trees in ONE
// run, in interleaved rounds against the SAME filled stores, so "before" and "after" share the machine's state.
//   npm run bench:api-ab -- --dir /tmp/ruong-bench-ab [--readings 10000000] [--rounds 3] [--requests 100]
//     [--variant new] [--variant 'old:/tmp/ruong-old-tree'] [--write-readings 1000000] [--store both|influx|sqlite]
// A variant is `name` (this tree) or `name:dir` (another checkout's core/ + api/, loaded through tsx, e.g.
// `git archive <commit> core api | tar -x -C dir` with node_modules linked in). --dir keeps the filled stores
// (a private influxd's data directory and a SQLite file) for later runs: 10M readings take minutes to write
// and the InfluxDB rollup refresh several more; a run finding them filled skips straight to the measurements.
// Each round, in an order rotating from round to round, per variant: its ReadingStore on the filled data, its
// buildApp on a loopback port, `--requests` chart GETs (`GET /fields/:id/readings?metric=soil_moisture@20cm`,
// 30 days, a different field each time), then 20 store.query calls (1 h windows); and its store writing
// `--write-readings` readings into a fresh InfluxDB database (dropped after). Then the same chart with one
// late reading in an old hour of every device (dirty marks present: the stale-hour path), and a refresh.
// Beside the client's wall times: CPU per chart GET of this process (client, API and store together, from
// process.cpuUsage) and of influxd (from /proc/<pid>/stat), less sensitive to the machine's load.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../core/log.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { configText, freePort, influxdBin } from '../../test/helpers/influxd.js';
import { COOP, DEVICES, DEVICES_PER_FIELD, deviceId, farmId, farmOf, fieldId, fieldOf, fill, INTERVAL_MS, METRICS, seedRegistry } from './fixture.js';

const DAY = 86_400_000;
const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/ruong-bench-ab' }, readings: { type: 'string', default: '10000000' },
    rounds: { type: 'string', default: '3' }, requests: { type: 'string', default: '100' },
    variant: { type: 'string', multiple: true, default: ['new'] }, 'write-readings': { type: 'string', default: '1000000' },
    store: { type: 'string', default: 'both' },
  },
});
const dir = resolve(args.dir);
const total = Number(args.readings);
const requests = Number(args.requests);
const writeReadings = Number(args['write-readings']);
const kinds = args.store === 'both' ? ['sqlite', 'influx'] : [args.store];

interface Variant {
  name: string;
  createInfluxStore: typeof import('../../core/store/influx-store.js').createInfluxStore;
  createSqliteStore: typeof import('../../core/store/sqlite-store.js').createSqliteStore;
  buildApp: typeof import('../../api/app.js').buildApp;
  createRegistry: typeof import('../../core/registry/registry.js').createRegistry;
  createEventBus: typeof import('../../core/event-bus.js').createEventBus;
  createMetrics: typeof import('../../core/metrics.js').createMetrics;
}

async function loadVariant(spec: string): Promise<Variant> {
  const [name, src] = spec.includes(':') ? [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)] : [spec, undefined];
  const base = src ? pathToFileURL(resolve(src)).href : new URL('../..', import.meta.url).href.replace(/\/$/, '');
  const load = <T>(path: string) => import(`${base}/${path}.ts`) as Promise<T>;
  return {
    name: name ?? spec,
    createInfluxStore: (await load<typeof import('../../core/store/influx-store.js')>('core/store/influx-store')).createInfluxStore,
    createSqliteStore: (await load<typeof import('../../core/store/sqlite-store.js')>('core/store/sqlite-store')).createSqliteStore,
    buildApp: (await load<typeof import('../../api/app.js')>('api/app')).buildApp,
    createRegistry: (await load<typeof import('../../core/registry/registry.js')>('core/registry/registry')).createRegistry,
    createEventBus: (await load<typeof import('../../core/event-bus.js')>('core/event-bus')).createEventBus,
    createMetrics: (await load<typeof import('../../core/metrics.js')>('core/metrics')).createMetrics,
  };
}

interface Timing { p50: number; p95: number; max: number; n: number }
function stats(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), max: s.at(-1) ?? NaN, n: s.length };
}
async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}
const fmt = (t: Timing) => `p50 ${t.p50.toFixed(1)} · p95 ${t.p95.toFixed(1)} · max ${t.max.toFixed(1)} ms`;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** influxd on a kept data directory (--dir/influx). */
/** CPU ms (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15)
}
let influxdPid: number | undefined;

async function startKeptInfluxd(): Promise<{ url: string; stop(): Promise<void> }> {
  const home = join(dir, 'influx');
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  let rpc = await freePort();
  while (rpc === port) rpc = await freePort();
  writeFileSync(join(home, 'influxdb.conf'), configText(home, port, rpc));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INFLUXDB_')));
  const child = spawn(influxdBin(), ['run', '-config', join(home, 'influxdb.conf')], { env, stdio: 'ignore' });
  process.once('exit', () => child.kill('SIGKILL'));
  influxdPid = child.pid;
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/ping`)).status === 204) break;
    } catch { /* not yet */ }
    if (i > 600) throw new Error('influxd did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}

interface Filled { now: number; start: number; written: number; fillS: number; rollupS: number }

async function ensureFilled(kind: string, store: ReadingStore): Promise<Filled> {
  const marker = join(dir, `${kind}.filled.json`);
  await store.setup();
  if (existsSync(marker)) {
    const f = JSON.parse(readFileSync(marker, 'utf8')) as Filled;
    if (f.written === total) return f;
  }
  const now = Date.now();
  const t0 = performance.now();
  const { written, start } = await fill(store, total, now - 60_000, 100_000, () => undefined);
  const fillS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await store.refreshRollups();
  const f = { now, start, written, fillS, rollupS: (performance.now() - t1) / 1000 };
  writeFileSync(marker, JSON.stringify(f));
  console.log(`  ${kind}: filled ${written} readings in ${fillS.toFixed(1)} s + rollup refresh ${f.rollupS.toFixed(1)} s (load ${loadavg()})`);
  return f;
}

async function serve(v: Variant, store: ReadingStore) {
  const registry = v.createRegistry(':memory:');
  await seedRegistry(registry);
  await registry.createUser({ cooperativeId: COOP, username: 'bench', password: 'bench-password', role: 'admin' });
  const app = v.buildApp({ registry, store, bus: v.createEventBus(), metrics: v.createMetrics(), log: silentLogger(), sessionTtlMs: 3_600_000, readiness: () => Promise.resolve({}) });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password' }) });
  const headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  return {
    async get(path: string) {
      const res = await fetch(`${base}${path}`, { headers });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ points?: unknown[]; series?: { ts: unknown[] }[]; everyMs: number }>;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await registry.close();
    },
  };
}

const fields = DEVICES / DEVICES_PER_FIELD;

async function chart(v: Variant, store: ReadingStore, now: number, n: number, offset: number) {
  const api = await serve(v, store);
  const from = now - 30 * DAY;
  const path = (i: number) => `/api/v1/fields/${fieldId(((i + offset) * 37) % fields)}/readings?metric=soil_moisture@20cm&from=${from}&to=${now}`;
  const sample = await api.get(path(0));
  const cpu0 = process.cpuUsage();
  const influx0 = store.kind === 'influx' ? procCpuMs(influxdPid) : 0;
  const http = await time(n, (i) => api.get(path(i)));
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  const influxdMs = store.kind === 'influx' ? (procCpuMs(influxdPid) - influx0) / n : 0;
  const q = await time(20, (i) => store.query({ cooperativeId: COOP, fieldId: fieldId(((i + offset) * 53) % fields), metric: 'soil_moisture@20cm', from, to: now, everyMs: 3_600_000 }));
  await api.close();
  // a tree before issue 19 answers `points` (an object per point), a later one `series` (columns per device)
  const points = sample.points?.length ?? sample.series?.reduce((n, s) => n + s.ts.length, 0) ?? 0;
  return { http, store: q, points, everyMs: sample.everyMs, cpuMs, influxdMs };
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const variants: Variant[] = [];
  for (const spec of args.variant) variants.push(await loadVariant(spec));
  const rounds = Number(args.rounds);
  console.log(`bench:api-ab — ${total} readings, variants ${variants.map((v) => v.name).join(', ')}, ${rounds} rounds, ${requests} chart requests each (load ${loadavg()})`);
  const influxd = kinds.includes('influx') ? await startKeptInfluxd() : undefined;
  const influxUrl = (db: string) => `${influxd?.url ?? ''}/${db}`;
  const sqlitePath = join(dir, 'readings.db');
  const open = (v: Variant, kind: string, db = 'ruong_bench') => kind === 'influx'
    ? v.createInfluxStore({ url: influxUrl(db), timeoutMs: 300_000 })
    : v.createSqliteStore({ path: sqlitePath });
  const first = variants[0]!;
  const filled: Record<string, Filled> = {};
  for (const kind of kinds) {
    const s = open(first, kind);
    filled[kind] = await ensureFilled(kind, s);
    await s.close();
  }
  const rows: Record<string, unknown>[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const v of order) {
        for (const kind of kinds) {
          const store = open(v, kind);
          await store.setup();
          const c = await chart(v, store, filled[kind]!.now, requests, round * 7);
          await store.close();
          console.log(`  round ${round + 1} · ${v.name} · ${kind}: chart GET ${fmt(c.http)} (${c.points} points, everyMs ${c.everyMs}); CPU per GET ${c.cpuMs.toFixed(1)} ms here${kind === 'influx' ? ` + ${c.influxdMs.toFixed(1)} ms influxd` : ''}; store.query 1 h ${fmt(c.store)} (load ${loadavg()})`);
          rows.push({ round: round + 1, variant: v.name, kind, phase: 'chart', http: c.http, store: c.store, cpuMs: c.cpuMs, influxdMs: c.influxdMs });
        }
        if (kinds.includes('influx') && writeReadings > 0) {
          const db = `ruong_w_${v.name.replace(/\W/g, '_')}_${round}`;
          const store = open(v, 'influx', db);
          await store.setup();
          const t0 = performance.now();
          const cpu0 = process.cpuUsage();
          const influx0 = procCpuMs(influxdPid);
          const { written } = await fill(store, writeReadings, Date.now() - 60_000, 20_000, () => undefined);
          const s = (performance.now() - t0) / 1000;
          const cpu = process.cpuUsage(cpu0);
          const cpuPer1k = ((cpu.user + cpu.system) / 1000 / written) * 1000;
          const influxdPer1k = ((procCpuMs(influxdPid) - influx0) / written) * 1000;
          await store.close();
          await fetch(`${influxd!.url}/query?q=${encodeURIComponent(`DROP DATABASE "${db}"`)}`, { method: 'POST' });
          console.log(`  round ${round + 1} · ${v.name} · influx writes: ${written} readings in ${s.toFixed(2)} s = ${Math.round(written / s)} readings/s (batches of 20,000); CPU per 1,000 readings ${cpuPer1k.toFixed(1)} ms here + ${influxdPer1k.toFixed(1)} ms influxd`);
          rows.push({ round: round + 1, variant: v.name, kind: 'influx', phase: 'write', perS: written / s, cpuPer1k, influxdPer1k });
        }
      }
    }
    if (kinds.includes('influx')) {
      // Dirty marks in the 30 days: rewrite one existing reading (same value) of every device 10 days back.
      const f = filled.influx!;
      const s = Math.floor((f.now - 10 * DAY - f.start) / INTERVAL_MS);
      const ts = f.start + s * INTERVAL_MS;
      const late = Array.from({ length: DEVICES }, (_, d) => {
        const fi = fieldOf(d);
        return { deviceId: deviceId(d), metric: METRICS[1], ts, value: Math.round((100 - s * 0.01) * 10) / 10, fieldId: fieldId(fi), farmId: farmId(farmOf(fi)), cooperativeId: COOP };
      });
      const w = open(first, 'influx');
      await w.write(late);
      for (const v of variants) {
        const store = open(v, 'influx');
        const c = await chart(v, store, f.now, requests, 3);
        await store.close();
        console.log(`  stale hour · ${v.name} · influx: chart GET ${fmt(c.http)}; CPU per GET ${c.cpuMs.toFixed(1)} ms here + ${c.influxdMs.toFixed(1)} ms influxd; store.query 1 h ${fmt(c.store)} (load ${loadavg()})`);
        rows.push({ variant: v.name, kind: 'influx', phase: 'stale', http: c.http, store: c.store, cpuMs: c.cpuMs, influxdMs: c.influxdMs });
      }
      await w.refreshRollups();
      await w.close();
    }
  } finally {
    await influxd?.stop();
  }
  console.log(JSON.stringify({ filled, rows }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
