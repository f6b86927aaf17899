// One side of the pipeline benchmark in its own process, so its CPU time is its own (bench/pipeline/run.ts
// forks it):  `child.ts broker`  → Aedes via createBrokerService on a free port, with the ingest's durable
//                                  session created at start and PUBACKs held until the ingest stored the message
//                                  (broker/store-acks.ts), as `ruong broker` runs it (cli/broker-config.ts)
//             `child.ts ingest`  → createIngestService against BROKER_PORT, writing to INFLUX_URL
// Both share BENCH_DIR's registry (devices inserted by run.ts). IPC: → {type:'ready', port?};
// ← {type:'stats'} → {type:'stats', cpuUs, stored, received, acked, duplicates}. Stopped by SIGTERM.
// Each role loads only its own code, the broker's first: the ingest loads mqtt-packet, and once it is loaded
// broker/quiet-packet-debug.ts can no longer silence its `debug` calls (a broker child that loaded the ingest
// first spent 3.7 % of its CPU in `debug`, which `ruong broker` and `ruong start` do not).
// BENCH_DIST=dir loads broker, ingest and core from a tsc build there (as `npm run build` ships them)
// instead of through tsx, whose esbuild output wraps every closure it creates in a naming helper.
// BENCH_SRC=dir (ingest only, through tsx) loads the ingest and core from another source tree, e.g. one with an
// earlier ingest/batcher.ts, for A/B rounds in one run (run.ts --variant). BENCH_BROKER_SRC=dir does the same
// for the broker child (broker and core), e.g. `git archive <base> core ingest broker cli` unpacked with a
// node_modules symlink, package.json and tsconfig.json. BROKER_IDLE_COMPACTION=false: the broker without its idle
// compaction (broker/idle-compaction.ts), as `ruong broker` with that setting. Batching: BATCH_SIZE / BATCH_MS,
// else INGEST_BATCH_SIZE / INGEST_BATCH_MS's defaults (core/config.ts), as `ruong ingest` runs.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrokerAuth } from '../../broker/broker-service.js';
import type { Metrics } from '../../core/metrics.js';
import { BENCH_INGEST_SECRET, BENCH_SECRET } from './setup.js';

const role = process.argv[2];
const src = role === 'ingest' ? process.env.BENCH_SRC : role === 'broker' ? process.env.BENCH_BROKER_SRC : undefined;
const base = process.env.BENCH_DIST && !src
  ? pathToFileURL(resolve(process.env.BENCH_DIST)).href
  : src ? pathToFileURL(resolve(src)).href : new URL('../..', import.meta.url).href.replace(/\/$/, '');
const ext = process.env.BENCH_DIST && !src ? '.js' : '.ts';
const load = <T>(path: string) => import(`${base}/${path}${ext}`) as Promise<T>;
// The broker's code before anything that loads mqtt-packet (see the header).
const brokerService = role === 'broker' ? await load<typeof import('../../broker/broker-service.js')>('broker/broker-service') : undefined;
const { silentLogger } = await load<typeof import('../../core/log.js')>('core/log');
const { createMetrics } = await load<typeof import('../../core/metrics.js')>('core/metrics');
const { createRegistry } = await load<typeof import('../../core/registry/registry.js')>('core/registry/registry');

const dir = process.env.BENCH_DIR ?? '';
const send = (m: unknown) => process.send?.(m);
const value = async (m: { get(): Promise<{ values: { value: number }[] }> }) => (await m.get()).values.reduce((s, v) => s + v.value, 0);

async function stats(metrics: Metrics): Promise<Record<string, number>> {
  const cpu = process.cpuUsage();
  const dup = metrics.registry.getSingleMetric('ruong_ingest_seq_duplicates_total') as Parameters<typeof value>[0] | undefined;
  return {
    cpuUs: cpu.user + cpu.system,
    stored: await value(metrics.readingsStored),
    received: await value(metrics.messagesReceived),
    acked: await value(metrics.messagesAcked),
    duplicates: dup ? await value(dup) : 0,
    rssMb: process.memoryUsage().rss / 1e6,
  };
}

/** BATCH_SIZE / BATCH_MS, else the configuration's defaults (the settings a user gets). */
async function batching(): Promise<{ batchSize: number; batchDelayMs: number }> {
  const { loadConfig } = await load<typeof import('../../core/config.js')>('core/config');
  const defaults = loadConfig({});
  return {
    batchSize: Number(process.env.BATCH_SIZE ?? defaults.INGEST_BATCH_SIZE),
    batchDelayMs: Number(process.env.BATCH_MS ?? defaults.INGEST_BATCH_MS),
  };
}

async function main(): Promise<void> {
  const registry = createRegistry(join(dir, 'registry.db'));
  const metrics = createMetrics();
  let stop: () => Promise<void>;
  if (role === 'broker') {
    const { ingestSessions } = await load<typeof import('../../core/telemetry/ingest-shards.js')>('core/telemetry/ingest-shards');
    // Device secrets are compared directly: scrypt per first login is the broker benchmark's subject, and a
    // reconnect storm after an outage meets the broker's cache of verified secrets anyway.
    const auth: BrokerAuth = {
      verifyDevice: async (id, secret) => secret === BENCH_SECRET && (await registry.deviceContext(id)) !== undefined,
      verifyService: (name, secret) => Promise.resolve(name === 'ruong-ingest' && secret === BENCH_INGEST_SECRET),
    };
    const broker = brokerService!.createBrokerService({
      auth, log: silentLogger(), metrics, host: '127.0.0.1', port: 0, ingestSessions: ingestSessions('ruong-ingest', 1),
      // BROKER_IDLE_COMPACTION=false as `ruong broker` reads it (cli/broker-config.ts): no major GC after the connect burst.
      ...(process.env.BROKER_IDLE_COMPACTION === 'false' ? { idleCompaction: false as const } : {}),
    });
    await broker.start();
    stop = () => broker.stop();
    send({ type: 'ready', port: broker.addresses().tcp });
  } else {
    const { createInfluxStore } = await load<typeof import('../../core/store/influx-store.js')>('core/store/influx-store');
    const { createIngestService } = await load<typeof import('../../ingest/ingest-service.js')>('ingest/ingest-service');
    const store = createInfluxStore({ url: process.env.INFLUX_URL ?? '', rawRetentionMs: 90 * 86_400_000 });
    await store.setup();
    const ingest = createIngestService({
      broker: { host: '127.0.0.1', port: Number(process.env.BROKER_PORT), username: 'ruong-ingest', password: BENCH_INGEST_SECRET },
      store, registry, metrics, log: silentLogger(),
      ...(await batching()),
      spoolDir: join(dir, `spool-${process.pid}`), rollupRefreshMs: Number(process.env.ROLLUP_MS ?? 10_000),
      maxPending: Number(process.env.MAX_PENDING ?? 20_000),
    });
    await ingest.start();
    stop = () => ingest.stop();
    send({ type: 'ready' });
  }
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') void stats(metrics).then((s) => send({ type: 'stats', ...s }));
  });
  process.on('SIGTERM', () => void stop().then(() => registry.close()).finally(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench child ${role}: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
