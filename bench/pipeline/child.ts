// One side of the pipeline benchmark in its own process, so its CPU time is its own (bench/pipeline/run.ts
// forks it):  `child.ts broker`  → Aedes via createBrokerService on a free port
//             `child.ts ingest`  → createIngestService against BROKER_PORT, writing to INFLUX_URL
// Both share BENCH_DIR's registry (devices inserted by run.ts). IPC: → {type:'ready', port?};
// ← {type:'stats'} → {type:'stats', cpuUs, stored, received, acked, duplicates}. Stopped by SIGTERM.
// BENCH_DIST=dir loads broker, ingest and core from a tsc build there (as `npm run build` ships them)
// instead of through tsx, whose esbuild output wraps every closure it creates in a naming helper.
// BENCH_SRC=dir (ingest only, through tsx) loads the ingest and core from another source tree, e.g. one with an
// earlier ingest/batcher.ts, for A/B rounds in one run (run.ts --variant). Batching: BATCH_SIZE / BATCH_MS,
// else INGEST_BATCH_SIZE / INGEST_BATCH_MS's defaults (core/config.ts), as `ruong ingest` runs.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrokerAuth } from '../../broker/broker-service.js';
import type { Metrics } from '../../core/metrics.js';
import { BENCH_INGEST_SECRET, BENCH_SECRET } from './setup.js';

const src = process.argv[2] === 'ingest' ? process.env.BENCH_SRC : undefined;
const base = process.env.BENCH_DIST && !src
  ? pathToFileURL(resolve(process.env.BENCH_DIST)).href
  : src ? pathToFileURL(resolve(src)).href : new URL('../..', import.meta.url).href.replace(/\/$/, '');
const ext = process.env.BENCH_DIST && !src ? '.js' : '.ts';
const load = <T>(path: string) => import(`${base}/${path}${ext}`) as Promise<T>;
const { silentLogger } = await load<typeof import('../../core/log.js')>('core/log');
const { createMetrics } = await load<typeof import('../../core/metrics.js')>('core/metrics');
const { createRegistry } = await load<typeof import('../../core/registry/registry.js')>('core/registry/registry');
const { createInfluxStore } = await load<typeof import('../../core/store/influx-store.js')>('core/store/influx-store');
const { createIngestService } = await load<typeof import('../../ingest/ingest-service.js')>('ingest/ingest-service');
const { loadConfig } = await load<typeof import('../../core/config.js')>('core/config');

const role = process.argv[2];
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
function batching(): { batchSize: number; batchDelayMs: number } {
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
    const { createBrokerService } = await load<typeof import('../../broker/broker-service.js')>('broker/broker-service');
    // Device secrets are compared directly: scrypt per first login is the broker benchmark's subject, and a
    // reconnect storm after an outage meets the broker's cache of verified secrets anyway.
    const auth: BrokerAuth = {
      verifyDevice: async (id, secret) => secret === BENCH_SECRET && (await registry.deviceContext(id)) !== undefined,
      verifyService: (name, secret) => Promise.resolve(name === 'ruong-ingest' && secret === BENCH_INGEST_SECRET),
    };
    const broker = createBrokerService({ auth, log: silentLogger(), metrics, host: '127.0.0.1', port: 0 });
    await broker.start();
    stop = () => broker.stop();
    send({ type: 'ready', port: broker.addresses().tcp });
  } else {
    const store = createInfluxStore({ url: process.env.INFLUX_URL ?? '', rawRetentionMs: 90 * 86_400_000 });
    await store.setup();
    const ingest = createIngestService({
      broker: { host: '127.0.0.1', port: Number(process.env.BROKER_PORT), username: 'ruong-ingest', password: BENCH_INGEST_SECRET },
      store, registry, metrics, log: silentLogger(),
      ...batching(),
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
