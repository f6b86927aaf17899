// The disk spool: batches survive a restart, come back oldest first, a torn tail is cut off, and a full
// spool refuses instead of growing.
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { createSpool, decodeFrames, encodeFrame } from '../../../ingest/spool.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'ruong-spool-')); dirs.push(d); return d; };

const batch = (n: number, from = 0): StoredReading[] => Array.from({ length: n }, (_, i) => ({
  deviceId: 'd1', metric: 'soil_moisture', ts: 1_700_000_000_000 + (from + i) * 1000, value: 20 + i / 10, seq: from + i,
  fieldId: 'f', farmId: 'fa', cooperativeId: 'c',
}));

describe('spool', () => {
  it('gives batches back oldest first across segments and after a restart', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir, maxBytes: 10_000_000, segmentBytes: 600, log: silentLogger() });
    await spool.open();
    for (let i = 0; i < 6; i++) await spool.append(batch(3, i * 3));
    expect(readdirSync(dir).length).toBeGreaterThan(1);
    await spool.close();

    const again = createSpool({ dir, maxBytes: 10_000_000, segmentBytes: 600, log: silentLogger() });
    await again.open();
    const seqs: number[] = [];
    for (let seg = await again.oldest(); seg; seg = await again.oldest()) {
      for (const b of seg.batches) seqs.push(...b.map((r) => r.seq ?? -1));
      await again.remove(seg.name);
    }
    expect(seqs).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(again.isEmpty()).toBe(true);
    expect(again.bytes()).toBe(0);
  });

  it('cuts a segment at a torn or corrupt last frame on open (that batch was never acknowledged)', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir, maxBytes: 1_000_000, log: silentLogger() });
    await spool.open();
    await spool.append(batch(2));
    await spool.append(batch(2, 2));
    await spool.close();
    const [name] = readdirSync(dir);
    const path = join(dir, name!);
    truncateSync(path, statSync(path).size - 5);
    appendFileSync(path, Buffer.from([1, 2, 3]));

    const again = createSpool({ dir, maxBytes: 1_000_000, log: silentLogger() });
    await again.open();
    const seg = await again.oldest();
    expect(seg?.batches.map((b) => b.map((r) => r.seq))).toEqual([[0, 1]]);
    expect(statSync(path).size).toBe(encodeFrame(batch(2)).length);
  });

  it('refuses an append that would pass its limit, and accepts again once drained', async () => {
    const dir = tempDir();
    const frame = encodeFrame(batch(5)).length;
    const spool = createSpool({ dir, maxBytes: frame * 2, log: silentLogger() });
    await spool.open();
    await spool.append(batch(5));
    await spool.append(batch(5));
    await expect(spool.append(batch(5))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/spool is full/) as unknown });
    const seg = await spool.oldest();
    await spool.remove(seg!.name);
    await expect(spool.append(batch(5))).resolves.toBeUndefined();
  });

  it('frames round-trip and a flipped byte is detected', () => {
    const frame = encodeFrame(batch(3));
    expect(decodeFrames(frame).batches).toEqual([batch(3)]);
    frame.writeUInt8(frame.readUInt8(frame.length - 2) ^ 0xff, frame.length - 2);
    expect(decodeFrames(frame)).toEqual({ batches: [], validBytes: 0 });
  });
});
