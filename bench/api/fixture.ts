// The benchmark cooperative: 1 cooperative, 50 farms, 250 fields, 1,000 devices (4 per field), each device
// reporting soil moisture and battery every 10 minutes — 10M readings are ~35 days of it. Devices are
// inserted with SQL (one scrypt per device would take a minute and measure nothing of the API).
import type { Registry } from '../../core/registry/registry.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';

export const COOP = 'coop-bench';
export const DEVICES = 1000;
export const DEVICES_PER_FIELD = 4;
export const FIELDS_PER_FARM = 5;
export const METRICS = ['soil_moisture@20cm', 'battery'] as const;
export const INTERVAL_MS = 10 * 60_000;

const pad = (n: number) => String(n).padStart(4, '0');
export const deviceId = (d: number) => `dev-${pad(d)}`;
export const fieldOf = (d: number) => Math.floor(d / DEVICES_PER_FIELD);
export const fieldId = (f: number) => `field-${pad(f)}`;
export const farmOf = (f: number) => Math.floor(f / FIELDS_PER_FARM);
export const farmId = (f: number) => `farm-${pad(f)}`;

export async function seedRegistry(registry: Registry): Promise<void> {
  await registry.createCooperative({ id: COOP, name: 'HTX benchmark' });
  const insertDevice = "INSERT INTO devices (id, field_id, kind, name, secret_hash, created_at) VALUES (?, ?, 'soil_probe', ?, 'scrypt$bench', ?)";
  await registry.sql.tx(async () => {
    const fields = DEVICES / DEVICES_PER_FIELD;
    for (let a = 0; a < fields / FIELDS_PER_FARM; a++) await registry.createFarm({ id: farmId(a), cooperativeId: COOP, name: `Farm ${a}`, lat: 10, lon: 106 });
    for (let f = 0; f < fields; f++) await registry.createField({ id: fieldId(f), farmId: farmId(farmOf(f)), name: `Field ${f}`, crop: 'coffee', soilTexture: 'clay' });
    for (let d = 0; d < DEVICES; d++) await registry.sql.run(insertDevice, [deviceId(d), fieldId(fieldOf(d)), `Probe ${d}`, Date.now()]);
  });
}

/** Writes `total` readings ending at `end` in batches (one store transaction / request series per batch). */
export async function fill(store: ReadingStore, total: number, end: number, batchSize: number, onProgress: (written: number) => void): Promise<{ start: number; written: number }> {
  const perStep = DEVICES * METRICS.length;
  const steps = Math.ceil(total / perStep);
  const start = Math.floor(end / INTERVAL_MS) * INTERVAL_MS - (steps - 1) * INTERVAL_MS;
  let batch: StoredReading[] = [];
  let written = 0;
  for (let s = 0; s < steps && written + batch.length < total; s++) {
    const ts = start + s * INTERVAL_MS;
    for (let d = 0; d < DEVICES && written + batch.length < total; d++) {
      const f = fieldOf(d);
      const place = { fieldId: fieldId(f), farmId: farmId(farmOf(f)), cooperativeId: COOP };
      const moisture = 30 + 6 * Math.sin((s + d) / 144) - ((s % 500) * 0.01);
      batch.push({ deviceId: deviceId(d), metric: METRICS[0], ts, value: Math.round(moisture * 100) / 100, ...place });
      batch.push({ deviceId: deviceId(d), metric: METRICS[1], ts, value: Math.round((100 - s * 0.01) * 10) / 10, ...place });
      if (batch.length >= batchSize) {
        await store.write(batch);
        written += batch.length;
        batch = [];
        onProgress(written);
      }
    }
  }
  if (batch.length) await store.write(batch);
  written += batch.length;
  onProgress(written);
  return { start, written };
}
