// SenML JSON (RFC 8428) as a sensor would send it (docs/interop.md): a pack with a base name, a base time
// and one record per reading, in SenML's own units (RFC 8428 §12.1, secondary units RFC 8798) — so the
// ingest has to convert: VWC as a ratio `/`, EC in `S/m` (1 dS/m = 0.1 S/m), pressure in `Pa`, canal
// level in `m`. A device with a clock sends absolute times (`bt` in epoch seconds, `t` offsets); a device
// without one sends times RELATIVE to the moment it sends (resolved time < 2^28, negative = in the past),
// which is how it reports readings it buffered. SenML carries no sequence number.
import { parseMetricKey } from '../../core/telemetry/metrics.js';
import { topics } from '../../core/telemetry/topics.js';
import type { Entry, EncodeContext, MqttFormat } from './types.js';

export interface SenmlRecord {
  bn?: string;
  bt?: number;
  n: string;
  u?: string;
  v: number;
  t?: number;
}

/** Catalogue metric → SenML unit and the factor from the canonical value to it. */
export const senmlUnits: Readonly<Record<string, { readonly u: string; readonly factor: number }>> = {
  soil_moisture: { u: '/', factor: 0.01 },
  soil_temperature: { u: 'Cel', factor: 1 },
  soil_ec: { u: 'S/m', factor: 0.1 },
  water_level: { u: 'm', factor: 0.01 },
  water_ec: { u: 'S/m', factor: 0.1 },
  water_temperature: { u: 'Cel', factor: 1 },
  air_temperature: { u: 'Cel', factor: 1 },
  air_humidity: { u: '%RH', factor: 1 },
  wind_speed: { u: 'm/s', factor: 1 },
  solar_radiation: { u: 'W/m2', factor: 1 },
  rain: { u: 'mm', factor: 1 },
  air_pressure: { u: 'Pa', factor: 1000 },
  awd_level: { u: 'cm', factor: 1 },
  battery: { u: '%EL', factor: 1 },
  flow_l: { u: 'l', factor: 1 },
  // water_ph, rssi, pump_on and valve_open have no registered SenML unit: sent without `u`.
};

/** The base name a simulated device uses; a record's resolved name is bn + n, n the catalogue key. */
export const senmlBaseName = (deviceId: string): string => `urn:dev:ruong:${deviceId}:`;

/** Rounds away float noise from unit conversion (1e-9 relative), keeping the sensor's resolution. */
const tidy = (x: number): number => Number.parseFloat(x.toPrecision(12));

export function encodeSenml(entries: readonly Entry[], ctx: EncodeContext): SenmlRecord[] {
  const first = entries[0];
  if (!first) return [];
  // With a clock: bt = the first sample in epoch seconds. Without: bt = how long ago it was taken, negative.
  const bt = ctx.rtc ? first.ts / 1000 : (first.ts - ctx.sentAtMs) / 1000;
  const pack: SenmlRecord[] = [];
  for (const e of entries) {
    const t = tidy((e.ts - first.ts) / 1000);
    for (const [key, value] of Object.entries(e.readings)) {
      const unit = senmlUnits[parseMetricKey(key)?.spec.name ?? ''];
      const rec: SenmlRecord = { n: key, v: unit ? tidy(value * unit.factor) : value };
      if (unit) rec.u = unit.u;
      if (t !== 0) rec.t = t;
      if (pack.length === 0) {
        rec.bn = senmlBaseName(ctx.deviceId);
        if (bt !== 0) rec.bt = bt;
      }
      pack.push(rec);
    }
  }
  return pack;
}

export const senmlFormat: MqttFormat = {
  name: 'senml',
  topic: topics.up,
  statusTopic: true,
  encode: (entries, ctx) => JSON.stringify(encodeSenml(entries, ctx)),
};
