// `node --import tsx bench/pipeline/store-path.ts [--batches 300] [--batch 4000] [--rounds 5] [--tree name=dir …]`
// The ingest's write path alone, A/B in one process: the InfluxDB ReadingStore of each source tree (`name=dir`,
// a checkout's core/ loaded through tsx; `new` = this tree) writes the same batches — 1,000 devices × 4 metrics
// with sequence numbers and their sequence states, as the ingest hands them over — to a sink in its own process
// that reads each request and answers 204 like influxd, so only the store's CPU is in this process's
// process.cpuUsage(): lines, rollup marks, the request bodies, node:http. Trees alternate batch groups within
// every round (interleaved), so the machine's state weighs on both alike.
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ReadingStore } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { newSequenceState, type SequenceState } from '../../core/telemetry/sequence.js';

if (process.argv[2] === 'sink') {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/query')) {
      req.resume();
      req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end('{"results":[{"statement_id":0}]}'); });
      return;
    }
    req.resume();
    req.on('end', () => { res.statusCode = 204; res.end(); });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
  process.once('disconnect', () => process.exit(0)); // the bench process is gone
} else {
  const { values: args } = parseArgs({
    options: {
      batches: { type: 'string', default: '300' }, batch: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '5' },
      tree: { type: 'string', multiple: true, default: ['new'] },
    },
  });
  const sink = fork(import.meta.filename, ['sink'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((r) => sink.once('message', (m) => r(m as number)));
  const trees: { name: string; store: ReadingStore }[] = [];
  for (const spec of args.tree) {
    const [name, dir] = spec.includes('=') ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : [spec, undefined];
    const base = dir ? pathToFileURL(resolve(dir)).href : new URL('../..', import.meta.url).href.replace(/\/$/, '');
    const mod = (await import(`${base}/core/store/influx-store.ts`)) as typeof import('../../core/store/influx-store.js');
    trees.push({ name: name ?? spec, store: mod.createInfluxStore({ url: `http://127.0.0.1:${port}/bench` }) });
  }
  const metrics = ['soil_moisture@20cm', 'soil_temperature@20cm', 'soil_ec@20cm', 'battery'];
  const perBatch = Number(args.batch);
  const t0 = Date.now() - 86_400_000;
  let message = 0;
  /** The next batch: perBatch readings of consecutive messages (4 readings each), and their devices' states. */
  function nextBatch(): { batch: StoredReading[]; states: Map<string, SequenceState> } {
    const batch: StoredReading[] = [];
    const states = new Map<string, SequenceState>();
    while (batch.length < perBatch) {
      const device = `pipe-${String(message % 1000).padStart(5, '0')}`;
      const seq = Math.floor(message / 1000) + 1;
      const ts = t0 + seq * 1000;
      for (let m = 0; m < 4; m++) {
        batch.push({ deviceId: device, metric: metrics[m]!, ts, value: 20 + ((message * 7 + m) % 97) / 10, seq, fieldId: 'field-bench', farmId: 'farm-bench', cooperativeId: 'coop-bench' });
      }
      states.set(device, newSequenceState(seq, ts, ts));
      message++;
    }
    return { batch, states };
  }
  const cpu: Record<string, number[]> = Object.fromEntries(trees.map((t) => [t.name, []]));
  const rounds = Number(args.rounds);
  const batches = Number(args.batches);
  for (let round = 0; round < rounds; round++) {
    const used: Record<string, number> = Object.fromEntries(trees.map((t) => [t.name, 0]));
    for (let b = 0; b < batches; b += 10) {
      for (let k = 0; k < trees.length; k++) {
        const t = trees[(k + b / 10 + round) % trees.length]!;
        const work = Array.from({ length: 10 }, nextBatch); // built outside the measured time
        const c0 = process.cpuUsage();
        for (const { batch, states } of work) await t.store.write(batch, states);
        const c = process.cpuUsage(c0);
        used[t.name]! += c.user + c.system;
      }
    }
    for (const t of trees) cpu[t.name]!.push(used[t.name]! / (batches * perBatch));
    console.log(`round ${round + 1}: ${trees.map((t) => `${t.name} ${cpu[t.name]!.at(-1)!.toFixed(3)} µs/reading`).join(' · ')}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({ perBatch, batches, rounds, medianUsPerReading: Object.fromEntries(trees.map((t) => [t.name, Number(median(cpu[t.name]!).toFixed(3))])) }));
  for (const t of trees) await t.store.close();
  sink.kill();
}
