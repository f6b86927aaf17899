// A few days of plausible history for the demo cooperative, written straight into the store (the way a
// backfill would land): AWD tube levels that dry down and get re-flooded, canal EC rising with the tide,
// soil moisture drying between two irrigations, and an hourly weather station. Deterministic.
import type { ReadingStore } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';

const HOUR = 3_600_000;
const STEP = 20 * 60_000;

const place = {
  'awd-rice-1': { fieldId: 'field-rice-1', farmId: 'farm-mekong' },
  'awd-rice-2': { fieldId: 'field-rice-2', farmId: 'farm-mekong' },
  'canal-mekong': { fieldId: 'field-rice-1', farmId: 'farm-mekong' },
  'wx-mekong': { fieldId: 'field-rice-1', farmId: 'farm-mekong' },
  'soil-coffee-a': { fieldId: 'field-coffee-a', farmId: 'farm-highlands' },
} as const;

export async function writeDemoHistory(store: ReadingStore, opts: { now: number; days: number; cooperativeId?: string }): Promise<number> {
  const cooperativeId = opts.cooperativeId ?? 'coop-demo';
  const start = Math.floor((opts.now - opts.days * 24 * HOUR) / STEP) * STEP;
  const batch: StoredReading[] = [];
  const add = (deviceId: keyof typeof place, metric: string, ts: number, value: number) =>
    batch.push({ deviceId, metric, ts, value: Math.round(value * 100) / 100, cooperativeId, ...place[deviceId] });
  for (let ts = start; ts < opts.now; ts += STEP) {
    const h = (ts - start) / HOUR;
    const dayPhase = Math.sin(((((ts / HOUR) + 7) % 24) - 9) / 24 * 2 * Math.PI); // local afternoon peak
    // AWD: flooded to +5 cm, drying ~0.5 cm/h, re-flooded when it reaches −15 cm (docs/agronomy.md §3)
    add('awd-rice-1', 'awd_level', ts, 5 - ((h * 0.5) % 20));
    add('awd-rice-2', 'awd_level', ts, 4 - ((h * 0.35) % 21));
    add('canal-mekong', 'water_ec', ts, 1.4 + 0.9 * Math.sin(h / 12.4 * 2 * Math.PI) + h * 0.01);
    add('soil-coffee-a', 'soil_moisture@20cm', ts, 35 - ((h * 0.12) % 8) + dayPhase * 0.3);
    add('soil-coffee-a', 'soil_moisture@50cm', ts, 36 - ((h * 0.07) % 6));
    if (ts % HOUR === 0) {
      add('wx-mekong', 'air_temperature', ts, 28.5 + 4 * dayPhase);
      add('wx-mekong', 'rain', ts, h % 31 < 2 ? 3.5 : 0);
      for (const d of ['awd-rice-1', 'awd-rice-2', 'canal-mekong', 'wx-mekong', 'soil-coffee-a'] as const) {
        add(d, 'battery', ts, 90 - h * 0.05);
        add(d, 'rssi', ts, -70 - (d.length % 5) * 4);
      }
    }
  }
  await store.write(batch);
  return batch.length;
}
