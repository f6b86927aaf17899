// Scenarios as files: a farm, what its weather does and what goes wrong, in hours from the scenario's
// start, validated with zod. A scenario ENDS `endsAgoH` hours before now (default: now), because the
// simulated clock never runs ahead of the real one; `season` makes its first day look like a given
// calendar day to the climate (a March drought can be played in June), while timestamps stay real.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RuongError } from '../core/errors.js';
import { DeviceFormat, SimDeviceSpec } from './device-spec.js';
import type { SensorFault } from './faults.js';
import type { SimulatorOptions } from './simulator.js';
import { dayOfYear } from './weather.js';
import type { WeatherEvent } from './weather-events.js';

const HOUR = 3_600_000;
const Hours = z.number().min(-24 * 366).max(24 * 366);

const ScenarioFault = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('stuck'), metric: z.string(), fromH: Hours, toH: Hours.optional() }),
  z.strictObject({ kind: z.literal('spike'), metric: z.string(), fromH: Hours, toH: Hours.optional(), probability: z.number().min(0).max(1), magnitude: z.number() }),
  z.strictObject({ kind: z.literal('drift'), metric: z.string(), fromH: Hours, toH: Hours.optional(), perDay: z.number() }),
  z.strictObject({ kind: z.literal('dead'), metric: z.string(), fromH: Hours, toH: Hours.optional(), reads: z.number().optional() }),
]);

const ScenarioWeatherEvent = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('heat'), fromH: Hours, toH: Hours, deltaC: z.number().min(-15).max(15) }),
  z.strictObject({ kind: z.literal('drought'), fromH: Hours, toH: Hours }),
  z.strictObject({ kind: z.literal('rain'), atH: Hours, hours: z.number().positive().max(24), mm: z.number().positive().max(500) }),
]);

export const ScenarioDevice = z.strictObject({
  /** The device id; with `count` > 1 the devices are `{id}-1` … `{id}-{count}`. */
  id: z.string().min(1).max(56),
  count: z.number().int().min(1).max(100_000).optional(),
  kind: SimDeviceSpec.shape.kind,
  lat: z.number().min(-90).max(90),
  lonE: z.number().min(-180).max(180).optional(),
  elevationM: z.number().optional(),
  depthsCm: z.array(z.number().int().min(1).max(300)).optional(),
  soilTexture: z.string().optional(),
  crop: z.string().optional(),
  seed: z.number().int().optional(),
  format: DeviceFormat.optional(),
  rtc: z.boolean().optional(),
  codec: SimDeviceSpec.shape.codec,
  /** LoRaWAN: the DevEUI to provision the device with (default derived from the id: devEuiOf). */
  devEui: SimDeviceSpec.shape.devEui,
  /** Days between planting (transplanting) and the scenario's start. */
  plantingDaysAgo: z.number().min(0).max(3650).optional(),
  initialWetness: z.number().min(0).max(2).optional(),
  power: SimDeviceSpec.shape.power,
  peakEcDsm: z.number().positive().max(60).optional(),
  farmer: z.boolean().optional(),
  rssiDbm: z.number().min(-140).max(-30).optional(),
  fieldId: SimDeviceSpec.shape.fieldId,
  fieldAreaHa: SimDeviceSpec.shape.fieldAreaHa,
  flowM3h: SimDeviceSpec.shape.flowM3h,
  maxEcDsm: SimDeviceSpec.shape.maxEcDsm,
  neverAnswers: SimDeviceSpec.shape.neverAnswers,
  faults: z.array(ScenarioFault).optional(),
  offline: z.array(z.strictObject({ fromH: Hours, toH: Hours })).optional(),
  flaky: z.strictObject({ dropsPerDay: z.number().min(0).max(240), meanOutageMin: z.number().positive().max(1440), fromH: Hours.optional(), toH: Hours.optional() }).optional(),
});
export type ScenarioDevice = z.infer<typeof ScenarioDevice>;

export const Scenario = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  durationH: z.number().positive().max(24 * 366),
  endsAgoH: z.number().min(0).max(24 * 60).default(0),
  /** The climate date (MM-DD) of the first day. */
  season: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/).optional(),
  intervalS: z.number().positive().max(86_400).default(600),
  /** Simulated seconds per real second, unless `ruong sim --speed` says otherwise. */
  speed: z.number().positive().max(1_000_000).default(3600),
  weather: z.strictObject({ rainFactor: z.number().min(0).max(10).optional(), events: z.array(ScenarioWeatherEvent).default([]) }).default({ events: [] }),
  devices: z.array(ScenarioDevice).min(1),
  /** What the platform should make of it, for the people (and tests) who run it. */
  expect: z.array(z.string()).default([]),
});
export type Scenario = z.infer<typeof Scenario>;

export type ResolvedScenario = Pick<SimulatorOptions, 'devices' | 'startMs' | 'untilMs' | 'weather' | 'intervalS' | 'speed'> & {
  readonly startMs: number;
  readonly untilMs: number;
  readonly devices: SimDeviceSpec[];
};

export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const parsed = Scenario.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new RuongError('CONFIG_INVALID', `${source} is not a valid scenario — ${why}`);
  }
  return parsed.data;
}

export function loadScenario(path: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RuongError('CONFIG_INVALID', `cannot read scenario ${path}: ${(err as Error).message}`);
  }
  return parseScenario(json, path);
}

/** Absolute times for a run ending at nowMs − endsAgoH; secrets by device id (absent = anonymous). */
export function resolveScenario(s: Scenario, o: { nowMs: number; secrets?: Readonly<Record<string, string>> | undefined }): ResolvedScenario {
  const untilMs = Math.floor(o.nowMs - s.endsAgoH * HOUR);
  const startMs = untilMs - Math.round(s.durationH * HOUR);
  const at = (h: number): number => startMs + Math.round(h * HOUR);
  const events: WeatherEvent[] = s.weather.events.map((e) =>
    e.kind === 'rain' ? { kind: 'rain', startMs: at(e.atH), hours: e.hours, mm: e.mm } : { ...e, fromMs: at(e.fromH), toMs: at(e.toH) },
  );
  const devices = s.devices.flatMap((d) => {
    const ids = d.count && d.count > 1 ? Array.from({ length: d.count }, (_, i) => `${d.id}-${i + 1}`) : [d.id];
    return ids.map((deviceId) => SimDeviceSpec.parse(deviceSpec(d, deviceId, at, o.secrets?.[deviceId])));
  });
  return { startMs, untilMs, devices, intervalS: s.intervalS, speed: s.speed, weather: { rainFactor: s.weather.rainFactor, events, seasonShiftDays: seasonShift(s.season, startMs) } };
}

function deviceSpec(d: ScenarioDevice, deviceId: string, at: (h: number) => number, secret: string | undefined): SimDeviceSpec {
  const { id: _id, count: _count, plantingDaysAgo, faults, offline, flaky, ...rest } = d;
  return {
    ...rest,
    deviceId,
    secret,
    plantingMs: plantingDaysAgo === undefined ? undefined : at(-24 * plantingDaysAgo),
    faults: faults?.map(({ fromH, toH, ...f }): SensorFault => ({ ...f, fromMs: at(fromH), toMs: toH === undefined ? undefined : at(toH) })),
    offline: offline?.map((w) => ({ fromMs: at(w.fromH), toMs: at(w.toH) })),
    flaky: flaky && { dropsPerDay: flaky.dropsPerDay, meanOutageMin: flaky.meanOutageMin, fromMs: flaky.fromH === undefined ? undefined : at(flaky.fromH), toMs: flaky.toH === undefined ? undefined : at(flaky.toH) },
  };
}

/** Days the climate runs ahead so that the scenario's first day is `season` (MM-DD) to it. */
export function seasonShift(season: string | undefined, startMs: number): number {
  if (!season) return 0;
  const [m = 1, d = 1] = season.split('-').map(Number);
  const target = dayOfYear(Date.UTC(2025, m - 1, d) - 7 * HOUR).doy; // a non-leap year
  return (((target - dayOfYear(startMs).doy) % 365) + 365) % 365;
}
