// `npm run bench:broker` (issue 3, "Speed"): drives N devices (firmware-sim/loadgen.ts) against Mosquitto,
// stock Aedes and our broker in the same run, one fresh broker process per measurement, and prints msg/s
// at QoS 0 and 1, connect time, memory per connection and losses, as ratios to Mosquitto in the same round.
//   --devices 100,1000,10000  --qos 0,1  --brokers mosquitto,aedes,aedes-mq,aedes-mq-store,ours,ours-auth
//   (also ours-baseline: `ours` from the checkout in BENCH_BASELINE_DIR, see bench/broker/brokers.ts)
//   --messages 200000 (per measurement, split over the devices)  --window 20  --repeat 1
//   --deadline 120 (s per measurement)  --auth-max-devices 1000  --json results.json
//   --summarize results.json (only print the summary of an earlier run)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLoad, type LoadResult } from '../../firmware-sim/loadgen.js';
import { BENCH_INGEST_SECRET, BENCH_SECRET, benchDeviceId, startBroker, type BrokerKind } from './brokers.js';
import { summarize } from './summary.js';

export interface Measurement extends LoadResult {
  readonly broker: BrokerKind;
  readonly round: number;
  readonly bytesPerConnection: number; // (RSS with N devices − RSS before) / N
  readonly marginalBytesPerConnection: number; // (RSS with N − RSS with N/2) / (N − N/2): without fixed costs
  readonly cpuSeconds: number; // broker CPU while the messages flowed
}

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '100,1000,10000' },
    qos: { type: 'string', default: '0,1' },
    brokers: { type: 'string', default: 'mosquitto,aedes,aedes-mq,aedes-mq-store,ours,ours-auth' },
    messages: { type: 'string', default: '200000' },
    window: { type: 'string', default: '20' },
    repeat: { type: 'string', default: '1' },
    deadline: { type: 'string', default: '120' },
    'auth-max-devices': { type: 'string', default: '1000' },
    json: { type: 'string' },
    summarize: { type: 'string' },
  },
});
const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return NaN;
  }
}

async function measure(broker: BrokerKind, devices: number, qos: 0 | 1, round: number): Promise<Measurement> {
  const auth = broker === 'ours-auth';
  const b = await startBroker(broker, devices);
  try {
    const rss0 = await b.rss();
    let rssHalf = rss0;
    let rss1 = rss0;
    let cpu0 = 0;
    let cpu1 = 0;
    const result = await runLoad({
      host: '127.0.0.1', port: b.port, devices, qos, window: Number(args.window),
      messagesPerDevice: Math.max(1, Math.round(Number(args.messages) / devices)),
      device: (i) => (auth ? { clientId: benchDeviceId(i), username: benchDeviceId(i), password: BENCH_SECRET } : { clientId: benchDeviceId(i) }),
      subscriber: auth ? { clientId: 'ruong-ingest-bench', username: 'ruong-ingest', password: BENCH_INGEST_SECRET } : { clientId: 'bench-sub' },
      deadlineMs: Number(args.deadline) * 1000,
      onHalfConnected: async () => { rssHalf = await b.rss(); },
      onConnected: async () => { rss1 = await b.rss(); cpu0 = b.cpuSeconds(); },
      onDelivered: () => { cpu1 = b.cpuSeconds(); return Promise.resolve(); },
    });
    return {
      ...result, broker, round, cpuSeconds: cpu1 - cpu0,
      bytesPerConnection: (rss1 - rss0) / devices, marginalBytesPerConnection: (rss1 - rssHalf) / (devices - Math.floor(devices / 2)),
    };
  } finally {
    await b.stop();
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function row(m: Measurement, mosquitto: Measurement | undefined): string {
  const ratio = (a: number, b: number | undefined): string => (b ? `${fmt(a / b, 2)}×` : '–');
  // Lost = acknowledged by the broker (QoS 1) or written (QoS 0) and never delivered; a run cut off by the
  // deadline has those still queued, not proven lost.
  const missing = m.qos === 1 ? m.lostAcked : m.expected - m.delivered;
  const loss = m.stoppedBy === 'deadline' ? `(${fmt(missing)} still queued)` : fmt(missing);
  return `| ${m.round} | ${m.broker} | ${fmt(m.devices)} | ${m.qos} | ${fmt(m.msgPerSec)} | ${ratio(m.msgPerSec, mosquitto?.msgPerSec)} | ` +
    `${fmt(m.connectMs / 1000, 2)} | ${fmt(m.bytesPerConnection / 1024, 1)} | ${fmt(m.marginalBytesPerConnection / 1024, 1)} | ${ratio(m.bytesPerConnection, mosquitto?.bytesPerConnection)} | ` +
    `${fmt(m.cpuSeconds, 2)} | ${fmt(m.delivered / Math.max(m.cpuSeconds, 0.01))} | ${fmt(m.loadCpuSeconds, 2)} | ${fmt(m.elapsedMs / 1000, 2)} | ${loss} | ${m.duplicates} | ${m.outOfOrder} | ${m.completed ? 'yes' : `no: ${m.stoppedBy} (${fmt(m.delivered)}/${fmt(m.expected)})`} |`;
}

async function main(): Promise<void> {
  if (args.summarize) {
    console.log(summarize(JSON.parse(readFileSync(args.summarize, 'utf8')) as Measurement[]));
    return;
  }
  const deviceCounts = list(args.devices).map(Number);
  const limit = openFileLimit();
  const needed = Math.max(...deviceCounts) + 200;
  if (!(limit >= needed)) {
    console.error(`open file limit is ${limit}, ${needed} needed: run via \`npm run bench:broker\` (raises the soft limit to the hard one) or \`ulimit -n ${needed}\` first`);
    process.exit(2);
  }
  const header = '| round | broker | devices | QoS | msg/s | × Mosquitto | connect s | KB/conn | marginal KB/conn | × Mosquitto | broker CPU s | msg per CPU s | loadgen CPU s | wall s | lost | dup | reordered | complete |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const all: Measurement[] = [];
  console.log(`# bench:broker — ${new Date().toISOString()}, node ${process.version}, window ${args.window}, ${args.messages} messages per measurement\n`);
  console.log(header);
  for (let round = 1; round <= Number(args.repeat); round++) {
    for (const devices of deviceCounts) {
      for (const qos of list(args.qos).map((q) => Number(q) as 0 | 1)) {
        let mosquitto: Measurement | undefined;
        for (const broker of list(args.brokers) as BrokerKind[]) {
          if (broker === 'ours-auth' && devices > Number(args['auth-max-devices'])) continue;
          const m = await measure(broker, devices, qos, round);
          if (broker === 'mosquitto') mosquitto = m;
          all.push(m);
          console.log(row(m, mosquitto));
        }
      }
    }
  }
  if (args.json) writeFileSync(args.json, JSON.stringify(all, null, 2));
  console.log(`\n## Summary: median (range) over ${args.repeat} round(s); ratios to Mosquitto in the same round\n\n${summarize(all)}`);
}

await main();
