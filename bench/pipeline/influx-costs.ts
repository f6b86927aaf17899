// `node --import tsx bench/pipeline/influx-costs.ts [points]` — what influxd itself spends per point written,
// for the shapes and options of the ingest's writes (issue 4: "measure influxd's µs per message"): one private
// influxd (test/helpers/influxd.ts's config), pre-built bodies POSTed back to back by one writer, influxd's CPU
// (utime + stime from /proc) over each variant divided by its points. Every variant writes to its own new
// database unless it says "again" (the same points once more: series and shards already exist).
//   throughput shape: 1,000 devices × 4 metrics, 1 s apart (bench:pipeline's throughput run)
//   storm shape:      10,000 devices × 4 metrics × 36 readings 10 min apart (the reconnect storm)
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startKillableInfluxd } from '../../test/helpers/influxd-killable.js';

const points = Number(process.argv[2] ?? 400_000);
const METRICS = ['soil_moisture@20cm', 'soil_temperature@20cm', 'soil_ec@20cm', 'battery'];

interface Shape { devices: number; stepMs: number; order: 'arrival' | 'series' }
interface Variant { name: string; shape: Shape; perBody: number; seq: boolean; precision: 'ms' | 's'; gzip: boolean; again?: boolean }

function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

/** Lines in the order the ingest writes them: message after message, each device's messages in turn. */
function lines(v: Variant, t0: number): string[] {
  const { devices, stepMs } = v.shape;
  const perDevice = Math.ceil(points / 4 / devices);
  const out: string[] = [];
  const line = (d: number, n: number, m: number) => {
    const ts = t0 + n * stepMs;
    const time = v.precision === 's' ? Math.floor(ts / 1000) : ts;
    return `readings,cooperative=coop-bench,device=raw-${String(d).padStart(5, '0')},farm=farm-bench,field=field-bench,metric=${METRICS[m]} value=${20 + ((d + n + m) % 97) / 10}${v.seq ? `,seq=${n}i` : ''} ${time}`;
  };
  if (v.shape.order === 'series') {
    for (let d = 0; d < devices; d++) for (let m = 0; m < 4; m++) for (let n = 0; n < perDevice; n++) out.push(line(d, n, m));
  } else {
    for (let n = 0; n < perDevice; n++) for (let d = 0; d < devices; d++) for (let m = 0; m < 4; m++) out.push(line(d, n, m));
  }
  return out.slice(0, points);
}

async function main(): Promise<void> {
  const influxd = await startKillableInfluxd();
  const throughput: Shape = { devices: 1000, stepMs: 1000, order: 'arrival' };
  const storm: Shape = { devices: 10_000, stepMs: 600_000, order: 'arrival' };
  const base = { perBody: 5000, seq: true, precision: 'ms' as const, gzip: false };
  const variants: Variant[] = [
    { name: 'throughput shape, 5,000 lines per body (the ingest today)', shape: throughput, ...base },
    { name: '  the same points again', shape: throughput, ...base, again: true },
    { name: '  1,000 lines per body', shape: throughput, ...base, perBody: 1000 },
    { name: '  20,000 lines per body', shape: throughput, ...base, perBody: 20_000 },
    { name: '  gzip-compressed bodies', shape: throughput, ...base, gzip: true },
    { name: '  precision s instead of ms', shape: throughput, ...base, precision: 's' },
    { name: '  without the seq field', shape: throughput, ...base, seq: false },
    { name: 'storm shape (10,000 devices, 6 h), new series', shape: storm, ...base },
    { name: '  the same points again (series exist)', shape: storm, ...base, again: true },
    { name: '  sorted by series within the run', shape: { ...storm, order: 'series' }, ...base },
  ];
  const t0 = Date.now() - 7 * 3_600_000;
  let db = '';
  const rows: { variant: string; points: number; bodies: number; influxdUsPerPoint: number; pointsPerSec: number }[] = [];
  try {
    for (const [i, v] of variants.entries()) {
      if (!v.again) {
        db = `costs_${i}`;
        await fetch(`${influxd.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }) });
      }
      const all = lines(v, t0);
      const bodies: (string | Buffer)[] = [];
      for (let at = 0; at < all.length; at += v.perBody) {
        const text = all.slice(at, at + v.perBody).join('\n');
        bodies.push(v.gzip ? gzipSync(text) : text);
      }
      const headers: Record<string, string> = v.gzip ? { 'content-encoding': 'gzip' } : {};
      const url = `${influxd.url}/write?db=${db}&precision=${v.precision}`;
      const pid = influxd.pid()!;
      const cpu0 = cpuUs(pid);
      const start = performance.now();
      for (const body of bodies) {
        const res = await fetch(url, { method: 'POST', headers, body });
        if (res.status !== 204) throw new Error(`write failed: ${res.status} ${await res.text()}`);
      }
      const seconds = (performance.now() - start) / 1000;
      rows.push({ variant: v.name, points: all.length, bodies: bodies.length, influxdUsPerPoint: Number(((cpuUs(pid) - cpu0) / all.length).toFixed(2)), pointsPerSec: Math.round(all.length / seconds) });
      console.log(JSON.stringify(rows.at(-1)));
    }
  } finally {
    await influxd.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
