// `node --import tsx bench/pipeline/hot-path.ts [messages]` — the ingest's own CPU per message, in process:
// handle() (decode, check, flag, enrich, batch), the sequence count of each batch and the InfluxDB lines of
// its readings and of its devices' sequence states (issue 14), with a store that only builds the lines. No broker, no network: what is left of the pipeline's per-message
// cost once MQTT and HTTP are taken away. (Under tsx; a tsc build is a little cheaper.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createRegistry } from '../../core/registry/registry.js';
import { createLineBuilder } from '../../core/store/influx-lines.js';
import { sequenceLines } from '../../core/store/influx-sequences.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import type { SequenceState } from '../../core/telemetry/sequence.js';
import { createIngestService } from '../../ingest/ingest-service.js';
import { benchDeviceId, createBenchRegistry } from './setup.js';

const messages = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-hot-'));
await createBenchRegistry(dir, 1000);
const registry = createRegistry(join(dir, 'registry.db'));
const lines = createLineBuilder();
let built = 0;
let stateBytes = 0;
const store = {
  kind: 'lines-only',
  write(batch: readonly StoredReading[], states?: ReadonlyMap<string, SequenceState>) {
    built += lines.encode(batch).starts.length - 1;
    if (states?.size) stateBytes += sequenceLines(states, 0).length;
    return Promise.resolve();
  },
  sequenceStates: () => Promise.resolve(new Map<string, SequenceState>()),
} as unknown as ReadingStore;
const ingest = createIngestService({
  broker: { host: '127.0.0.1', port: 1, username: 'none', password: 'none' }, store, registry, metrics: createMetrics(), log: silentLogger(),
  batchSize: loadConfig({}).INGEST_BATCH_SIZE, batchDelayMs: loadConfig({}).INGEST_BATCH_MS, spoolDir: join(dir, 'spool'), rollupRefreshMs: 0,
});
ingest.start().catch(() => undefined); // no broker to connect to: handle() is driven directly
await new Promise((r) => setTimeout(r, 300));

const t0 = Date.now() - 10_000_000;
const payloads = Array.from({ length: messages }, (_, n) => {
  const seq = Math.floor(n / 1000) + 1;
  return Buffer.from(`{"ts":${t0 + seq * 1000},"seq":${seq},"readings":{"soil_moisture@20cm":23.4,"soil_temperature@20cm":25.1,"soil_ec@20cm":0.82,"battery":87}}`);
});
const cpu0 = process.cpuUsage();
const pending: Promise<void>[] = [];
for (let n = 0; n < messages; n++) {
  pending.push(ingest.handle(`devices/${benchDeviceId(n % 1000)}/up`, payloads[n]!));
  if (pending.length >= 5000) await Promise.all(pending.splice(0));
}
await Promise.all(pending);
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ messages, readings: built, stateBytes, cpuUsPerMsg: Number(((cpu.user + cpu.system) / messages).toFixed(2)) }));
await registry.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
