// The season's water account on a full season of data (issue 17; docs/water-account.md): a farm of 4 fields, a
// weather station reporting its 5 metrics every 10 min for 120 days and a pump controller per field reporting
// `pump_on` every 10 min (155,520 readings in SQLite), 2 irrigations a week per field over the last 60 days and
// an irrigate alert a week; then the median time of GET /fields/:id/water-account, /farms/:id/water-account and
// /farms/:id/water-account.csv over a real loopback HTTP server (buildApp, the production code path).
//   node --import tsx bench/api/water-account.ts [--rounds 7]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../api/app.js';
import { createAlertService } from '../../core/alerts/alert-service.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createRegistry } from '../../core/registry/registry.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const H = 3_600_000;
const DAY = 24 * H;
const STEP = 10 * 60_000;
const SEASON_DAYS = 120;

const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-water-'));
const registry = createRegistry(join(dir, 'registry.db'));
const store = createSqliteStore({ path: join(dir, 'readings.db') });
await store.setup();
const alerts = createAlertService({ sql: registry.sql });
const coop = await registry.createCooperative({ name: 'HTX bench' });
const farmId = await registry.createFarm({ cooperativeId: coop, name: 'Trại bench', lat: 12.82, lon: 108.08, elevationM: 500 });
const now = Date.now();
const planted = new Date(now - (SEASON_DAYS - 1) * DAY + 7 * H).toISOString().slice(0, 10);
const fields = await Promise.all([1, 2, 3, 4].map((i) => registry.createField({ farmId, name: `Lô ${i}`, crop: 'coffee', plantingDate: planted, soilTexture: 'clay', areaHa: i })));
await registry.provisionDevice({ id: 'wx-bench', fieldId: fields[0]!, kind: 'weather_station', name: 'wx' });

const t0 = Math.floor((now - SEASON_DAYS * DAY) / STEP) * STEP;
let batch: StoredReading[] = [];
let written = 0;
const flush = async () => { await store.write(batch); written += batch.length; batch = []; };
const at = { cooperativeId: coop, farmId };
for (let ts = t0; ts < now - STEP; ts += STEP) {
  const hour = ((ts + 7 * H) % DAY) / H;
  const warm = Math.cos(((hour - 14) / 24) * 2 * Math.PI);
  const wx = { air_temperature: 24 + 7 * warm, air_humidity: 75 - 20 * warm, wind_speed: 1.5, solar_radiation: Math.max(0, 800 * Math.sin(((hour - 6) / 12) * Math.PI)), rain: hour === 3 && ts % (5 * DAY) < DAY ? 6 : 0 };
  for (const [metric, value] of Object.entries(wx)) batch.push({ ...at, fieldId: fields[0]!, deviceId: 'wx-bench', metric, ts, value });
  fields.forEach((fieldId, i) => batch.push({ ...at, fieldId, deviceId: `pump-${i}`, metric: 'pump_on', ts, value: hour >= 6 && hour < 6 + i ? 1 : 0 }));
  if (batch.length >= 10_000) await flush();
}
await flush();
for (const fieldId of fields) {
  for (let d = 59; d >= 1; d -= 3.5) {
    await registry.recordIrrigation(coop, fieldId, { startAt: now - d * DAY, depthMm: 20, source: 'pump_telemetry', recordedBy: 'bench' }, now);
  }
  for (let w = 0; w < SEASON_DAYS / 7; w++) {
    await alerts.raise({ cooperativeId: coop, farmId, fieldId, deviceId: null, ruleId: `bench-${w}`, subject: `field:${fieldId}`, kind: 'irrigate', severity: 'warning', escalateAfterMs: null, values: {}, text: { vi: 't', en: 'i' } });
  }
}
const userId = await registry.createUser({ cooperativeId: coop, username: 'bench', password: 'bench-password-1', role: 'admin' });
const token = (await registry.createSession(userId, H)).token;
const app = buildApp({ registry, store, alerts, metrics: createMetrics(), log: silentLogger(), sessionTtlMs: H, readiness: () => Promise.resolve({}) });
const server = createServer(app);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

async function time(path: string): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
  return { ms: performance.now() - start, bytes: body.length };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${written} readings, ${SEASON_DAYS} days, ${fields.length} fields; ${args.rounds} rounds`);
for (const path of [`/fields/${fields[0]}/water-account`, `/farms/${farmId}/water-account`, `/farms/${farmId}/water-account.csv?lang=vi`]) {
  await time(path); // warm-up
  const runs = [];
  for (let i = 0; i < Number(args.rounds); i++) runs.push(await time(path));
  console.log(`GET ${path.replace(/field-[\w]+|farm-[\w]+/g, ':id')}: median ${median(runs.map((r) => r.ms)).toFixed(0)} ms, ${runs[0]!.bytes} bytes`);
}
const farm = await (await fetch(`${base}/farms/${farmId}/water-account`, { headers: { authorization: `Bearer ${token}` } })).json() as { totals: Record<string, unknown> };
console.log('farm totals', JSON.stringify(farm.totals));
server.close();
await store.close();
await registry.close();
rmSync(dir, { recursive: true, force: true });
