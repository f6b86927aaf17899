// InfluxDB's raw write ceiling on this machine: pre-built line-protocol bodies (the ingest's own line shape:
// 5 tags, value + seq) POSTed back to back by `concurrency` writers, `perBody` lines per POST (the ingest
// writes up to 20,000; influxd spends ~12 % less per point on those than on 5,000-line bodies, so the ceiling
// is taken over both sizes). Building the bodies is not timed.
export interface CeilingResult { readonly concurrency: number; readonly perBody: number; readonly points: number; readonly seconds: number; readonly pointsPerSec: number }

function bodies(points: number, perBody: number, t0: number): string[] {
  const metrics = ['soil_moisture@20cm', 'soil_temperature@20cm', 'soil_ec@20cm', 'battery'];
  const out: string[] = [];
  let lines: string[] = [];
  for (let i = 0; i < points; i++) {
    const device = `raw-${String(i % 1000).padStart(5, '0')}`;
    const n = Math.floor(i / 4000);
    lines.push(`readings,cooperative=coop-bench,device=${device},farm=farm-bench,field=field-bench,metric=${metrics[i % 4]} value=${20 + (i % 97) / 10},seq=${n}i ${t0 + n * 1000}`);
    if (lines.length === perBody) { out.push(lines.join('\n')); lines = []; }
  }
  if (lines.length) out.push(lines.join('\n'));
  return out;
}

export async function rawCeiling(baseUrl: string, db: string, points: number, concurrency: number, perBody = 5000): Promise<CeilingResult> {
  await fetch(`${baseUrl}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }) });
  const all = bodies(points, perBody, Date.now() - 86_400_000);
  let next = 0;
  const url = `${baseUrl}/write?db=${db}&precision=ms`;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < all.length) {
      const body = all[next++]!;
      const res = await fetch(url, { method: 'POST', body });
      if (res.status !== 204) throw new Error(`raw write failed: ${res.status} ${await res.text()}`);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  return { concurrency, perBody, points, seconds, pointsPerSec: points / seconds };
}
