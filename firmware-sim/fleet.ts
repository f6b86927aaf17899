// A generated fleet for load runs (`ruong sim --devices 10000`): farms of 20 devices spread over the
// Mekong Delta and the Central Highlands, each farm with its weather station, the rest soil probes, AWD
// tubes and canal sensors in realistic shares. Credentials: none (an anonymous broker) or from a
// devices file — provision the devices first and pass what `ruong provision` printed.
import { z } from 'zod';
import { RuongError } from '../core/errors.js';
import { DeviceFormat, SimDeviceSpec } from './device-spec.js';
import { hashInts, mulberry32 } from './random.js';

const FARM_SIZE = 20;
const regions = [
  { lat: 9.55, lonE: 105.98, elevationM: 1, kinds: ['awd_tube', 'awd_tube', 'awd_tube', 'canal_sensor', 'soil_probe'] as const, crop: 'rice', soil: 'silty clay' },
  { lat: 12.82, lonE: 108.08, elevationM: 520, kinds: ['soil_probe', 'soil_probe', 'soil_probe', 'soil_probe', 'canal_sensor'] as const, crop: 'coffee', soil: 'clay' },
];

export interface FleetOptions {
  readonly count: number;
  readonly prefix?: string | undefined;
  readonly format?: DeviceFormat | 'mixed' | undefined;
  readonly seed?: number | undefined;
}

const mixedFormats: readonly DeviceFormat[] = ['native', 'native', 'native', 'senml', 'thingsboard'];

/** N device specs without secrets: `sim-00001` …, deterministic for a seed. */
export function generateFleet(o: FleetOptions): SimDeviceSpec[] {
  const width = String(o.count).length;
  return Array.from({ length: o.count }, (_, i) => {
    const farm = Math.floor(i / FARM_SIZE);
    const region = regions[farm % regions.length] ?? regions[0];
    if (!region) throw new Error('no region');
    const r = mulberry32(hashInts(o.seed ?? 6, farm));
    const lat = region.lat + (r() - 0.5) * 1.2; // farms within ±0.6° of the region's centre
    const lonE = region.lonE + (r() - 0.5) * 1.2;
    const kind = i % FARM_SIZE === 0 ? 'weather_station' : (region.kinds[i % region.kinds.length] ?? 'soil_probe');
    const format = o.format === 'mixed' ? mixedFormats[i % mixedFormats.length] : (o.format ?? 'native');
    return {
      deviceId: `${o.prefix ?? 'sim'}-${String(i + 1).padStart(Math.max(5, width), '0')}`,
      kind,
      lat: Math.round(lat * 1000) / 1000,
      lonE: Math.round(lonE * 1000) / 1000,
      elevationM: region.elevationM,
      depthsCm: kind === 'soil_probe' ? [20, 50] : undefined,
      soilTexture: region.soil,
      crop: region.crop,
      format,
    };
  });
}

/** A devices file: `[{deviceId, secret, …any SimDeviceSpec field}]` or `{"<deviceId>": "<secret>"}`. */
export const DevicesFile = z.union([
  z.array(z.object({ deviceId: z.string(), secret: z.string().min(1) }).loose()).min(1),
  z.record(z.string(), z.string().min(1)),
]);

export function parseDevicesFile(json: unknown, source: string): { secrets: Record<string, string>; specs: Record<string, unknown>[] } {
  const parsed = DevicesFile.safeParse(json);
  if (!parsed.success) throw new RuongError('CONFIG_INVALID', `${source}: expected [{deviceId, secret, …}] or {deviceId: secret}`);
  if (!Array.isArray(parsed.data)) return { secrets: parsed.data, specs: Object.entries(parsed.data).map(([deviceId, secret]) => ({ deviceId, secret })) };
  return { secrets: Object.fromEntries(parsed.data.map((d) => [d.deviceId, d.secret])), specs: parsed.data };
}

/** The generated fleet with the file's devices (credentials, and any fields they set) in its first places. */
export function fleetWithCredentials(o: FleetOptions, file: { specs: Record<string, unknown>[] } | undefined): SimDeviceSpec[] {
  const generated = generateFleet({ ...o, count: Math.max(o.count, file?.specs.length ?? 0) });
  if (!file) return generated;
  return generated.map((g, i) => {
    const own = file.specs[i];
    return own ? SimDeviceSpec.parse({ ...g, ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== null && v !== undefined)) }) : g;
  });
}
