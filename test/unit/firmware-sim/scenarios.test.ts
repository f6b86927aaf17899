// The scenario files in scenarios/ parse, resolve to absolute times ending now, and their farms do what
// the files promise — checked here without a broker (firmware-sim/offline-run.ts).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runOffline, type OfflineDevice } from '../../../firmware-sim/offline-run.js';
import { loadScenario, parseScenario, resolveScenario, seasonShift, type ResolvedScenario } from '../../../firmware-sim/scenario.js';
import { localHour } from '../../../firmware-sim/weather.js';
import { DAY, HOUR } from './helpers.js';

const now = Date.UTC(2025, 10, 26, 6); // a rainy-season-end November morning: the scenarios bring their own season
const play = (file: string): { run: ResolvedScenario; devices: Map<string, OfflineDevice> } => {
  const run = resolveScenario(loadScenario(`scenarios/${file}`), { nowMs: now });
  return { run, devices: runOffline(run) };
};
const series = (d: OfflineDevice | undefined, metric: string): { ts: number; v: number }[] =>
  (d?.entries ?? []).filter((e) => e.readings[metric] !== undefined).map((e) => ({ ts: e.ts, v: e.readings[metric] as number }));

describe('scenario files', () => {
  it('every file in scenarios/ is a valid scenario that ends now', () => {
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const run = resolveScenario(loadScenario(`scenarios/${f}`), { nowMs: now });
      expect(run.untilMs, f).toBe(now);
      expect(run.devices.length, f).toBeGreaterThan(0);
    }
  });

  it('rejects a scenario with a bad field, naming it', () => {
    expect(() => parseScenario({ name: 'x', description: '', durationH: 5, devices: [{ id: 'a', kind: 'tractor', lat: 1 }] })).toThrow(/devices\.0\.kind/);
  });

  it('expands counted devices and converts hours to absolute times', () => {
    const s = parseScenario({ name: 'x', description: '', durationH: 10, devices: [{ id: 'p', count: 3, kind: 'soil_probe', lat: 12, offline: [{ fromH: 2, toH: 4 }], plantingDaysAgo: 30 }] });
    const r = resolveScenario(s, { nowMs: now, secrets: { 'p-2': 'sekret' } });
    expect(r.devices.map((d) => d.deviceId)).toEqual(['p-1', 'p-2', 'p-3']);
    expect(r.devices[1]).toMatchObject({ secret: 'sekret', offline: [{ fromMs: now - 8 * HOUR, toMs: now - 6 * HOUR }], plantingMs: now - 10 * HOUR - 30 * DAY });
    expect(r.devices[0]?.secret).toBeUndefined();
  });

  it('season shifts the climate so that the first day is the given calendar day', () => {
    const start = Date.UTC(2025, 5, 30, 17); // 1 July 00:00 local
    expect(seasonShift('07-01', start)).toBe(0);
    expect(seasonShift('07-11', start)).toBe(10);
    expect(seasonShift('06-21', start)).toBe(355);
  });

  it('drought week on coffee: the soil dries every day and the depletion reaches RAW', () => {
    const { devices } = play('drought-week-coffee.json');
    for (const id of ['drought-soil-a', 'drought-soil-b']) {
      const s = series(devices.get(id), 'soil_moisture@20cm');
      const daily = Array.from({ length: 7 }, (_, d) => s[d * 144 + 72]?.v ?? NaN);
      daily.slice(1).forEach((v, i) => expect(v, `${id} day ${i + 1}`).toBeLessThan(daily[i] ?? -Infinity));
      const probe = devices.get(id)?.parts.model as unknown as { waterContent(): number[]; thicknessMm: number[]; soil: { fc: number; wp: number } };
      const dr = probe.waterContent().reduce((a, th, i) => a + Math.max(0, probe.soil.fc - th) * (probe.thicknessMm[i] ?? 0), 0);
      const taw = probe.thicknessMm.reduce((a, t) => a + t * (probe.soil.fc - probe.soil.wp), 0);
      expect(dr / taw).toBeGreaterThan(0.35); // coffee p = 0.4: at the edge of RAW by the end of the week
    }
    expect(series(devices.get('drought-wx'), 'rain').every((r) => r.v === 0)).toBe(true);
  });

  it('salinity intrusion: the canal is far above the rice limit at flood tide, fresher at ebb', () => {
    const { devices } = play('salinity-intrusion-mekong.json');
    const ec = series(devices.get('salt-canal'), 'water_ec').map((p) => p.v);
    const sorted = [...ec].sort((a, b) => a - b);
    expect(sorted[Math.floor(0.9 * sorted.length)]).toBeGreaterThan(8); // rice: ≈ 2 ‰ ≈ 3–4 dS/m
    expect(sorted[Math.floor(0.1 * sorted.length)]).toBeLessThan(0.6 * (sorted[Math.floor(0.9 * sorted.length)] ?? 0));
  });

  it('dead probe: one channel disappears, the other reads a flat 0, everything else carries on', () => {
    const { run, devices } = play('dead-probe.json');
    const dead = run.startMs + 6 * HOUR;
    const a = devices.get('dead-soil-a')?.entries ?? [];
    expect(a.filter((e) => e.ts >= dead).every((e) => e.readings['soil_moisture@20cm'] === undefined && e.readings['soil_moisture@50cm'] !== undefined)).toBe(true);
    expect(a.filter((e) => e.ts < dead).every((e) => (e.readings['soil_moisture@20cm'] ?? 0) > 20)).toBe(true);
    const b = series(devices.get('dead-soil-b'), 'soil_moisture@20cm');
    expect(b.filter((p) => p.ts >= dead).every((p) => p.v === 0)).toBe(true);
  });

  it('heat wave at rice flowering: afternoons of 35 °C or more in the flowering window, the field stays ponded', () => {
    const { run, devices } = play('heat-wave-rice-flowering.json');
    const t = series(devices.get('heat-wx'), 'air_temperature');
    const hotDays = new Set(t.filter((p) => p.v >= 35).map((p) => Math.floor((p.ts - run.startMs) / DAY)));
    expect([...hotDays].filter((d) => d >= 1 && d <= 4).length).toBeGreaterThanOrEqual(3);
    expect(t.filter((p) => p.v >= 35).every((p) => localHour(p.ts, 7) > 10 && localHour(p.ts, 7) < 20)).toBe(true);
    const tube = devices.get('heat-awd-1')?.parts.model as unknown as { phase(ms: number): string };
    expect(tube.phase(run.startMs + 2 * DAY)).toBe('flowering_hold');
    expect(series(devices.get('heat-awd-1'), 'awd_level').filter((p) => p.ts > run.startMs + DAY).every((p) => p.v > 1)).toBe(true);
  });

  it('network outage: every device is offline from hour 3 to hour 9, and only then', () => {
    const { run, devices } = play('network-outage-6h.json');
    for (const [id, d] of devices) {
      const offline = d.entries.filter((e) => !d.parts.link.online(e.ts)).map((e) => e.ts);
      expect(offline.length, id).toBe(36);
      expect(Math.min(...offline) - run.startMs).toBeGreaterThanOrEqual(3 * HOUR);
      expect(Math.max(...offline) - run.startMs).toBeLessThan(9 * HOUR);
    }
  });
});
