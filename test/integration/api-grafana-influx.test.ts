// docs/grafana.md promises that a Grafana InfluxDB data source (InfluxQL) reads Ruộng's data. This runs every
// query of that page, exactly as written there, against the real influxd (test/helpers/global-setup.ts) after
// readings were written through Ruộng's InfluxStore — with Grafana's macros expanded the way Grafana expands
// them — and checks the answers against the readings and against the store's own windows.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { createInfluxStore } from '../../core/store/influx-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';

const influxUrl = inject('influxUrl');
const HOUR = 3_600_000;

/** The `<!-- grafana-query: name -->` + ```sql blocks of docs/grafana.md. */
function docQueries(): Map<string, string> {
  const doc = readFileSync(new URL('../../docs/grafana.md', import.meta.url), 'utf8');
  const found = new Map<string, string>();
  for (const m of doc.matchAll(/<!-- grafana-query: ([\w-]+) -->\n```sql\n([^`]+?)\n```/g)) found.set(m[1]!, m[2]!);
  return found;
}

interface Series { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }

describe.skipIf(influxUrl === '')('Grafana reads Ruộng\'s InfluxDB with the queries of docs/grafana.md', () => {
  const database = `ruong_grafana_${randomUUID().replace(/-/g, '')}`;
  const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR; // whole hours, safely in the past
  const start = end - 48 * HOUR;
  const range = { from: start, to: end - 1 };

  const place = (fieldId: string, cooperativeId = 'coop-demo', farmId = 'farm-mekong') => ({ fieldId, cooperativeId, farmId });
  const readings: StoredReading[] = [];
  for (let ts = start; ts < end; ts += 10 * 60_000) {
    const i = (ts - start) / (10 * 60_000);
    readings.push({ deviceId: 'awd-rice-1', metric: 'awd_level', ts, value: 5 - (i % 40) * 0.5, ...place('field-rice-1') });
    readings.push({ deviceId: 'awd-rice-2', metric: 'awd_level', ts, value: -(i % 25), ...place('field-rice-2') });
    readings.push({ deviceId: 'awd-elsewhere', metric: 'awd_level', ts, value: 99, ...place('field-elsewhere', 'coop-other', 'farm-other') });
    if (ts % HOUR === 0) {
      readings.push({ deviceId: 'wx-mekong', metric: 'rain', ts, value: i % 18 === 0 ? 2.5 : 0, ...place('field-rice-1') });
      readings.push({ deviceId: 'awd-rice-1', metric: 'battery', ts, value: 90 - i / 60, ...place('field-rice-1') });
    }
  }

  /** Grafana's expansion: $timeFilter → the dashboard range in ms; $__interval → 1h here; $field → the chosen value. */
  function expand(q: string): string {
    return q.replaceAll('$timeFilter', `time >= ${range.from}ms and time <= ${range.to}ms`).replaceAll('$__interval', '1h').replaceAll('$field', 'field-rice-1');
  }

  async function grafana(q: string): Promise<Series[]> {
    const body = new URLSearchParams({ q: expand(q), db: database, epoch: 'ms' });
    const res = await fetch(`${influxUrl}/query`, { method: 'POST', body });
    const json = (await res.json()) as { results: { series?: Series[]; error?: string }[] };
    expect(json.results[0]?.error, q).toBeUndefined();
    return json.results[0]?.series ?? [];
  }

  it('runs every query of the page and gets the readings written through the InfluxStore', async () => {
    const store = createInfluxStore({ url: `${influxUrl}/${database}` });
    await store.setup();
    await store.write(readings);
    await store.refreshRollups();
    const queries = docQueries();
    expect([...queries.keys()]).toEqual(['field-variable', 'field-series', 'rollup-series', 'daily-rain', 'battery-latest']);

    const fields = await grafana(queries.get('field-variable')!);
    expect(fields[0]!.values.map((v) => v[1])).toEqual(['field-rice-1', 'field-rice-2']); // not the other cooperative's

    const series = await grafana(queries.get('field-series')!);
    expect(series.map((s) => s.tags)).toEqual([{ device: 'awd-rice-1' }]);
    const hourly = series[0]!.values.map(([t, mean]) => ({ ts: Number(t), mean: Number(mean) }));
    expect(hourly).toHaveLength(48);
    const expected = (ts: number) => {
      const inHour = readings.filter((r) => r.deviceId === 'awd-rice-1' && r.metric === 'awd_level' && r.ts >= ts && r.ts < ts + HOUR);
      return inHour.reduce((s, r) => s + r.value, 0) / inHour.length;
    };
    for (const h of hourly) expect(h.mean).toBeCloseTo(expected(h.ts), 9);
    // the same windows Ruộng's API draws
    const api = await store.query({ cooperativeId: 'coop-demo', fieldId: 'field-rice-1', metric: 'awd_level', from: start, to: end, everyMs: HOUR });
    expect(api.map((w) => ({ ts: w.ts, mean: Number(w.mean.toFixed(9)) }))).toEqual(hourly.map((h) => ({ ts: h.ts, mean: Number(h.mean.toFixed(9)) })));

    const rollups = await grafana(queries.get('rollup-series')!);
    expect(rollups.map((s) => s.tags)).toEqual([{ device: 'awd-rice-1' }]);
    const cols = rollups[0]!.columns;
    const fromRollups = rollups[0]!.values.map((v) => ({ ts: Number(v[0]), mean: Number(v[cols.indexOf('mean')]) }));
    expect(fromRollups.map((h) => h.ts)).toEqual(hourly.map((h) => h.ts));
    fromRollups.forEach((h, i) => expect(h.mean).toBeCloseTo(hourly[i]!.mean, 9));

    const rain = await grafana(queries.get('daily-rain')!);
    expect(rain.map((s) => s.tags)).toEqual([{ field: 'field-rice-1' }]);
    const total = rain[0]!.values.reduce((s, v) => s + Number(v[1]), 0);
    expect(total).toBeCloseTo(readings.filter((r) => r.metric === 'rain').reduce((s, r) => s + r.value, 0), 9);

    const battery = await grafana(queries.get('battery-latest')!);
    expect(battery.map((s) => [s.tags?.device, Number(s.values[0]![1])])).toEqual([['awd-rice-1', readings.filter((r) => r.metric === 'battery').at(-1)!.value]]);
    await store.close();
  });
});
