// Builds what a device is made of from its spec — the physics model on the shared weather of its place,
// its sensors (with faults), its radio and its network plan — for the fleet runner and for runs without
// a broker (offline-run.ts).
import { createLinkPlan, type LinkPlan } from './connectivity.js';
import { isLorawan, type SimDeviceSpec } from './device-spec.js';
import { createFaultInjector } from './faults.js';
import type { FieldWater } from './field-water.js';
import { createDeviceModel, type DeviceModel } from './models/index.js';
import { createRadio, type Radio } from './radio.js';
import { hashString } from './random.js';
import { createSampler, type Sampler } from './sampler.js';
import { createWeather, type Weather, type WeatherConfig } from './weather.js';

export interface DeviceParts {
  readonly model: DeviceModel;
  readonly sampler: Sampler;
  readonly radio: Radio;
  readonly link: LinkPlan;
  readonly weather: Weather;
}

export type WeatherOverrides = Pick<WeatherConfig, 'events' | 'seasonShiftDays' | 'rainFactor'>;

/** One weather per place (to ~1 km): the rain on the tube is the station's rain. */
export function createWeatherCache(overrides: WeatherOverrides | undefined): (spec: Pick<SimDeviceSpec, 'lat' | 'lonE' | 'elevationM'>) => Weather {
  const weathers = new Map<string, Weather>();
  return (spec) => {
    const place = { lat: Math.round(spec.lat * 100) / 100, lonE: spec.lonE ?? 106, elevationM: Math.round(spec.elevationM ?? 2) };
    const key = `${place.lat}:${place.lonE}:${place.elevationM}`;
    let weather = weathers.get(key);
    if (!weather) weathers.set(key, (weather = createWeather({ ...place, ...overrides })));
    return weather;
  };
}

/**
 * `firstReportMs`: where the device's reports begin (a restart resumes on its old schedule); default staggered after
 * startMs. `fieldWater`: the water of the device's field (its controllers' runs), shared by the devices of the field.
 */
export function createDeviceParts(spec: SimDeviceSpec, weather: Weather, startMs: number, intervalMs: number, firstReportMs?: number, fieldWater?: FieldWater): DeviceParts {
  const seed = spec.seed ?? hashString(spec.deviceId);
  const model = createDeviceModel({ ...spec, seed }, weather, fieldWater);
  const lorawan = isLorawan(spec.format);
  const radio = createRadio({ seed, kind: lorawan ? 'lora' : 'cellular', meanRssiDbm: spec.rssiDbm });
  const sampler = createSampler({
    model,
    weather,
    intervalMs,
    firstReportMs: firstReportMs ?? startMs + (hashString(spec.deviceId) % intervalMs), // staggered, as real fleets are
    faults: spec.faults?.length ? createFaultInjector(spec.faults, seed) : undefined,
    radio: lorawan ? undefined : radio, // a LoRa device's signal is measured by the gateway, not reported
  });
  return { model, sampler, radio, link: createLinkPlan({ offline: spec.offline, flaky: spec.flaky, seed }), weather };
}
