// `npm run bench:pipeline` — the ingest pipeline end to end (issue 4): N devices publish native payloads with
// 4 readings at QoS 1 through our broker (its own process) and the ingest (its own process) into a real
// influxd, and in the same run InfluxDB's raw write ceiling is measured with the same points as line protocol
// (raw-ceiling.ts). Prints msg/s and readings/s, CPU µs per message of broker, ingest and influxd, and lost and
// duplicate counts; then the reconnect storm (10,000 devices replaying 6 h of 10-minute readings = 360k messages).
// Every side of every ratio is counted in InfluxDB afterwards: a ceiling or pipeline run whose points InfluxDB
// does not all count fails the bench.
//   --devices 1000 --messages 300 --window 16    throughput run
//   --storm-devices 10000 --storm-messages 36    reconnect storm (--no-storm to skip)
//   --ceiling-points 2000000                      points per ceiling measurement (0 = none)
//   --rounds N                                    N interleaved rounds: ceiling, then every variant (order rotated), ceiling
//   --variant NAME[:KEY=VALUE,…]                  a set-up (repeatable): BATCH_SIZE, BATCH_MS, BENCH_SRC (ingest tree),
//                                                 BENCH_BROKER_SRC (broker tree) (see child.ts; the trees need --tsx);
//                                                 both children get the variant's environment;
//                                                 default: one variant, the configuration's defaults
//   --soak                                        the 60 s influxd kill -9 under 100 msg/s instead (bench/pipeline/soak.ts)
//   --tsx                                         run broker and ingest through tsx instead of a tsc build (faster start)
//   --timeline                                    also print messages stored (thousands) every ~200 ms
// The broker's GC work per message: BENCH_NODE_FLAGS_BROKER=--trace-gc-nvp, then bench/pipeline/gc-summary.ts on the log.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKillableInfluxd, type KillableInfluxd } from '../../test/helpers/influxd-killable.js';
import { createLoad } from './loadgen.js';
import { checkCeilingShape, countReadings, rawCeiling, type CeilingResult } from './raw-ceiling.js';
import { createBenchRegistry, startChild, type ChildStats } from './setup.js';
import { runSoak } from './soak.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

/** utime + stime of a process in µs (Linux /proc; clock ticks of 10 ms). */
function procCpuUs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Scenario { name: string; devices: number; messages: number; window: number; stepMs: number; t0: number; connectConcurrency: number; db: string; env?: Record<string, string> }
interface Variant { readonly name: string; readonly env: Record<string, string> }

/** `--variant NAME[:KEY=VALUE,…]`, repeatable; none = the configuration's defaults. */
function variants(): Variant[] {
  const out: Variant[] = [];
  process.argv.forEach((a, i) => {
    if (a !== '--variant') return;
    const [name, spec = ''] = (process.argv[i + 1] ?? '').split(/:(.*)/s);
    const env = Object.fromEntries(spec.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string])); // (a value may hold '=')
    if ((env.BENCH_SRC || env.BENCH_BROKER_SRC) && !flag('tsx')) throw new Error('--variant with BENCH_SRC or BENCH_BROKER_SRC needs --tsx');
    out.push({ name: name!, env });
  });
  return out.length ? out : [{ name: 'default', env: {} }];
}

async function runScenario(influxd: KillableInfluxd, dir: string, s: Scenario) {
  const broker = await startChild('broker', { BENCH_DIR: dir, ...s.env });
  const ingest = await startChild('ingest', { BENCH_DIR: dir, BROKER_PORT: String(broker.port), INFLUX_URL: `${influxd.url}/${s.db}`, ...s.env })
    .catch(async (err: unknown) => { await broker.stop(); throw err; });
  const load = createLoad({ port: broker.port!, devices: s.devices, messagesPerDevice: s.messages, window: s.window, t0: s.t0, stepMs: s.stepMs, connectConcurrency: s.connectConcurrency });
  const total = s.devices * s.messages;
  const snap = async () => ({ b: await broker.stats(), i: await ingest.stats(), db: procCpuUs(influxd.pid()), me: process.cpuUsage(), at: performance.now() });
  // Throughput: timed from the first PUBLISH. Storm: from the first CONNECT (the devices reconnect together).
  let before = await snap();
  const connectMs = await load.connect();
  if (s.name === 'throughput') before = await snap();
  void load.publish();
  let last = 0;
  let lastChange = performance.now();
  let stored = 0;
  const timeline: [number, number][] = []; // --timeline: ms since the start → readings stored
  while (stored < total * 4 && performance.now() - lastChange < 30_000) {
    await new Promise((r) => setTimeout(r, 50));
    stored = (await ingest.stats()).stored;
    if (stored !== last) { last = stored; lastChange = performance.now(); }
    if (flag('timeline')) timeline.push([Math.round(performance.now() - before.at), stored]);
  }
  if (flag('timeline')) console.log(JSON.stringify({ timeline: timeline.filter((_, i) => i % 4 === 0).map(([t, n]) => `${t}:${Math.round(n / 4000)}k`).join(' ') }));
  const after = await snap();
  const seconds = (after.at - before.at) / 1000;
  const inDb = await countReadings(influxd.url, s.db);
  const cpu = (a: ChildStats, b: ChildStats) => (b.cpuUs - a.cpuUs) / total;
  const loadCpu = (after.me.user + after.me.system - before.me.user - before.me.system) / total;
  load.close();
  await ingest.stop();
  await broker.stop();
  return {
    scenario: s.name, devices: s.devices, messages: total, readings: total * 4, connectMs: Math.round(connectMs), seconds: Number(seconds.toFixed(2)),
    msgPerSec: Math.round(total / seconds), readingsPerSec: Math.round((total * 4) / seconds),
    cpuUsPerMsg: { broker: Number(cpu(before.b, after.b).toFixed(1)), ingest: Number(cpu(before.i, after.i).toFixed(1)), influxd: Number(((after.db - before.db) / total).toFixed(1)), loadgen: Number(loadCpu.toFixed(1)) },
    ingestRssMb: Math.round(after.i.rssMb), brokerRssMb: Math.round(after.b.rssMb),
    lost: total * 4 - inDb, storedInInflux: inDb, redelivered: after.i.received - total, acked: load.acked(),
  };
}

/** Runs a scenario and fails the bench unless InfluxDB counts every reading sent; drops its database after. */
async function countedScenario(influxd: KillableInfluxd, dir: string, s: Scenario) {
  const r = await runScenario(influxd, dir, s);
  if (r.storedInInflux !== r.readings) {
    console.log(JSON.stringify(r));
    throw new Error(`${s.name} (${s.db}): sent ${r.readings} readings, InfluxDB counts ${r.storedInInflux}`);
  }
  await fetch(`${influxd.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `DROP DATABASE "${s.db}"` }) });
  return r;
}

const spread = (xs: number[], digits = 0) => {
  const f = (x: number) => x.toFixed(digits);
  return xs.length === 1 ? f(xs[0]!) : `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
};

async function main(): Promise<void> {
  if (flag('soak')) {
    console.log(JSON.stringify(await runSoak({ seconds: arg('outage-s', 60), rate: arg('rate', 100) }), null, 2));
    return;
  }
  const devices = arg('devices', 1000);
  const stormDevices = flag('no-storm') ? 0 : arg('storm-devices', 10_000);
  const influxd = await startKillableInfluxd();
  const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-pipeline-'));
  try {
    if (!flag('tsx')) {
      // The code under test as `npm run build` ships it (tsc), not as tsx transpiles it on the fly.
      const dist = join('node_modules', '.cache', 'ruong-bench-dist'); // inside the repo, so its imports resolve
      rmSync(dist, { recursive: true, force: true });
      try {
        execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', dist], { stdio: 'ignore' });
      } catch {
        // tsc exits non-zero on a type error anywhere but still emits; what matters is that the ingest was built.
      }
      if (!existsSync(join(dist, 'ingest', 'ingest-service.js'))) throw new Error('tsc did not build the ingest; run with --tsx');
      process.env.BENCH_DIST = dist;
    }
    await createBenchRegistry(dir, Math.max(devices, stormDevices));
    checkCeilingShape(Date.now() - 3_600_000);
    const points = arg('ceiling-points', 2_000_000);
    const messages = arg('messages', 300);
    const rounds = arg('rounds', 1);
    const vs = variants();
    const ceilingRun = async (round: number, tag: string, perBody: number) => {
      const c = await rawCeiling(influxd.url, `bench_raw_${round}_${tag}`, points, 2, perBody, devices);
      console.log(JSON.stringify({ round, rawCeiling: { ...c, pointsPerSec: Math.round(c.pointsPerSec) } }));
      return c;
    };
    const rows: { round: number; variant: string; msgPerSec: number; readingsPerSec: number; ofCeiling: number; cpu: Record<string, number> }[] = [];
    const ceilings: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      // The ceiling before and after the pipeline runs of the round, with 5,000- and 20,000-line bodies (the
      // ingest posts up to 20,000); each ratio is taken against the round's best (never flattered by a slow one).
      const measured: CeilingResult[] = points > 0 ? [await ceilingRun(round, 'a', 5000), await ceilingRun(round, 'b', 20_000)] : [];
      const results = [];
      for (let k = 0; k < vs.length; k++) {
        const v = vs[(k + round - 1) % vs.length]!; // the order rotates from round to round
        const r = await countedScenario(influxd, dir, {
          name: 'throughput', devices, messages, window: arg('window', 16), stepMs: 1000, t0: Date.now() - 2 * messages * 1000, connectConcurrency: 200,
          db: `bench_pipeline_${round}_${k}`, env: v.env,
        });
        results.push({ v, r });
      }
      if (points > 0) measured.push(await ceilingRun(round, 'c', 20_000));
      const best = Math.max(0, ...measured.map((c) => c.pointsPerSec));
      ceilings.push(best);
      for (const { v, r } of results) {
        const ofCeiling = best > 0 ? Number((r.readingsPerSec / best).toFixed(2)) : 0;
        console.log(JSON.stringify({ round, variant: v.name, env: v.env, ...r, rawCeilingBest: Math.round(best), ofRawCeiling: ofCeiling }));
        rows.push({ round, variant: v.name, msgPerSec: r.msgPerSec, readingsPerSec: r.readingsPerSec, ofCeiling, cpu: r.cpuUsPerMsg });
      }
    }
    // Per variant over the rounds; `÷ first` = msg/s ÷ the first variant's in the same round.
    for (const v of vs) {
      const mine = rows.filter((r) => r.variant === v.name);
      const first = rows.filter((r) => r.variant === vs[0]!.name);
      console.log(JSON.stringify({
        summary: v.name, rounds, msgPerSec: spread(mine.map((r) => r.msgPerSec)), readingsPerSec: spread(mine.map((r) => r.readingsPerSec)),
        ofRawCeiling: spread(mine.map((r) => r.ofCeiling), 2), rawCeilingBest: spread(ceilings),
        vsFirst: spread(mine.map((r, i) => r.msgPerSec / first[i]!.msgPerSec), 2),
        cpuUsPerMsg: Object.fromEntries(Object.keys(mine[0]!.cpu).map((k) => [k, spread(mine.map((r) => r.cpu[k]!), 1)])),
      }));
    }
    if (stormDevices > 0) {
      const storm = await countedScenario(influxd, dir, {
        name: 'storm', devices: stormDevices, messages: arg('storm-messages', 36), window: 36, stepMs: 600_000, t0: Date.now() - 6 * 3_600_000 - 600_000,
        connectConcurrency: arg('storm-concurrency', 1000), db: 'bench_storm', env: vs[0]!.env,
      });
      console.log(JSON.stringify(storm));
    }
  } finally {
    await influxd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
