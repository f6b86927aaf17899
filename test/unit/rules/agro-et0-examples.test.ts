// Every daily FAO-56 worked example of docs/agronomy.md §1 through `ruong agro et0` (its JSON intermediates),
// within ±0.05 of the published value. Examples 17 and 18 (the full ET0) are in test/unit/agronomy/cli-agro.test.ts;
// Example 19 (hourly, Eq. 53) goes through `ruong agro et0-hourly`.
import { describe, expect, it } from 'vitest';
import { runAgro } from '../../../cli/agro.js';

interface Et0Json { et0MmPerDay: number; method: string; intermediates: Record<string, number> }

async function et0(...flags: string[]): Promise<Et0Json> {
  return agro('et0', ...flags);
}

async function agro(sub: string, ...flags: string[]): Promise<Et0Json> {
  const lines: string[] = [];
  const code = await runAgro([sub, ...flags], (l) => lines.push(l));
  expect(code, lines.join('\n')).toBe(0);
  return JSON.parse(lines.join('\n')) as Et0Json;
}

const within = (actual: number | undefined, published: number) => {
  expect(actual).toBeTypeOf('number');
  expect(Math.abs((actual ?? Number.NaN) - published), `${actual} vs ${published}`).toBeLessThanOrEqual(0.05);
};

const day = ['--lat', '13.7', '--doy', '105', '--tmax', '30', '--tmin', '20'];

describe('FAO-56 worked examples through `ruong agro et0`', () => {
  it('Ex 2: z = 1800 m → P 81.8 kPa, γ 0.054 kPa/°C', async () => {
    const j = await et0(...day, '--elevation', '1800');
    within(j.intermediates.pressureKPa, 81.8);
    within(j.intermediates.gammaKPaPerC, 0.054);
  });

  it('Ex 3: Tmax 24.5, Tmin 15 → es 2.39 kPa', async () => {
    within((await et0('--lat', '13.7', '--doy', '105', '--elevation', '0', '--tmax', '24.5', '--tmin', '15')).intermediates.esKPa, 2.39);
  });

  it('Ex 5: e°(Tmin) 2.064, e°(Tmax) 3.168 (Tmin 18, Tmax 25), RHmax 82, RHmin 54 → ea 1.70 kPa', async () => {
    within((await et0('--lat', '13.7', '--doy', '105', '--elevation', '0', '--tmax', '25', '--tmin', '18', '--rhmax', '82', '--rhmin', '54')).intermediates.eaKPa, 1.70);
  });

  it('Ex 8 and 9: 20°S, 3 September (J 246) → dr 0.985, δ 0.120, ωs 1.527, Ra 32.2, N 11.7 h', async () => {
    const i = (await et0('--lat', '-20', '--doy', '246', '--elevation', '0', '--tmax', '25', '--tmin', '15')).intermediates;
    within(i.drInverseDistance, 0.985);
    within(i.declinationRad, 0.120);
    within(i.sunsetHourAngleRad, 1.527);
    within(i.raMJ, 32.2);
    within(i.daylightHours, 11.7);
  });

  it('Ex 10: 22°54\'S, J 135, n 7.1 h → Ra 25.1, N 10.9 h, Rs 14.5', async () => {
    const i = (await et0('--lat=-22.9', '--doy', '135', '--elevation', '0', '--tmax', '25.1', '--tmin', '19.1', '--sunshine-hours', '7.1')).intermediates;
    within(i.raMJ, 25.1);
    within(i.daylightHours, 10.9);
    within(i.rsMJ, 14.5);
  });

  it('Ex 11: Tmax 25.1, Tmin 19.1, ea 2.1, Rs 14.5, z 0 → Rso 18.8, Rnl 3.5', async () => {
    const i = (await et0('--lat=-22.9', '--doy', '135', '--elevation', '0', '--tmax', '25.1', '--tmin', '19.1', '--ea', '2.1', '--rs', '14.5')).intermediates;
    within(i.rsoMJ, 18.8);
    within(i.rnlMJ, 3.5);
  });

  it('Ex 13: T(i−1) 14.1, T(i+1) 18.8 (monthly) → G 0.33', async () => {
    within((await et0(...day, '--elevation', '0', '--t-prev-month', '14.1', '--t-next-month', '18.8')).intermediates.gMJ, 0.33);
  });

  it('Ex 14: wind 3.2 m/s at 10 m → u2 2.4 m/s', async () => {
    within((await et0(...day, '--elevation', '0', '--wind', '3.2', '--wind-height', '10')).intermediates.u2Ms, 2.4);
  });

  it('Ex 15: Ra 40.6 (45°43\'N, 15 July), Tmax 26.6, Tmin 14.8, kRs 0.16 → Rs 22.3; the fallback path is named', async () => {
    const j = await et0('--lat', '45.7167', '--doy', '196', '--elevation', '200', '--tmax', '26.6', '--tmin', '14.8');
    within(j.intermediates.raMJ, 40.6);
    within(j.intermediates.rsMJ, 22.3);
    expect(j.method).toBe('penman-monteith-estimated');
  });

  it('Ex 19 (hourly): N\'Diaye, 16°13\'N, 1 October, 14–15 h: G 0.175, ET0 0.63 mm/h; 02–03 h: ≈ 0', async () => {
    const site = ['--lat', '16.2167', '--elevation', '8', '--doy', '274', '--lz', '15', '--lm', '16.25'];
    const day = await agro('et0-hourly', ...site, '--hour', '14.5', '--t', '38', '--rh', '52', '--wind', '3.3', '--rs', '2.45');
    within(day.intermediates.gMJ, 0.175);
    within((day as unknown as { et0MmPerPeriod: number }).et0MmPerPeriod, 0.63);
    const night = await agro('et0-hourly', ...site, '--hour', '2.5', '--t', '28', '--rh', '90', '--wind', '1.9', '--rs', '0', '--night-rs-rso', '0.8');
    within((night as unknown as { et0MmPerPeriod: number }).et0MmPerPeriod, 0);
  });
});
