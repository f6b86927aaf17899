// ONE contract every forecast provider passes (issue 17, docs/interop.md "Weather forecast"), run against a
// local HTTP peer serving recorded responses: what the provider asks for, what it reads from a recorded answer,
// and that anything else — a malformed body, an error answer, no answer — is an error, never "no rain"; and,
// through the forecast service, that a failed poll keeps the last good forecast, which a restart without the
// peer still has, labelled stale once old.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { ForecastLocation, ForecastProvider } from '../../core/weather/forecast.js';
import { createForecastService } from '../../core/weather/forecast-service.js';
import type { PeerAnswer } from '../helpers/forecast-peer.js';

export interface ForecastHarness {
  /** The provider pointed at the peer, with the given HTTP timeout. */
  provider(timeoutMs: number): ForecastProvider;
  /** The peer's next answers. */
  answer(a: PeerAnswer): void;
  /** The recorded answer (test/fixtures/forecast/), and the error answer of the service. */
  readonly recorded: unknown;
  readonly recordedError: unknown;
  /** Query parameters of the requests the peer received. */
  requests(): URLSearchParams[];
  close(): Promise<void>;
}

/** Cư M'gar, Đắk Lắk (the demo's coffee farm). */
const FARM: ForecastLocation = { lat: 12.82, lon: 108.08 };
const HOUR = 3_600_000;

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

export function forecastContract(name: string, open: () => Promise<ForecastHarness>): void {
  describe(`forecast provider contract: ${name}`, () => {
    let h: ForecastHarness;
    let dir: string;
    beforeEach(async () => {
      h = await open();
      dir = mkdtempSync(join(tmpdir(), 'ruong-forecast-'));
    });
    afterEach(async () => {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('asks for the daily rain and its probability at the location, in Vietnam\'s time zone, for N days', async () => {
      await h.provider(5000).daily(FARM, 3);
      const [q] = h.requests();
      expect(q?.get('latitude')).toBe('12.82');
      expect(q?.get('longitude')).toBe('108.08');
      expect(q?.get('daily')?.split(',').sort()).toEqual(['precipitation_probability_max', 'precipitation_sum']);
      expect(q?.get('timezone')).toBe('Asia/Ho_Chi_Minh');
      expect(q?.get('forecast_days')).toBe('3');
    });

    it('reads the recorded answer: one day per local date, mm and %', async () => {
      h.answer({ kind: 'json', body: h.recorded });
      expect(await h.provider(5000).daily(FARM, 3)).toEqual([
        { date: '2026-10-14', precipitationMm: 0.4, probabilityPct: 23 },
        { date: '2026-10-15', precipitationMm: 31.6, probabilityPct: 92 },
        { date: '2026-10-16', precipitationMm: 7.2, probabilityPct: 58 },
      ]);
    });

    it('a day without a value stays unknown (null), not zero rain', async () => {
      const r = h.recorded as { daily: Record<string, unknown[]> };
      h.answer({ kind: 'json', body: { ...r, daily: { ...r.daily, precipitation_sum: [0.4, null, 7.2], precipitation_probability_max: [23, 92, null] } } });
      const days = await h.provider(5000).daily(FARM, 3);
      expect(days[1]).toEqual({ date: '2026-10-15', precipitationMm: null, probabilityPct: 92 });
      expect(days[2]?.probabilityPct).toBeNull();
    });

    it('malformed bodies are errors: not JSON, arrays of different lengths, a negative rain, text for a number', async () => {
      const r = h.recorded as { daily: Record<string, unknown[]> };
      const p = h.provider(5000);
      for (const bad of [
        { kind: 'raw', body: '{"latitude":12.8,"daily":{"time":["2026-10-14"' },
        { kind: 'json', body: { ...r, daily: { ...r.daily, precipitation_sum: [1, 2] } } },
        { kind: 'json', body: { ...r, daily: { ...r.daily, precipitation_sum: [0, -3, 1] } } },
        { kind: 'json', body: { ...r, daily: { ...r.daily, precipitation_sum: ['0.4', '31.6', '7.2'] } } },
        { kind: 'json', body: { latitude: 12.8, longitude: 108.1 } },
      ] as const) {
        h.answer(bad);
        await rejection(p.daily(FARM, 3));
      }
    });

    it('an error answer (HTTP 400 with a reason) is an error that says it', async () => {
      h.answer({ kind: 'json', status: 400, body: h.recordedError });
      expect((await rejection(h.provider(5000).daily(FARM, 3))).message).toMatch(/400/);
    });

    it('a peer that never answers is a timeout, within the timeout', async () => {
      h.answer({ kind: 'hang' });
      expect((await rejection(h.provider(300).daily(FARM, 3))).message).toMatch(/no answer within 300 ms/);
    });

    it('the service keeps the last good forecast through failed polls, counts them, and a restart offline still has it, stale once old', async () => {
      const clock = { t: Date.parse('2026-10-14T00:00:00Z') };
      const make = () => createForecastService({
        provider: h.provider(300), locations: () => [FARM], cacheFile: join(dir, 'forecast-cache.json'), log: silentLogger(), now: () => clock.t,
      });
      const s = make();
      h.answer({ kind: 'json', body: h.recorded });
      await s.refresh();
      expect(s.at(FARM)).toMatchObject({ fetchedAt: clock.t, stale: false, days: [{}, { precipitationMm: 31.6, probabilityPct: 92 }, {}] });

      clock.t += HOUR;
      h.answer({ kind: 'raw', body: '<html>502 Bad Gateway</html>' });
      await s.refresh();
      h.answer({ kind: 'hang' });
      await s.refresh();
      expect(s.stats()).toEqual({ fetched: 1, failed: 2 });
      expect(s.at(FARM)?.fetchedAt).toBe(clock.t - HOUR);
      expect(s.at(FARM)?.days[1]?.precipitationMm).toBe(31.6);

      // a restart without the peer (still hanging): the cache file gives the last good forecast at once
      const restarted = make();
      await restarted.start();
      expect(restarted.at(FARM)?.days[1]).toEqual({ date: '2026-10-15', precipitationMm: 31.6, probabilityPct: 92 });
      expect(restarted.at(FARM)?.stale).toBe(false);
      clock.t += 12 * HOUR;
      expect(restarted.at(FARM)?.stale).toBe(true);
      await restarted.stop();
    });
  });
}
