// `ruong agro et0` / `ruong agro balance` through runAgro: FAO-56 Examples 17 and 18, CSV input,
// the balance JSON and exit code 2 on bad flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgro } from '../../../cli/agro.js';
import { et0Daily } from '../../../core/agronomy/index.js';
import { expectWithin } from './within.js';

interface Run {
  readonly code: number;
  readonly text: string;
  json(): Record<string, unknown> & { intermediates: Record<string, number>; days: Record<string, unknown>[] };
}

async function agro(...argv: string[]): Promise<Run> {
  const lines: string[] = [];
  const code = await runAgro(argv, (l) => lines.push(l));
  const text = lines.join('\n');
  return { code, text, json: () => JSON.parse(text) as ReturnType<Run['json']> };
}

describe('ruong agro et0', () => {
  it('FAO-56 Example 17 (Bangkok, April): ET0 5.72', async () => {
    const r = await agro('et0', '--lat', '13.7333', '--elevation', '2', '--doy', '105', '--tmax', '34.8', '--tmin', '25.6',
      '--ea', '2.85', '--wind', '2', '--sunshine-hours', '8.5', '--t-prev-month', '29.2');
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.method).toBe('penman-monteith');
    expectWithin(j.intermediates.gMJ, 0.14, 1e-9);
    expectWithin(j.intermediates.raMJ, 38.06);
    expectWithin(j.intermediates.daylightHours, 12.31);
    expectWithin(j.intermediates.rsMJ, 22.65);
    expectWithin(j.intermediates.rnMJ, 14.33);
    expectWithin(j.et0MmPerDay as number, 5.72);
    for (const k of ['pressureKPa', 'gammaKPaPerC', 'esKPa', 'eaKPa', 'deltaKPaPerC', 'u2Ms']) expect(j.intermediates[k]).toBeTypeOf('number');
  });

  it('FAO-56 Example 18 (Brussels, 6 July): ET0 3.9, wind 10 km/h at 10 m', async () => {
    const r = await agro('et0', '--lat', '50.8', '--elevation', '100', '--date', '2023-07-06', '--tmax', '21.5', '--tmin', '12.3',
      '--rhmax', '84', '--rhmin', '63', '--wind', String(10 / 3.6), '--wind-height', '10', '--sunshine-hours', '9.25');
    expect(r.code).toBe(0);
    const j = r.json();
    expect((j.inputs as { dayOfYear: number }).dayOfYear).toBe(187);
    expectWithin(j.intermediates.u2Ms, 2.078, 0.005);
    expectWithin(j.intermediates.esKPa, 1.997, 0.005);
    expectWithin(j.intermediates.eaKPa, 1.409, 0.005);
    expectWithin(j.intermediates.raMJ, 41.09);
    expectWithin(j.intermediates.rsMJ, 22.07);
    expectWithin(j.intermediates.rnMJ, 13.28);
    expectWithin(j.et0MmPerDay as number, 3.9);
  });

  it('names the fallback path and the estimated inputs; a southern latitude works as `--lat -22.9`', async () => {
    const j = (await agro('et0', '--lat', '-22.9', '--elevation', '0', '--doy', '135', '--tmax', '25.1', '--tmin', '19.1', '--coastal')).json();
    expect(j.method).toBe('penman-monteith-estimated');
    expect(j.estimated).toEqual(['rs_from_temperature_range', 'ea_from_tmin', 'u2_default']);
    expectWithin(j.intermediates.raMJ, 25.1);
    expectWithin(j.intermediates.rsMJ, 0.19 * Math.sqrt(6) * (j.intermediates.raMJ ?? Number.NaN), 1e-3);
    const h = (await agro('et0', '--lat', '-22.9', '--doy', '135', '--tmax', '25.1', '--tmin', '19.1')).json();
    expect(h.method).toBe('hargreaves');
  });

  it('bad or missing flags: a message and exit code 2', async () => {
    const missing = await agro('et0', '--lat', '13.7', '--elevation', '2', '--doy', '105', '--tmin', '25');
    expect(missing.code).toBe(2);
    expect(missing.text).toMatch(/^ruong agro et0: .*--tmax and --tmin are required/);
    const nan = await agro('et0', '--lat', 'north', '--doy', '1', '--tmax', '30', '--tmin', '20');
    expect(nan.code).toBe(2);
    expect(nan.text).toContain('--lat: must be a number');
    expect((await agro('et0', '--lat', '95', '--doy', '1', '--tmax', '30', '--tmin', '20')).code).toBe(2);
    expect((await agro('et0', '--lat', '10', '--date', '2024-02-30', '--tmax', '30', '--tmin', '20')).text).toContain('--date');
    const unknown = await agro('et0', '--latitude', '10');
    expect(unknown.code).toBe(2);
    expect(unknown.text).toContain("Unknown option '--latitude'");
    expect((await agro('frost')).code).toBe(2);
    expect((await agro()).code).toBe(2);
  });

  it('--help prints the usage with exit 0', async () => {
    const r = await agro('et0', '--help');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/^Usage: ruong agro et0/);
    expect((await agro('balance', '--help')).text).toMatch(/^Usage: ruong agro balance/);
  });
});

describe('ruong agro et0 --csv', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ruong-agro-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function stationCsv(): string {
    const lines = ['ts,air_temperature,air_humidity,wind_speed,solar_radiation,rain'];
    const pad = (n: number) => String(n).padStart(2, '0');
    for (let day = 15; day <= 16; day++) {
      for (let k = 0; k < 144; k++) {
        if (day === 16 && k % 2 === 1) continue; // the 16th has half its records
        const hour = Math.floor(k / 6);
        const t = k === 36 ? 22 : k === 90 ? 33 : 27;
        const rh = k === 36 ? 95 : k === 90 ? 55 : 80;
        const sun = hour >= 6 && hour < 18 ? 500 : 0;
        lines.push(`2024-04-${day}T${pad(hour)}:${pad((k % 6) * 10)},${t},${rh},2,${sun},${k === 100 ? 3.2 : ''}`);
      }
    }
    return lines.join('\n');
  }

  it('gives one ET0 per complete local day and skips the incomplete one', async () => {
    const file = join(dir, 'station.csv');
    writeFileSync(file, stationCsv());
    const r = await agro('et0', '--lat', '10.03', '--elevation', '2', '--csv', file);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.intervalMinutes).toBe(10);
    const [d15, d16] = j.days;
    expect(d15).toMatchObject({ date: '2024-04-15', complete: true, tmaxC: 33, tminC: 22, rhmaxPct: 95, rhminPct: 55, rainMm: 3.2, method: 'penman-monteith' });
    expectWithin(d15?.rsMJ as number, 21.6, 1e-9); // 72 × 500 W/m² × 600 s / 10⁶
    const expected = et0Daily({ latitudeDeg: 10.03, elevationM: 2, dayOfYear: 106, tmaxC: 33, tminC: 22, rhmaxPct: 95, rhminPct: 55, windMs: 2, rsMJ: 21.6 });
    expectWithin(d15?.et0MmPerDay as number, expected.et0Mm, 1e-3);
    expect(d16).toMatchObject({ date: '2024-04-16', complete: false, et0MmPerDay: null });
    expectWithin(d16?.coverage as number, 0.5, 1e-9);
  });

  it('a missing file is exit code 2', async () => {
    const r = await agro('et0', '--lat', '10', '--elevation', '2', '--csv', join(dir, 'nope.csv'));
    expect(r.code).toBe(2);
    expect(r.text).toContain('ENOENT');
  });
});

describe('ruong agro balance', () => {
  const coffee = ['balance', '--crop', 'coffee', '--soil', 'clay', '--sensor', '20:24', '--sensor', '50:29', '--sensor', '80:32',
    '--et0', '5', '--area', '0.1', '--pump-flow', '40', '--date', '2024-03-05'];

  it('coffee on clay from three probes: Dr 73 mm ≥ RAW 51.66 mm → irrigate 81.1 mm, 81.1 m³, 121.7 min', async () => {
    const r = await agro(...coffee);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ crop: 'coffee', stage: 'perennial', kc: 0.95, etcMmPerDay: 4.75, rootDepthM: 0.9, depletionSource: 'sensors', decision: 'irrigate' });
    expectWithin(j.p as number, 0.41, 1e-9); // 0.40 + 0.04 × (5 − 4.75)
    expectWithin(j.tawMm as number, 126, 1e-9); // 1000 × (0.36 − 0.22) × 0.9
    expectWithin(j.rawMm as number, 51.66, 1e-9);
    expectWithin(j.depletionMm as number, 73, 1e-9);
    const irrigation = j.irrigation as Record<string, number>;
    expectWithin(irrigation.netMm, 73, 1e-9);
    expectWithin(irrigation.grossMm, 81.1111, 1e-3); // 73 / 0.9
    expectWithin(irrigation.volumeM3, 81.1111, 1e-3); // × 0.1 ha × 10
    expectWithin(irrigation.pumpMinutes, 121.6667, 1e-3); // / 40 m³/h × 60
  });

  it('postpones when the forecast rain covers the deficit', async () => {
    const j = (await agro(...coffee, '--forecast-rain', '80')).json();
    expect(j.decision).toBe('postpone_rain');
  });

  it('model balance from a CSV of daily ET0 and rain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ruong-agro-'));
    try {
      const file = join(dir, 'daily.csv');
      writeFileSync(file, 'date,et0,rain\n2024-01-01,4,0\n2024-01-02,5,0.5\n2024-01-03,4,0\n');
      const j = (await agro('balance', '--crop', 'maize', '--soil', 'loam', '--planting-date', '2024-01-01', '--csv', file)).json();
      // loam 0.25/0.12, Zr 1.0 → TAW 130; Kc 0.3 → ETc 1.2 + 1.5 + 1.2 (0.5 mm rain < 0.2·ET0 ignored)
      expect(j).toMatchObject({ date: '2024-01-03', daysSincePlanting: 2, stage: 'initial', kc: 0.3, depletionSource: 'model', decision: 'not_needed' });
      expectWithin(j.tawMm as number, 130, 1e-9);
      expectWithin(j.depletionMm as number, 3.9, 1e-9);
      expect(j.days).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dragon fruit: no Kc, p 0.30, Zr from the deepest probe', async () => {
    const j = (await agro('balance', '--crop', 'dragon_fruit', '--soil', 'sandy_loam', '--sensor', '15:15', '--sensor', '40:20')).json();
    // sandy loam θFC 0.23; layers 0–0.275, 0.275–0.40: 1000 × (0.08 × 0.275 + 0.03 × 0.125) = 25.75 mm
    expect(j).toMatchObject({ kc: null, p: 0.3, rootDepthM: 0.4 });
    expectWithin(j.depletionMm as number, 25.75, 1e-9);
    expectWithin(j.tawMm as number, 48, 1e-9); // sandy loam midpoints 0.23/0.11: 1000 × 0.12 × 0.4
  });

  it('bad or missing flags: exit code 2 with the reason', async () => {
    const none = await agro('balance', '--crop', 'coffee', '--soil', 'clay');
    expect(none.code).toBe(2);
    expect(none.text).toContain('give exactly one of --sensor, --depletion, --csv');
    const crop = await agro('balance', '--crop', 'wheat', '--soil', 'clay', '--depletion', '20');
    expect(crop.code).toBe(2);
    expect(crop.text).toContain('--crop');
    expect((await agro('balance', '--crop', 'coffee', '--soil', 'clay', '--sensor', '20')).text).toContain('DEPTH_CM:THETA_PCT');
    const noDay = await agro('balance', '--crop', 'maize', '--soil', 'loam', '--depletion', '20');
    expect(noDay.code).toBe(2);
    expect(noDay.text).toContain('--planting-date');
    expect((await agro('balance', '--crop', 'black_pepper', '--soil', 'clay', '--depletion', '20')).text).toContain('--zr');
  });
});

describe('ruong agro balance with a sensor the soil cannot hold (issue 15)', () => {
  it('--sensor 20:0 (a dead probe): decision check_sensor, no irrigation order, depletion bounded by TAW', async () => {
    const r = await agro('balance', '--crop', 'coffee', '--soil', 'clay', '--sensor', '20:0', '--sensor', '50:31.9', '--days-since-planting', '2000',
      '--area', '1.2', '--pump-flow', '18', '--efficiency', '0.75');
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.decision).toBe('check_sensor');
    expect(j.irrigation).toBeNull();
    expect(j.suspectSensors).toEqual([{ depthCm: 20, thetaPct: 0, reason: 'dead' }]);
    // the 20 cm layer counts at most down to θWP: 0.14·350 + 0.041·550 = 71.55 mm ≤ TAW 126 mm (not 148.5 mm)
    expect(j.depletionMm as number).toBeCloseTo(71.55, 3);
    expect(j.depletionMm as number).toBeLessThanOrEqual(j.tawMm as number);
  });

  it('plausible readings drier than θWP: still advice, with depletion capped at TAW', async () => {
    const j = (await agro('balance', '--crop', 'coffee', '--soil', 'clay', '--sensor', '20:12', '--sensor', '50:12', '--days-since-planting', '2000')).json();
    expect(j.decision).toBe('irrigate');
    expect(j.depletionMm as number).toBeCloseTo(126, 6);
  });
});
