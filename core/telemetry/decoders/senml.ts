// SenML JSON (RFC 8428) on `devices/{id}/up`: a pack is a JSON array of records, which is how it is told
// apart from the native payload (an object, or an array of objects with `readings`).
// - Base fields bn, bt, bu, bv, bs apply to their record and every later one until changed (§4.1).
// - Resolved name = bn + n; the metric is its last segment after ':' or '/', so a device may send
//   bn "urn:dev:mac:0024befffe804ff1:" with n "soil_moisture@20cm".
// - Resolved time = bt + t (seconds); below 2^28 it is RELATIVE to now (§4.5.3) — a device without a
//   clock reports buffered readings as negative offsets from the receive time; a record with neither
//   bt nor t is "now", i.e. the receive time, flagged no_device_time.
// - Value = bv + v, or bs + s for a sum; vs/vb/vd are not numbers and are rejected per value.
// - Units: u or bu, converted to the canonical unit (core/telemetry/units.ts).
// - Fields ending in `_` are must-understand extensions (§4.4): the pack is rejected.
import { z } from 'zod';
import { RuongError } from '../../errors.js';
import { parseDeviceTopic } from '../topics.js';
import { invalid, type FormatDecoder, type ParsedMessage, type Sample } from './decoder.js';

const RELATIVE_LIMIT_S = 2 ** 28; // RFC 8428 §4.5.3
const MAX_RECORDS = 5_000;

const num = z.number().finite();
export const SenmlRecord = z.object({
  bn: z.string().max(256).optional(),
  bt: num.optional(),
  bu: z.string().max(32).optional(),
  bv: num.optional(),
  bs: num.optional(),
  bver: z.number().int().optional(),
  n: z.string().max(256).optional(),
  u: z.string().max(32).optional(),
  v: num.optional(),
  vs: z.string().optional(),
  vb: z.boolean().optional(),
  vd: z.string().optional(),
  s: num.optional(),
  t: num.optional(),
  ut: num.optional(),
});
export type SenmlRecord = z.infer<typeof SenmlRecord>;
export const SenmlPack = z.array(SenmlRecord).min(1).max(MAX_RECORDS);

/** True when a parsed payload looks like a SenML pack rather than a native payload. */
export function looksLikeSenml(json: unknown): boolean {
  if (!Array.isArray(json) || json.length === 0) return false;
  const first: unknown = json[0];
  if (first === null || typeof first !== 'object' || 'readings' in first) return false;
  return ['bn', 'bt', 'bu', 'bv', 'bs', 'bver', 'n', 'v', 't', 'u', 'vs', 'vb', 'vd', 's'].some((k) => k in first);
}

function metricOf(name: string): string {
  const cut = Math.max(name.lastIndexOf(':'), name.lastIndexOf('/'));
  return name.slice(cut + 1);
}

/** Resolves every record of a pack (RFC 8428 §4.6) into samples. */
export function senmlSamples(pack: readonly SenmlRecord[], receivedAt: number): Sample[] {
  const base = { bn: '', bt: undefined as number | undefined, bu: undefined as string | undefined, bv: 0, bs: 0 };
  const samples: Sample[] = [];
  for (const rec of pack) {
    if (rec.bn !== undefined) base.bn = rec.bn;
    if (rec.bt !== undefined) base.bt = rec.bt;
    if (rec.bu !== undefined) base.bu = rec.bu;
    if (rec.bv !== undefined) base.bv = rec.bv;
    if (rec.bs !== undefined) base.bs = rec.bs;
    const hasValue = rec.v !== undefined || rec.s !== undefined || rec.vs !== undefined || rec.vb !== undefined || rec.vd !== undefined;
    if (!hasValue) continue; // a record carrying only base fields
    const name = base.bn + (rec.n ?? '');
    const value: unknown = rec.v !== undefined ? base.bv + rec.v : rec.s !== undefined ? base.bs + rec.s : (rec.vs ?? rec.vb ?? rec.vd);
    let ts: number | undefined;
    if (base.bt !== undefined || rec.t !== undefined) {
      const t = (base.bt ?? 0) + (rec.t ?? 0);
      ts = Math.round(t < RELATIVE_LIMIT_S ? receivedAt + t * 1000 : t * 1000);
    }
    samples.push({ metric: metricOf(name), value, unit: rec.u ?? base.bu, ts });
  }
  return samples;
}

export const senmlDecoder: FormatDecoder = {
  format: 'senml',
  match(topic) {
    const t = parseDeviceTopic(topic);
    return t && t.kind === 'up' ? { deviceRef: { deviceId: t.deviceId } } : undefined;
  },
  parse(json, match, receivedAt): ParsedMessage {
    const parsed = SenmlPack.safeParse(json);
    if (!parsed.success) throw invalid('SenML', parsed.error.issues);
    for (const rec of json as Record<string, unknown>[]) {
      const mustUnderstand = Object.keys(rec).find((k) => k.endsWith('_'));
      if (mustUnderstand) throw new RuongError('PAYLOAD_INVALID', `SenML field "${mustUnderstand}" must be understood and is not (RFC 8428 §4.4)`);
    }
    const samples = senmlSamples(parsed.data, receivedAt);
    return { deviceRef: match.deviceRef, samples: () => samples };
  },
};

/** Encodes samples as a SenML pack with a base name and base time — for tests and the simulator. */
export function encodeSenml(bn: string, bt: number | undefined, records: readonly { n: string; v: number; u?: string; t?: number }[]): string {
  const pack: Record<string, unknown>[] = records.map((r) => ({ n: r.n, v: r.v, ...(r.u ? { u: r.u } : {}), ...(r.t !== undefined ? { t: r.t } : {}) }));
  if (pack[0]) Object.assign(pack[0], { bn, ...(bt !== undefined ? { bt } : {}) });
  return JSON.stringify(pack);
}
