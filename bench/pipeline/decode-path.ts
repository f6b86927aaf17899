// `node --import tsx bench/pipeline/decode-path.ts [--rounds 60] [--tree name=dir …]` — the decoders alone (issue 19),
// A/B in one process: decode() of each source tree (`name=dir`, a copy of another commit's core/ loaded through
// tsx; `new` = this tree) over the same 20,000 native messages of 1,000 devices × 4 readings (the load generator's
// payload), the device resolved from a table as the registry's cache would. Trees take turns every 20,000
// messages, the order alternating; the first 10 rounds warm up and are not counted. CPU per message from
// process.cpuUsage() (garbage collection included; nothing survives a message, unlike in the ingest).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { DecodeContext, IncomingMessage } from '../../core/telemetry/decoders/index.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '60' }, tree: { type: 'string', multiple: true, default: ['new'] } } });
const trees: { name: string; decode: typeof import('../../core/telemetry/decoders/index.js').decode; us: number }[] = [];
for (const spec of args.tree) {
  const at = spec.indexOf('=');
  const [name, src] = at < 0 ? [spec, undefined] : [spec.slice(0, at), spec.slice(at + 1)];
  const base = src ? pathToFileURL(resolve(src)).href : new URL('../..', import.meta.url).href.replace(/\/$/, '');
  const mod = (await import(`${base}/core/telemetry/decoders/index.ts`)) as typeof import('../../core/telemetry/decoders/index.js');
  trees.push({ name, decode: mod.decode, us: 0 });
}
const tenancy = { fieldId: 'field-bench', farmId: 'farm-bench', cooperativeId: 'coop-bench' };
const devices = new Map(Array.from({ length: 1000 }, (_, d) => {
  const id = `pipe-${String(d).padStart(5, '0')}`;
  return [id, { deviceId: id, revoked: false, tenancy }] as const;
}));
const ctx: DecodeContext = { resolveDevice: (ref) => (ref.deviceId === undefined ? undefined : devices.get(ref.deviceId)), maxAgeMs: 30 * 86_400_000 };
const N = 20_000;
const t0 = Date.now() - 10_000_000;
const messages: IncomingMessage[] = Array.from({ length: N }, (_, n) => ({
  topic: `devices/pipe-${String(n % 1000).padStart(5, '0')}/up`,
  payload: Buffer.from(`{"ts":${t0 + n * 1000},"seq":${n},"readings":{"soil_moisture@20cm":23.4,"soil_temperature@20cm":25.1,"soil_ec@20cm":0.82,"battery":87}}`),
  receivedAt: Date.now(),
}));
const rounds = Number(args.rounds);
let readings = 0;
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < trees.length; k++) {
    const t = trees[(k + round) % trees.length]!;
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) readings += t.decode(messages[i]!, ctx).readings.length;
    const c = process.cpuUsage(c0);
    if (round >= 10) t.us += c.user + c.system;
  }
}
const counted = (rounds - 10) * N;
console.log(JSON.stringify({ messages: counted, readings, usPerMessage: Object.fromEntries(trees.map((t) => [t.name, Number((t.us / counted).toFixed(3))])) }));
