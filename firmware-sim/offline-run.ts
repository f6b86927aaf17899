// Runs devices without a broker: what each one would have measured and reported over [startMs, untilMs]
// — for tests, for checking a scenario file, and for `ruong sim --dry-run`. Connectivity is ignored:
// every entry is returned, as the device would eventually deliver it.
import { createDeviceParts, createWeatherCache, type DeviceParts, type WeatherOverrides } from './device-factory.js';
import { SimDeviceSpec } from './device-spec.js';
import type { Entry } from './sampler.js';

export interface OfflineRunOptions {
  readonly devices: readonly SimDeviceSpec[];
  readonly startMs: number;
  readonly untilMs: number;
  readonly intervalS: number;
  readonly weather?: WeatherOverrides | undefined;
}

export interface OfflineDevice {
  readonly spec: SimDeviceSpec;
  readonly parts: DeviceParts;
  readonly entries: Entry[];
}

export function runOffline(o: OfflineRunOptions): Map<string, OfflineDevice> {
  const weatherOf = createWeatherCache(o.weather);
  const intervalMs = Math.round(o.intervalS * 1000);
  const out = new Map<string, OfflineDevice>();
  for (const raw of o.devices) {
    const spec = SimDeviceSpec.parse(raw);
    const parts = createDeviceParts(spec, weatherOf(spec), o.startMs, intervalMs);
    const entries: Entry[] = [];
    while (parts.sampler.nextReportMs() <= o.untilMs) entries.push(...parts.sampler.take(o.untilMs, 10_000).entries);
    out.set(spec.deviceId, { spec, parts, entries });
  }
  return out;
}
