// Issue 16: how long after `ruong start` on a new DATA_DIR the demo farm looks alive, seen through the HTTP API the
// dashboard calls: (a) every demo device online and no field card offline, (b) every chart of every field page with
// ≥ 7 days of data (readings series over the "7 ngày" range, and 7 past days of ET0 and rain bars).
//   node --import tsx bench/first-run/run.ts [--repo DIR] [--dist] [--timeout S]
// --repo: the checkout to start (another commit's worktree for a before/after); --dist: `node dist/cli/main.js start`
// (what `npm start` runs after its build) instead of the sources through tsx. One JSON line per milestone.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { repo: { type: 'string' }, dist: { type: 'boolean' }, timeout: { type: 'string' } } });
const repo = resolve(args.repo ?? '.');
const timeoutMs = Number(args.timeout ?? 900) * 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHART_METRICS = /^(soil_moisture(@\d+cm)?|awd_level|water_ec)$/;
const PASSWORD = 'first-run-bench';

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

async function get<T>(base: string, path: string, token: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** (a): devices offline and fields whose card would say offline (newest reading older than 1 h, data.js). */
async function offline(base: string, token: string): Promise<string[]> {
  const out: string[] = [];
  const health = await get<{ devices: { id: string; online: boolean }[] }>(base, '/api/v1/device-health', token);
  for (const d of health.devices) if (!d.online) out.push(d.id);
  const { fields } = await get<{ fields: { id: string }[] }>(base, '/api/v1/fields', token);
  for (const f of fields) {
    const { readings } = await get<{ readings: { ts: string }[] }>(base, `/api/v1/fields/${f.id}/latest`, token);
    const newest = Math.max(0, ...readings.map((r) => Date.parse(r.ts)));
    if (Date.now() - newest > HOUR) out.push(`card ${f.id}`);
  }
  return out;
}

/** (b): charts of a field page with less than 7 days. */
async function shortCharts(base: string, token: string): Promise<string[]> {
  const out: string[] = [];
  const to = Date.now();
  const from = to - 7 * DAY;
  const { fields } = await get<{ fields: { id: string }[] }>(base, '/api/v1/fields', token);
  for (const f of fields) {
    const { readings } = await get<{ readings: { metric: string }[] }>(base, `/api/v1/fields/${f.id}/latest`, token);
    for (const metric of new Set(readings.map((r) => r.metric).filter((m) => CHART_METRICS.test(m)))) {
      const s = await get<{ series: { ts: number[] }[] }>(base, `/api/v1/fields/${f.id}/readings?metric=${encodeURIComponent(metric)}&from=${from}&to=${to}`, token);
      const ts = s.series.flatMap((x) => x.ts);
      if (ts.length === 0 || Math.min(...ts) > from + 3 * HOUR) out.push(`${f.id} ${metric}`);
    }
    const daily = await get<{ days: { et0Mm: number | null; rainMm: number | null }[] }>(base, `/api/v1/fields/${f.id}/daily?days=8`, token);
    if (daily.days.filter((d) => d.et0Mm !== null && d.rainMm !== null).length < 7) out.push(`${f.id} ET0/rain`);
  }
  return out;
}

const dataDir = mkdtempSync(join(tmpdir(), 'ruong-first-run-'));
const [http, mqtt] = [await freePort(), await freePort()];
const command = args.dist ? ['dist/cli/main.js', 'start'] : ['--import', 'tsx', 'cli/main.ts', 'start'];
const started = Date.now();
const child = spawn(process.execPath, command, {
  cwd: repo, stdio: ['ignore', 'ignore', 'inherit'],
  env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), MQTT_HOST: '127.0.0.1', MQTT_PORT: String(mqtt), MQTT_WS_PORT: '0', PUBLIC_HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_PASSWORD: PASSWORD },
});
const base = `http://127.0.0.1:${http}`;
const seconds = () => Math.round((Date.now() - started) / 100) / 10;
const done: { online?: number; charts?: number } = {};
let token: string | undefined;
const last: { offline: string[]; charts: string[] } = { offline: [], charts: [] };
try {
  while (Date.now() - started < timeoutMs && (done.online === undefined || done.charts === undefined)) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      token ??= await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo', password: PASSWORD }) })
        .then(async (r) => (r.ok ? ((await r.json()) as { token: string }).token : undefined));
      if (!token) continue;
      if (done.online === undefined) {
        last.offline = await offline(base, token);
        if (last.offline.length === 0) console.log(JSON.stringify({ milestone: 'every demo device and card online', s: (done.online = seconds()) }));
      }
      if (done.charts === undefined) {
        last.charts = await shortCharts(base, token);
        if (last.charts.length === 0) console.log(JSON.stringify({ milestone: 'every field chart ≥ 7 days', s: (done.charts = seconds()) }));
      }
    } catch {
      // not up yet
    }
  }
  if (done.online === undefined || done.charts === undefined) {
    console.log(JSON.stringify({ timeoutS: timeoutMs / 1000, online: done.online ?? null, charts: done.charts ?? null, stillOffline: last.offline, stillShort: last.charts }));
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
