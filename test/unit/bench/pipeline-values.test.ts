// The pipeline bench's load generator and its raw ceiling write the same readings, and those readings move from
// message to message and differ between devices (bench/pipeline/bench-values.ts).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { BENCH_METRICS, benchValues } from '../../../bench/pipeline/bench-values.js';
import { deviceStream } from '../../../bench/pipeline/loadgen.js';
import { checkCeilingShape } from '../../../bench/pipeline/raw-ceiling.js';

function payloads(device: number, count: number): Record<string, number>[] {
  const { bytes } = deviceStream(device, count, 1_700_000_000_000, 1000);
  const out: Record<string, number>[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p) => { if (p.cmd === 'publish') out.push((JSON.parse((p.payload as Buffer).toString()) as { readings: Record<string, number> }).readings); });
  parser.parse(bytes);
  return out;
}

describe('pipeline bench readings', () => {
  it('the generator sends the shared values, which change between messages and between devices', () => {
    const a = payloads(0, 200);
    const b = payloads(7, 200);
    expect(a).toHaveLength(200);
    a.forEach((r, i) => expect(Object.values(r)).toEqual(benchValues(0, i + 1)));
    expect(Object.keys(a[0]!)).toEqual([...BENCH_METRICS]);
    for (const metric of BENCH_METRICS) {
      expect(new Set(a.map((r) => r[metric])).size, metric).toBeGreaterThan(3);
      expect(a.map((r) => r[metric]), metric).not.toEqual(b.map((r) => r[metric]));
    }
  });

  it('the raw ceiling writes byte for byte the lines the ingest builds from those messages', () => {
    expect(() => checkCeilingShape(1_700_000_000_000)).not.toThrow();
  });
});
