// The forecast service reads the farms' locations from the registry at each poll (issue 18: asynchronously): a farm
// placed since the last poll is polled at the next one, and a registry that does not answer skips a poll without
// losing the forecasts already held or failing the process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import type { ForecastLocation, ForecastProvider } from '../../../core/weather/forecast.js';
import { createForecastService } from '../../../core/weather/forecast-service.js';

const A: ForecastLocation = { lat: 10.03, lon: 105.78 };
const B: ForecastLocation = { lat: 12.67, lon: 108.05 };

describe('forecast locations read from the registry at each poll', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('polls a farm placed after the start at the next poll, and skips a poll the registry cannot answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ruong-forecast-'));
    dirs.push(dir);
    const asked: string[] = [];
    const provider: ForecastProvider = {
      name: 'stub',
      daily: (l) => { asked.push(`${l.lat},${l.lon}`); return Promise.resolve([{ date: '2026-12-07', precipitationMm: 20, probabilityPct: 80 }]); },
    };
    let farms: readonly ForecastLocation[] = [A];
    let registryUp = true;
    const service = createForecastService({
      provider, cacheFile: join(dir, 'forecast-cache.json'), log: silentLogger(), pollMs: 3_600_000,
      locations: () => (registryUp ? Promise.resolve(farms) : Promise.reject(new Error('connection refused'))),
    });
    await service.start();
    await service.refresh();
    expect(service.at(A)?.days[0]?.precipitationMm).toBe(20);
    expect(service.at(B)).toBeUndefined();

    farms = [A, B]; // a second farm placed on the map
    await service.refresh();
    expect(service.at(B)?.days[0]?.precipitationMm).toBe(20);

    registryUp = false;
    const before = asked.length;
    await expect(service.refresh()).resolves.toBeUndefined(); // skipped, not thrown
    expect(asked.length).toBe(before);
    expect(service.at(A)?.days[0]?.precipitationMm).toBe(20); // what was held stays
    await service.stop();
  });
});
