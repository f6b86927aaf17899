// Streams raw readings of any range as CSV (RFC 4180), slice by slice: each time slice is one bounded
// store query, written before the next is read, waiting for the socket to drain — the file is never built
// in memory. A slice that fills CHUNK_ROWS is halved and read again; sparse slices grow.
import type { Response } from 'express';
import { once } from 'node:events';
import type { RangeQuery, RawPoint, ReadingStore } from '../core/store/reading-store.js';

const CHUNK_ROWS = 10_000;
const MIN_SLICE_MS = 1000;
const MAX_SLICE_MS = 366 * 86_400_000;
const FIRST_SLICE_MS = 86_400_000;

/** A text cell: quoted when needed; a leading = + - @ gets a ' so spreadsheets do not run it as a formula. */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function rows(points: RawPoint[], metric: string, unit: string): string {
  points.sort((a, b) => a.ts - b.ts || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  let out = '';
  for (const p of points) out += `${new Date(p.ts).toISOString()},${csvText(p.deviceId)},${csvText(metric)},${String(p.value)},${csvText(unit)}\r\n`;
  return out;
}

async function write(res: Response, text: string): Promise<void> {
  if (text !== '' && !res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
}

/**
 * Writes the header and every reading of [from, to) in time order. Resolves when done or when the client
 * went away; rejects on a store failure (the caller then ends the response: the CSV is visibly cut short).
 */
export async function streamCsv(res: Response, store: ReadingStore, q: Omit<RangeQuery, 'everyMs' | 'limit'>, unit: string): Promise<number> {
  let header = 'time,device_id,metric,value,unit\r\n'; // sent with the first slice: a failing store still gets a JSON error
  let written = 0;
  let start = q.from;
  let slice = FIRST_SLICE_MS;
  while (start < q.to && !res.destroyed) {
    const end = Math.min(q.to, start + slice);
    const atFloor = end - start <= MIN_SLICE_MS; // a one-second slice is read whole, however dense
    const points = await store.query({ ...q, from: start, to: end, everyMs: undefined, limit: atFloor ? undefined : CHUNK_ROWS });
    if (!atFloor && points.length >= CHUNK_ROWS) {
      slice = Math.max(MIN_SLICE_MS, Math.floor((end - start) / 2));
      continue; // too dense: read a shorter slice instead
    }
    await write(res, header + rows(points, q.metric, unit));
    header = '';
    written += points.length;
    start = end;
    if (points.length < CHUNK_ROWS / 4) slice = Math.min(MAX_SLICE_MS, slice * 2);
  }
  await write(res, header);
  return written;
}
