// InfluxDB's raw write ceiling on this machine: the points the pipeline's devices send, as line protocol built
// by the ingest's own encoder (core/store/influx-lines.ts) before the clock starts, POSTed back to back by
// `concurrency` writers, `perBody` lines per POST, into the store's schema (retention policy ruong_raw,
// precision ms). Same tags, fields and line bytes as the ingest writes for those messages (checkCeilingShape
// compares them with the load generator's real PUBLISH decoded by the ingest's decoder): `devices` devices ×
// 4 metrics = 4 × devices series, point n of a series at t0 + n s with seq n, in arrival order (message after
// message) — every point unique. Afterwards InfluxDB must count every point sent, or the bench fails.
// (Until issue 19 the generator wrote `device = i % 1000`, `metric = i % 4`: 1,000 series with every point
// four times, of which InfluxDB kept a quarter — a ceiling of overwrites, not of stored points.)
import mqttPacket from 'mqtt-packet';
import { createLineBuilder } from '../../core/store/influx-lines.js';
import { decode } from '../../core/telemetry/decoders/index.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { BENCH_METRICS, benchValues } from './bench-values.js';
import { deviceStream } from './loadgen.js';
import { benchDeviceId } from './setup.js';

export interface CeilingResult { readonly concurrency: number; readonly perBody: number; readonly points: number; readonly series: number; readonly seconds: number; readonly pointsPerSec: number; readonly counted: number }

const TENANCY = { fieldId: 'field-bench', farmId: 'farm-bench', cooperativeId: 'coop-bench' };

/** The stored readings of message `n` (seq n, ts t0 + n·step) of bench device `d`. */
export function messageReadings(d: number, n: number, t0: number, stepMs: number): StoredReading[] {
  const deviceId = benchDeviceId(d);
  const values = benchValues(d, n);
  return BENCH_METRICS.map((metric, i) => ({ deviceId, metric, ts: t0 + n * stepMs, value: values[i]!, seq: n, flags: undefined, ...TENANCY }));
}

/**
 * Throws unless the ceiling's lines for a message are byte for byte the lines the ingest builds from the load
 * generator's PUBLISH of that message (decoded by core/telemetry/decoders, as the ingest does).
 */
export function checkCeilingShape(t0: number): void {
  const lines = createLineBuilder();
  for (const d of [0, 7, 999]) {
    const { bytes, packetBytes } = deviceStream(d, 60, t0, 1000);
    for (const n of [1, 3, 51, 60]) {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      let payload: Buffer | undefined;
      parser.on('packet', (p) => { if (p.cmd === 'publish') payload = p.payload as Buffer; });
      parser.parse(bytes.subarray((n - 1) * packetBytes, n * packetBytes));
      if (!payload) throw new Error('ceiling check: no PUBLISH parsed');
      const decoded = decode({ topic: `devices/${benchDeviceId(d)}/up`, payload, receivedAt: Date.now() }, {
        resolveDevice: (ref) => ({ deviceId: ref.deviceId ?? '', revoked: false, tenancy: TENANCY }),
      });
      const ingest = lines.encode(decoded.readings as StoredReading[]);
      const a = ingest.bytes.subarray(0, ingest.starts.at(-1)).toString();
      const ceiling = lines.encode(messageReadings(d, n, t0, 1000));
      const b = ceiling.bytes.subarray(0, ceiling.starts.at(-1)).toString();
      if (a !== b) throw new Error(`ceiling lines differ from the ingest's (device ${d}, message ${n}):\n${a}\nvs\n${b}`);
    }
  }
}

/** `points` points in arrival order (message n of every device, then n + 1 …) as bodies of `perBody` lines. */
function bodies(points: number, perBody: number, devices: number, t0: number): Buffer[] {
  const lines = createLineBuilder();
  const out: Buffer[] = [];
  let batch: StoredReading[] = [];
  const cut = () => {
    const encoded = lines.encode(batch);
    out.push(Buffer.from(encoded.bytes.subarray(0, encoded.starts[batch.length])));
    batch = [];
  };
  let made = 0;
  for (let message = 0; made < points; message++) {
    for (const r of messageReadings(message % devices, Math.floor(message / devices) + 1, t0, 1000)) {
      if (made === points) break;
      batch.push(r);
      made++;
      if (batch.length === perBody) cut();
    }
  }
  if (batch.length) cut();
  return out;
}

async function influxql(baseUrl: string, db: string, q: string): Promise<{ results: { series?: { values: [string, number][] }[]; error?: string }[] }> {
  const res = await fetch(`${baseUrl}/query`, { method: 'POST', body: new URLSearchParams({ db, q }) });
  return (await res.json()) as { results: { series?: { values: [string, number][] }[]; error?: string }[] };
}

/** Points of the bench's readings measurement in a database (what the pipeline's store and the ceiling write). */
export async function countReadings(baseUrl: string, db: string): Promise<number> {
  const json = await influxql(baseUrl, db, 'SELECT count("value") FROM "ruong_raw"."readings"');
  if (json.results[0]?.error) throw new Error(`count in ${db}: ${json.results[0].error}`);
  return json.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

export async function rawCeiling(baseUrl: string, db: string, points: number, concurrency: number, perBody = 20_000, devices = 1000): Promise<CeilingResult> {
  await influxql(baseUrl, db, `CREATE DATABASE "${db}"`);
  await influxql(baseUrl, db, `CREATE RETENTION POLICY "ruong_raw" ON "${db}" DURATION 2160h REPLICATION 1 DEFAULT`);
  const perSeries = Math.ceil(points / 4 / devices);
  const all = bodies(points, perBody, devices, Date.now() - (perSeries + 60) * 1000);
  let next = 0;
  const url = `${baseUrl}/write?db=${db}&rp=ruong_raw&precision=ms`;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < all.length) {
      const body = all[next++]!;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body });
      if (res.status !== 204) throw new Error(`raw write failed: ${res.status} ${await res.text()}`);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const counted = await countReadings(baseUrl, db);
  if (counted !== points) throw new Error(`raw ceiling ${db}: sent ${points} unique points, InfluxDB counts ${counted} — the ceiling would not be of stored points`);
  await influxql(baseUrl, db, `DROP DATABASE "${db}"`); // its compactions must not weigh on the next measurement
  return { concurrency, perBody, points, series: Math.min(points, 4 * devices), seconds, pointsPerSec: points / seconds, counted };
}
