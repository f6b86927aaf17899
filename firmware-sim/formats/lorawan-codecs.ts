// LoRaWAN payload codecs: what the device firmware packs into its few bytes (encode), and the decoder a
// network server runs for the device profile (decode → the `object` / `decoded_payload` of the uplink).
// `fields` is the device-profile mapping the ingest needs from the decoded field to a catalogue metric.
//  - dragino-lse01: the Dragino LSE01 soil moisture & EC sensor (one depth), 11 bytes on port 2, decoded
//    the way Dragino's published decoder does — numbers as toFixed() STRINGS, battery in volts, EC in µS/cm.
//  - ruong-v1: the reference firmware's compact codec for any kind: 4 bytes a reading, [metric id][depth
//    cm][int16 BE value × scale], decoded to catalogue keys (an identity mapping).
import { metricCatalogue } from '../../core/telemetry/metrics.js';
import type { Readings } from '../models/common.js';

/** The same shape as a device profile's field mapping (core/telemetry/device-profile.ts). */
export interface FieldMapping {
  readonly metric: string;
  /** canonical = decoded × scale + offset (defaults 1 and 0). */
  readonly scale?: number;
  readonly offset?: number;
}

export interface LorawanCodec {
  readonly name: string;
  readonly fPort: number;
  encode(readings: Readings): Buffer;
  decode(bytes: Buffer): Record<string, unknown>;
  /** Decoded field → metric, for the readings `encode` carries (undefined: the field names ARE catalogue keys). */
  readonly fields: Readonly<Record<string, FieldMapping>> | undefined;
  /** The Things Stack device repository's normaliser for this codec, when it has one. */
  normalize?(decoded: Record<string, unknown>): Record<string, unknown>[];
}

/** Dragino LSE01 at one depth. Battery % ↔ volts on a 2.5–3.6 V line is [judg] (an ER26500 Li-SOCl2 cell):
 * mV = 2500 + 11·%, so % = V·1000/11 − 2500/11. */
export function draginoLse01(depthCm: number): LorawanCodec {
  const at = (m: string): string => `${m}@${depthCm}cm`;
  return {
    name: 'dragino-lse01',
    fPort: 2,
    fields: {
      water_SOIL: { metric: at('soil_moisture') },
      temp_SOIL: { metric: at('soil_temperature') },
      conduct_SOIL: { metric: 'soil_ec', scale: 0.001 }, // µS/cm → dS/m
      BatV: { metric: 'battery', scale: 1000 / 11, offset: -2500 / 11 },
    },
    normalize: (d) => [{ soil: { depth: depthCm, moisture: Number(d.water_SOIL), temperature: Number(d.temp_SOIL), ec: Number(d.conduct_SOIL) / 1000 } }],
    encode(r) {
      const b = Buffer.alloc(11);
      const moisture = r[at('soil_moisture')];
      b.writeUInt16BE(Math.round(2500 + 11 * (r.battery ?? 0)) & 0x3fff, 0); // mV
      b.writeInt16BE(0, 2); // no DS18B20 probe fitted
      b.writeUInt16BE(Math.round((moisture ?? 0) * 100), 4);
      b.writeInt16BE(Math.round((r[at('soil_temperature')] ?? 0) * 100), 6);
      b.writeUInt16BE(Math.round((r.soil_ec ?? 0) * 1000), 8);
      b.writeUInt8(moisture === undefined ? 0x00 : 0x10, 10); // s_flag: soil probe detected
      return b;
    },
    decode(bytes) {
      const value = bytes.readUInt16BE(4);
      const t = bytes.readUInt16BE(6);
      return {
        BatV: (bytes.readUInt16BE(0) & 0x3fff) / 1000,
        TempC_DS18B20: (bytes.readInt16BE(2) / 10).toFixed(2),
        water_SOIL: (value / 100).toFixed(2),
        temp_SOIL: ((t & 0x8000) >> 15 === 0 ? t / 100 : (t - 0xffff) / 100).toFixed(2),
        conduct_SOIL: bytes.readUInt16BE(8),
        Mod: ((bytes[10] ?? 0) >> 7) & 0x01,
        i_flag: (bytes[10] ?? 0) & 0x0f,
        s_flag: ((bytes[10] ?? 0) >> 4) & 0x01,
      };
    },
  };
}

const metricIds = new Map(metricCatalogue.map((m, i) => [m.name, i + 1]));
const metricById = new Map(metricCatalogue.map((m, i) => [i + 1, m.name]));
const scaleOf = (metric: string): number => (metric === 'water_level' || metric === 'solar_radiation' ? 10 : 100);

export const ruongV1: LorawanCodec = {
  name: 'ruong-v1',
  fPort: 10,
  fields: undefined,
  encode(r) {
    const parts: Buffer[] = [];
    for (const [key, value] of Object.entries(r)) {
      const [name = '', depth] = key.split('@');
      const id = metricIds.get(name);
      if (id === undefined) continue;
      const b = Buffer.alloc(4);
      b.writeUInt8(id, 0);
      b.writeUInt8(depth ? Number.parseInt(depth, 10) : 0, 1);
      b.writeInt16BE(Math.max(-32768, Math.min(32767, Math.round(value * scaleOf(name)))), 2);
      parts.push(b);
    }
    return Buffer.concat(parts);
  },
  decode(bytes) {
    const out: Record<string, number> = {};
    for (let i = 0; i + 4 <= bytes.length; i += 4) {
      const name = metricById.get(bytes.readUInt8(i));
      if (!name) continue;
      const depth = bytes.readUInt8(i + 1);
      out[depth ? `${name}@${depth}cm` : name] = bytes.readInt16BE(i + 2) / scaleOf(name);
    }
    return out;
  },
};

/** The codec a device uses: a single-depth soil probe may be a Dragino LSE01, everything else ruong-v1. */
export function codecFor(name: 'dragino-lse01' | 'ruong-v1' | undefined, depthsCm: readonly number[] | undefined): LorawanCodec {
  if (name === 'dragino-lse01') return draginoLse01(depthsCm?.[0] ?? 20);
  return ruongV1;
}
