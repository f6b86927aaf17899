// The summary bench/broker/run.ts prints after all rounds: per broker, device count and QoS, the median and
// the range over rounds of each ratio to Mosquitto measured in the same round (so machine noise that hits
// a whole round cancels out), memory per connection and losses.
import type { Measurement } from './run.js';

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function spread(xs: number[], digits: number, suffix = ''): string {
  if (xs.length === 0) return '–';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return xs.length === 1 ? `${fmt(xs[0]!, digits)}${suffix}` : `${fmt(median(xs), digits)}${suffix} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
}

export function summarize(all: readonly Measurement[]): string {
  const mosquitto = new Map(all.filter((m) => m.broker === 'mosquitto').map((m) => [`${m.round}/${m.devices}/${m.qos}`, m]));
  const groups = new Map<string, Measurement[]>();
  for (const m of all) {
    const key = `${m.broker}|${m.devices}|${m.qos}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const lines = [
    '| broker | devices | QoS | msg/s | × Mosquitto msg/s | msg per broker CPU s | × Mosquitto per CPU s | KB/conn | marginal KB/conn | lost (QoS 1, acked) | complete |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const ms of groups.values()) {
    const first = ms[0]!;
    const peers = ms.map((m) => mosquitto.get(`${m.round}/${m.devices}/${m.qos}`));
    const ratio = (f: (m: Measurement) => number) => ms.flatMap((m, i) => (peers[i] ? [f(m) / f(peers[i])] : []));
    const perCpu = (m: Measurement) => m.delivered / Math.max(m.cpuSeconds, 0.01);
    const done = ms.filter((m) => m.completed);
    lines.push(`| ${first.broker} | ${fmt(first.devices)} | ${first.qos} | ${spread(ms.map((m) => m.msgPerSec), 0)} | ${spread(ratio((m) => m.msgPerSec), 2, '×')} | ` +
      `${spread(ms.map(perCpu), 0)} | ${spread(ratio(perCpu), 2, '×')} | ${spread(ms.map((m) => m.bytesPerConnection / 1024), 1)} | ` +
      `${spread(ms.map((m) => m.marginalBytesPerConnection / 1024), 1)} | ${first.qos === 1 ? fmt(done.reduce((n, m) => n + m.lostAcked, 0)) : '–'} | ${done.length}/${ms.length} |`);
  }
  return lines.join('\n');
}
