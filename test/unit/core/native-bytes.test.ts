// The native payload read from its bytes (core/telemetry/decoders/native-bytes.ts, issue 19) must give exactly
// what the general path (toString + JSON.parse + zod) gives: the same readings, the same rejected values with the
// same reasons, the same DecodeError for a message rejected whole. decode() takes the byte path for a Buffer and
// the general one for a string of the same bytes, so every case here runs through both and is compared.
import { describe, expect, it } from 'vitest';
import { createNativeScan, scanNative } from '../../../core/telemetry/decoders/native-bytes.js';
import { decode, type DecodeContext, type Decoded } from '../../../core/telemetry/decoders/index.js';

const now = Date.parse('2026-03-10T03:00:00Z');
const tenancy = { fieldId: 'field-a', farmId: 'farm-a', cooperativeId: 'coop-a' };
const ctx: DecodeContext = {
  resolveDevice: (ref) => {
    if (ref.deviceId === 'probe-1') return { deviceId: 'probe-1', tenancy };
    if (ref.deviceId === 'gone-1') return { deviceId: 'gone-1', revoked: true };
    return undefined;
  },
  maxAgeMs: 30 * 86_400_000,
};

type Outcome = { decoded: Decoded } | { error: { name: string; code: string; message: string; format: unknown; deviceId: unknown } };

function outcome(payload: Buffer | string, device = 'probe-1'): Outcome {
  try {
    return { decoded: decode({ topic: `devices/${device}/up`, payload, receivedAt: now }, ctx) };
  } catch (err) {
    const e = err as { name: string; code: string; message: string; format: unknown; deviceId: unknown };
    return { error: { name: e.name, code: e.code, message: e.message, format: e.format, deviceId: e.deviceId } };
  }
}

/** Both paths over the same bytes; returns whether the byte path read them itself (else it fell back). */
function expectSame(bytes: Buffer, device = 'probe-1'): boolean {
  const fast = outcome(bytes, device);
  const general = outcome(bytes.toString('utf8'), device);
  expect(fast, bytes.toString('utf8')).toEqual(general);
  // toEqual does not tell -0 from 0 in every version: compare the values' signs too
  if ('decoded' in fast && 'decoded' in general) {
    expect(fast.decoded.readings.map((r) => Object.is(r.value, -0))).toEqual(general.decoded.readings.map((r) => Object.is(r.value, -0)));
  }
  return scanNative(bytes, createNativeScan());
}

const ts = now - 60_000;

describe('the native payload read from its bytes', () => {
  it('reads the common shape itself, with the values JSON.parse gives', () => {
    const cases = [
      `{"ts":${ts},"seq":7,"readings":{"soil_moisture@20cm":23.4,"soil_temperature@20cm":25.1,"soil_ec@20cm":0.82,"battery":87}}`,
      `{"readings":{"battery":88}}`,
      `{"seq":0,"readings":{"awd_level":-3.25},"ts":${ts}}`,
      ` {\n\t"ts" : ${ts} ,\r\n "readings" : { "air_temperature" : -0 , "rain" : 0.1 } } \n`,
      `{"ts":${ts},"readings":{"air_humidity":104.5,"soil_moisture":59.99999999999,"water_ph":7.000000000001}}`,
      `{"ts":${ts},"readings":{"water_level":123456789012345,"wind_speed":0.00000000000001}}`,
    ];
    for (const c of cases) expect(expectSame(Buffer.from(c)), c).toBe(true);
    const decoded = (outcome(Buffer.from(cases[0]!)) as { decoded: Decoded }).decoded;
    expect(decoded.readings).toEqual([
      { deviceId: 'probe-1', metric: 'soil_moisture@20cm', ts, value: 23.4, seq: 7, flags: undefined, ...tenancy },
      { deviceId: 'probe-1', metric: 'soil_temperature@20cm', ts, value: 25.1, seq: 7, flags: undefined, ...tenancy },
      { deviceId: 'probe-1', metric: 'soil_ec@20cm', ts, value: 0.82, seq: 7, flags: undefined, ...tenancy },
      { deviceId: 'probe-1', metric: 'battery', ts, value: 87, seq: 7, flags: undefined, ...tenancy },
    ]);
  });

  it('rejects bad values alone with the same reasons, and bad messages whole with the same error', () => {
    const same = [
      `{"ts":${ts},"readings":{"soil_moisture":75,"air_temperature":31,"soil_mosture":20,"battery@10cm":50}}`,
      `{"ts":${now + 6 * 60_000},"readings":{"rain":0.4}}`,
      `{"ts":1000,"readings":{"rain":0.4}}`,
      `{"ts":${ts},"readings":{"__proto__":1,"constructor":2}}`,
    ];
    for (const c of same) expect(expectSame(Buffer.from(c)), c).toBe(true);
    const whole = [
      '', 'nope', '{', '{}', '[]', 'null', '{"ts":1, readings', `{"ts":${ts},"readings":{}}`,
      `{"ts":${ts},"readings":{"soil_moisture":"23"}}`, `{"ts":${ts},"values":{"a":1}}`, `{"ts":-1,"readings":{"rain":1}}`,
      `{"ts":1.5,"readings":{"rain":1}}`, `{"ts":${ts},"readings":{"rain":1}}x`, `{"ts":${ts},"readings":{"rain":01}}`,
      `{"ts":${ts},"readings":{"rain":1.}}`, `{"ts":${ts},"readings":{"rain":.5}}`, `{"ts":${ts},"readings":{"rain":1e400}}`,
      `{"ts":${ts},"readings":{"rain":+1}}`, `{"ts":${ts},"readings":{"rain":1,}}`, `{"ts":${ts},,"readings":{"rain":1}}`,
      `{"ts":"2026-03-10T01:00:00Z","readings":{"rain":1}}`, `{"ts":"yesterday","readings":{"rain":1}}`,
      `[{"ts":${ts},"readings":{"rain":1}}]`, `{"ts":${ts},"readings":{"rain":1},"ts":${ts + 1}}`,
      `{"ts":${ts},"readings":{"rain":1,"rain":2}}`, `{"ts":${ts},"readings":{"1":1,"rain":2}}`,
      `{"ts":${ts},"readings":{"r\\u0061in":1}}`, `{"ts":${ts},"readings":{"mưa":1}}`, `{"ts":${ts},"readings":{"${'x'.repeat(65)}":1}}`,
      `{"ts":${ts},"readings":{${Array.from({ length: 65 }, (_, i) => `"m${i}":1`).join(',')}}}`,
      `{"ts":${ts},"seq":1.0,"readings":{"rain":1}}`, `{"ts":${ts},"seq":null,"readings":{"rain":1}}`,
      `{"ts":${ts},"readings":{"rain":1.2345678901234567}}`, `{"ts":${ts},"readings":{"rain":2E1}}`,
    ];
    for (const c of whole) expectSame(Buffer.from(c));
    // (byte order marks, invalid UTF-8)
    expectSame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"readings":{"rain":1}}`)]));
    expectSame(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
  });

  it('names an unknown or revoked device as the general path does', () => {
    const body = Buffer.from(`{"ts":${ts},"readings":{"rain":1}}`);
    expect(expectSame(body, 'nobody-1')).toBe(true);
    expect(expectSame(body, 'gone-1')).toBe(true);
    expect(outcome(body, 'gone-1')).toMatchObject({ error: { code: 'DEVICE_REVOKED' } });
  });

  it('agrees with the general path over fuzzed payloads', () => {
    let seed = 19;
    const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
    const names = ['soil_moisture@20cm', 'soil_temperature', 'soil_ec@10cm', 'battery', 'rain', 'air_humidity', 'rssi', 'awd_level', 'nope', 'Soil', '_x', 'a b', 'battery@10cm'];
    const number = () => rand() < 0.8 ? `${pick(['', '', '-'])}${Math.floor(rand() * 100)}${pick(['', `.${digits(1 + Math.floor(rand() * 4))}`])}` : pick([
      () => String(Math.floor(rand() * 100)),
      () => `${pick(['', '-'])}${Math.floor(rand() * 1000)}.${digits(1 + Math.floor(rand() * 16))}`,
      () => `${pick(['', '-'])}0.${digits(1 + Math.floor(rand() * 20))}`,
      () => digits(1 + Math.floor(rand() * 18)),
      () => String((rand() - 0.5) * 10 ** Math.floor(rand() * 30 - 15)),
      () => `${Math.floor(rand() * 10)}e${Math.floor(rand() * 5)}`,
      () => pick(['-0', '0', '-0.0', 'true', 'null', '"1"', '[]', '{}']),
    ])();
    const ws = () => pick(['', '', '', ' ', '\n', '\t', '\r\n ']);
    const entry = (): string => {
      const fields: string[] = [];
      if (rand() < 0.9) fields.push(`"ts"${ws()}:${ws()}${rand() < 0.8 ? String(ts - Math.floor(rand() * 1e6)) : pick([String(ts - Math.floor(rand() * 1e9)), String(now + Math.floor(rand() * 1e6)), `"2026-03-10T01:00:00Z"`, '1.5', '-3', digits(17), '0', '00'])}`);
      if (rand() < 0.8) fields.push(`"seq"${ws()}:${ws()}${rand() < 0.8 ? String(Math.floor(rand() * 1e6)) : pick([String(Math.floor(rand() * 1e6)), '0', '-1', '2.0', '9007199254740993'])}`);
      const n = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * 4);
      const pairs = Array.from({ length: n }, () => `${ws()}"${pick(names)}"${ws()}:${ws()}${number()}${ws()}`);
      if (rand() < 0.95) fields.push(`"readings"${ws()}:${ws()}{${pairs.join(',')}}`);
      if (rand() < 0.03) fields.push(`"extra":1`);
      for (let i = fields.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [fields[i], fields[j]] = [fields[j]!, fields[i]!]; }
      return `${ws()}{${ws()}${fields.join(`${ws()},${ws()}`)}${ws()}}${ws()}`;
    };
    let read = 0;
    const runs = 10_000;
    for (let i = 0; i < runs; i++) {
      let bytes = Buffer.from(entry());
      if (rand() < 0.15) { // a damaged message: a byte changed, cut short, or one inserted
        const at = Math.floor(rand() * bytes.length);
        const kind = rand();
        if (kind < 0.4) bytes[at] = Math.floor(rand() * 256);
        else if (kind < 0.7) bytes = bytes.subarray(0, at);
        else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(['"', ',', '}', '{', '\\', '.', 'e', '-', '0', ' ', '\u00e9']) ), bytes.subarray(at)]);
      }
      if (expectSame(bytes)) read++;
    }
    // both paths were exercised: most generated messages are read from the bytes, many fall back
    expect(read).toBeGreaterThan(runs * 0.2);
    expect(read).toBeLessThan(runs * 0.9);
  });
});
