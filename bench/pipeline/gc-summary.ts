// The broker's garbage-collector work per message, from a pipeline bench log (issue 19). Run the bench with
// V8's per-collection trace on the broker child and pass its output here:
//   BENCH_NODE_FLAGS_BROKER=--trace-gc-nvp npm run bench:pipeline -- … --variant … > run.log 2>&1
//   node --import tsx bench/pipeline/gc-summary.ts run.log
// Each trace line is one collection of one process ([pid:…]); the processes are taken in the order their first
// line appears and paired with the result lines in order (run.ts prints a round's results in the order the
// variants ran). Bytes allocated, surviving a scavenge and promoted to the old generation do not depend on how
// busy the machine is, unlike the pause times (wall clock, printed too). Only the broker child may be traced.
import { readFileSync } from 'node:fs';

interface Sum { collections: number; scavengeMs: number; markCompactMs: number; allocated: number; survived: number; promoted: number }

const GC_LINE = /^\[(\d+):[^\]]*\]\s+[\d.]+ ms: pause=([\d.]+) .*? gc=(\w+)/;
const field = (line: string, name: string) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);

const sums = new Map<string, Sum>();
const order: string[] = [];
for (const line of readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8').split('\n')) {
  const gc = GC_LINE.exec(line);
  if (gc) {
    const pid = gc[1]!;
    let s = sums.get(pid);
    if (!s) {
      sums.set(pid, (s = { collections: 0, scavengeMs: 0, markCompactMs: 0, allocated: 0, survived: 0, promoted: 0 }));
      order.push(pid);
    }
    s.collections++;
    if (gc[3] === 's') s.scavengeMs += Number(gc[2]);
    else s.markCompactMs += Number(gc[2]);
    s.allocated += field(line, 'allocated');
    s.survived += field(line, 'new_space_survived');
    s.promoted += field(line, 'promoted');
    continue;
  }
  if (!line.startsWith('{"round"')) continue;
  const r = JSON.parse(line) as { round: number; variant: string; messages: number; cpuUsPerMsg: Record<string, number> };
  const pid = order.shift();
  const s = pid === undefined ? undefined : sums.get(pid);
  const perMsg = (x: number) => Math.round(x / r.messages);
  console.log(JSON.stringify({
    round: r.round, variant: r.variant, cpuUsPerMsg: r.cpuUsPerMsg,
    brokerGc: s && {
      pid, collections: s.collections,
      pauseUsPerMsg: { scavenge: Number(((1000 * s.scavengeMs) / r.messages).toFixed(1)), markCompact: Number(((1000 * s.markCompactMs) / r.messages).toFixed(1)) },
      bytesPerMsg: { allocated: perMsg(s.allocated), survivedScavenge: perMsg(s.survived), promoted: perMsg(s.promoted) },
    },
  }));
}
