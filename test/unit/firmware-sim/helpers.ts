// Shared fixtures for the firmware-sim unit tests: places, local time and a bounds check.
import { isWithinBounds, parseMetricKey } from '../../../core/telemetry/metrics.js';
import type { Readings } from '../../../firmware-sim/models/common.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const STEP = 10 * 60_000;

/** Epoch ms of a local (UTC+7) wall-clock time. */
export const local = (y: number, month: number, d: number, h = 0): number => Date.UTC(y, month - 1, d, h) - 7 * HOUR;

export const mekong = { lat: 9.55, lonE: 105.98, elevationM: 1 } as const;
export const highlands = { lat: 12.82, lonE: 108.08, elevationM: 520 } as const;

/** Readings outside the catalogue (unknown metric or out of bounds), described for a failure message. */
export function outOfCatalogue(readings: Readings): string[] {
  return Object.entries(readings)
    .filter(([key, value]) => {
      const parsed = parseMetricKey(key);
      return !parsed || !isWithinBounds(parsed.spec, value);
    })
    .map(([key, value]) => `${key}=${value}`);
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
