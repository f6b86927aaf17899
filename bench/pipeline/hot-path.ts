// `node --import tsx bench/pipeline/hot-path.ts [messages] [--rounds 1] [--group 20000] [--tree name=dir …]` — the
// ingest's own CPU per message, in process: handle() (decode, check, flag, enrich, batch), the sequence count of
// each batch and the InfluxDB lines of its readings and of its devices' sequence states (issue 14), with a store
// that only builds the lines. No broker, no network: what is left of the pipeline's per-message cost once MQTT
// and HTTP are taken away. (Under tsx; a tsc build is a little cheaper.)
// A/B in one process (issue 19): each `--tree name=dir` (a copy of another commit's core/ and ingest/, loaded
// through tsx; `new` = this tree) runs its own ingest service and line builder on the same payloads; the trees
// take turns every `--group` messages (the order rotating), so the machine's state weighs on them alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createRegistry } from '../../core/registry/registry.js';
import { sequenceLines } from '../../core/store/influx-sequences.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import type { SequenceState } from '../../core/telemetry/sequence.js';
import type { IngestService } from '../../ingest/ingest-service.js';
import { benchDeviceId, createBenchRegistry } from './setup.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '1' }, group: { type: 'string', default: '20000' }, tree: { type: 'string', multiple: true, default: ['new'] } },
});
const messages = Number(positionals[0] ?? 200_000);
const group = Math.min(messages, Number(args.group));
const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-hot-'));
await createBenchRegistry(dir, 1000);
const registry = createRegistry(join(dir, 'registry.db'));

interface Tree { name: string; ingest: IngestService; built: number; stateBytes: number; cpuUs: number; handled: number }
const trees: Tree[] = [];
for (const spec of args.tree) {
  const at = spec.indexOf('=');
  const [name, src] = at < 0 ? [spec, undefined] : [spec.slice(0, at), spec.slice(at + 1)];
  const base = src ? pathToFileURL(resolve(src)).href : new URL('../..', import.meta.url).href.replace(/\/$/, '');
  const lib = (await import(`${base}/core/store/influx-lines.ts`)) as typeof import('../../core/store/influx-lines.js');
  const svc = (await import(`${base}/ingest/ingest-service.ts`)) as typeof import('../../ingest/ingest-service.js');
  const lines = lib.createLineBuilder();
  const tree = { name } as Tree;
  tree.built = tree.stateBytes = tree.cpuUs = tree.handled = 0;
  const write = (batch: readonly StoredReading[], states?: ReadonlyMap<string, SequenceState>) => {
    tree.built += lines.encode(batch).starts.length - 1;
    if (states?.size) tree.stateBytes += sequenceLines(states, 0).length;
    return Promise.resolve();
  };
  const store = {
    kind: 'lines-only',
    write,
    writeColumns: write, // (a tree whose ingest batches columns: its line builder reads them)
    sequenceStates: () => Promise.resolve(new Map<string, SequenceState>()),
  } as unknown as ReadingStore;
  tree.ingest = svc.createIngestService({
    broker: { host: '127.0.0.1', port: 1, username: 'none', password: 'none' }, store, registry, metrics: createMetrics(), log: silentLogger(),
    batchSize: loadConfig({}).INGEST_BATCH_SIZE, batchDelayMs: loadConfig({}).INGEST_BATCH_MS, spoolDir: join(dir, `spool-${trees.length}`), rollupRefreshMs: 0,
  });
  tree.ingest.start().catch(() => undefined); // no broker to connect to: handle() is driven directly
  trees.push(tree);
}
await new Promise((r) => setTimeout(r, 300));

const t0 = Date.now() - 10_000_000;
const payload = (n: number) => {
  const seq = Math.floor(n / 1000) + 1;
  return Buffer.from(`{"ts":${t0 + seq * 1000},"seq":${seq},"readings":{"soil_moisture@20cm":23.4,"soil_temperature@20cm":25.1,"soil_ec@20cm":0.82,"battery":87}}`);
};
const topics = Array.from({ length: 1000 }, (_, d) => `devices/${benchDeviceId(d)}/up`);
const rounds = Number(args.rounds);
for (let round = 0; round < rounds; round++) {
  const before = trees.map((t) => [t.cpuUs, t.handled]);
  for (let from = 0; from < messages; from += group) {
    const to = Math.min(messages, from + group);
    for (let k = 0; k < trees.length; k++) {
      const t = trees[(k + from / group + round) % trees.length]!;
      // every tree gets the same messages (its own sequence state: the numbers go on across rounds)
      const offset = round * messages;
      const payloads = Array.from({ length: to - from }, (_, i) => payload(offset + from + i)); // built outside the measured time
      const cpu0 = process.cpuUsage();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < payloads.length; i++) {
        pending.push(t.ingest.handle(topics[(from + i) % 1000]!, payloads[i]!));
        if (pending.length >= 5000) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      const cpu = process.cpuUsage(cpu0);
      t.cpuUs += cpu.user + cpu.system;
      t.handled += to - from;
    }
  }
  console.log(`round ${round + 1}: ${trees.map((t, i) => `${t.name} ${((t.cpuUs - before[i]![0]!) / (t.handled - before[i]![1]!)).toFixed(2)} µs/msg`).join(' · ')}`);
}
for (const t of trees) {
  console.log(JSON.stringify({ tree: t.name, messages: t.handled, readings: t.built, stateBytes: t.stateBytes, cpuUsPerMsg: Number((t.cpuUs / t.handled).toFixed(2)) }));
}
await registry.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
