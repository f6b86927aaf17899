// The disk spool: batches survive a restart, come back oldest first, a torn tail is cut off, and a full
// spool refuses instead of growing; a short write is refused too, and damage never hides later batches.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, appendFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { createSpool, decodeFrames, encodeFrame, type SegmentFile } from '../../../ingest/spool.js';

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
    expect(decodeFrames(frame)).toEqual({ batches: [], validBytes: 0, skippedBytes: 0 });
  });

  // Issue 14: a write that returns fewer bytes than the frame (a nearly full disk) is an error like a full
  // spool — the batch is not acknowledged — and never leaves a short frame that acknowledged batches follow.
  function shortWrites(failing: Set<number>, opts: { truncateFails?: boolean } = {}) {
    let calls = 0;
    return async (path: string): Promise<SegmentFile> => {
      const fh = await open(path, 'a');
      return {
        write: (buffer) => (failing.has(++calls) ? fh.write(buffer.subarray(0, buffer.length >> 1)) : fh.write(buffer)),
        datasync: () => fh.datasync(),
        truncate: (length) => (opts.truncateFails ? Promise.reject(new Error('EIO')) : fh.truncate(length)),
        close: () => fh.close(),
      };
    };
  }

  async function replayAll(dir: string): Promise<number[][]> {
    const spool = createSpool({ dir, maxBytes: 10_000_000, log: silentLogger() });
    await spool.open();
    const out: number[][] = [];
    for (let seg = await spool.oldest(); seg; seg = await spool.oldest()) {
      out.push(...seg.batches.map((b) => b.map((r) => r.seq ?? -1)));
      await spool.remove(seg.name);
    }
    return out;
  }

  it('a short write rejects like a full spool; the batches acknowledged after it all replay', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir, maxBytes: 10_000_000, log: silentLogger(), openSegment: shortWrites(new Set([2])) });
    await spool.open();
    await spool.append(batch(2, 0));
    await expect(spool.append(batch(2, 2))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/short/) as unknown });
    await spool.append(batch(2, 4));
    await spool.append(batch(2, 6));
    expect(spool.bytes()).toBe(3 * encodeFrame(batch(2)).length);
    await spool.close();
    const files = readdirSync(dir);
    expect(files).toHaveLength(1); // cut back to its last whole frame, then appended to
    expect(decodeFrames(readFileSync(join(dir, files[0]!)))).toMatchObject({ skippedBytes: 0 });
    expect(await replayAll(dir)).toEqual([[0, 1], [4, 5], [6, 7]]);
  });

  it('a short write whose segment cannot be cut back closes that segment; nothing is appended behind it', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir, maxBytes: 10_000_000, log: silentLogger(), openSegment: shortWrites(new Set([2]), { truncateFails: true }) });
    await spool.open();
    await spool.append(batch(2, 0));
    await expect(spool.append(batch(2, 2))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await spool.append(batch(2, 4));
    await spool.close();
    expect(readdirSync(dir)).toHaveLength(2);
    expect(await replayAll(dir)).toEqual([[0, 1], [4, 5]]);
  });

  it('replay skips a damaged frame inside a segment and keeps the acknowledged batches behind it', async () => {
    const dir = tempDir();
    const [a, b, c] = [encodeFrame(batch(2, 0)), encodeFrame(batch(2, 2)), encodeFrame(batch(2, 4))];
    b.writeUInt8(b.readUInt8(b.length - 3) ^ 0xff, b.length - 3); // bit rot in the middle frame
    const short = encodeFrame(batch(2, 6)).subarray(0, 20); // and a frame short in the middle, as before the fix
    writeFileSync(join(dir, '000000000001.spool'), Buffer.concat([a, b, short, c]));
    expect(await replayAll(dir)).toEqual([[0, 1], [4, 5]]);
  });
});
