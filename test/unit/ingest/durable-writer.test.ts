// Store-or-spool: while the store fails, batches are fsynced to the spool (and so may be acknowledged);
// when it returns they reach it in arrival order, before any newer batch; nothing is lost.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { RuongError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/log.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { asArray } from '../../../core/telemetry/reading-columns.js';
import { createDurableWriter } from '../../../ingest/durable-writer.js';
import { createIngestMetrics } from '../../../ingest/ingest-metrics.js';
import { createSpool, encodeFrame } from '../../../ingest/spool.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const reading = (seq: number): StoredReading => ({ deviceId: 'd1', metric: 'battery', ts: 1_700_000_000_000 + seq, value: seq % 100, seq, fieldId: 'f', farmId: 'fa', cooperativeId: 'c' });

/** A store whose writes fail while `down` (as STORE_UNAVAILABLE) or for listed poison seqs (as INTERNAL). */
function flakyStore(poison = new Set<number>()) {
  const written: number[] = [];
  const state = { down: false };
  const store = {
    write(batch: readonly StoredReading[]) {
      if (state.down) return Promise.reject(new RuongError('STORE_UNAVAILABLE', 'down'));
      if (batch.some((r) => poison.has(r.seq ?? -1))) return Promise.reject(new RuongError('INTERNAL', 'field type conflict'));
      written.push(...batch.map((r) => r.seq ?? -1));
      return Promise.resolve();
    },
  } as unknown as ReadingStore;
  return { store, written, state };
}

async function setup(store: ReadingStore, dir = mkdtempSync(join(tmpdir(), 'ruong-durable-')), maxBytes = 1_000_000) {
  dirs.push(dir);
  const spool = createSpool({ dir, maxBytes, log: silentLogger() });
  await spool.open();
  const stored: number[] = [];
  const writer = createDurableWriter({
    store, spool, spoolDir: dir, log: silentLogger(), metrics: createIngestMetrics(new Registry()), retryMinMs: 1, retryMaxMs: 5,
    onStored: (b) => stored.push(...asArray(b).map((r) => r.seq ?? -1)),
  });
  await writer.start();
  return { writer, spool, stored, dir };
}

const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 2)); };

describe('durable writer', () => {
  it('spools while the store is down and replays in order before newer batches', async () => {
    const f = flakyStore();
    const { writer, spool } = await setup(f.store);
    await writer.write([reading(1), reading(2)]);
    f.state.down = true;
    await writer.write([reading(3)]); // resolves: fsynced in the spool
    await writer.write([reading(4)]);
    expect(writer.spooling()).toBe(true);
    expect(spool.isEmpty()).toBe(false);
    f.state.down = false;
    await writer.write([reading(5)]); // still behind the spool
    await until(() => !writer.spooling());
    await writer.write([reading(6)]);
    expect(f.written).toEqual([1, 2, 3, 4, 5, 6]);
    expect(spool.isEmpty()).toBe(true);
    await writer.stop();
  });

  it('a restarted writer replays what the last run left in the spool first', async () => {
    const f = flakyStore();
    f.state.down = true;
    const first = await setup(f.store);
    await first.writer.write([reading(1)]);
    await first.writer.write([reading(2)]);
    await first.writer.stop();
    await first.spool.close();

    f.state.down = false;
    const second = await setup(f.store, first.dir);
    await second.writer.write([reading(3)]);
    await until(() => !second.writer.spooling());
    expect(f.written).toEqual([1, 2, 3]);
    expect(second.stored).toEqual([1, 2, 3]);
    await second.writer.stop();
  });

  it('refuses a batch once the spool is full (its messages stay unacknowledged), and takes it after the replay', async () => {
    const f = flakyStore();
    f.state.down = true;
    const { writer } = await setup(f.store, undefined, encodeFrame([reading(1)]).length * 2);
    await writer.write([reading(1)]);
    await writer.write([reading(2)]);
    await expect(writer.write([reading(3)])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/spool is full/) as unknown });
    f.state.down = false;
    await until(() => !writer.spooling());
    await writer.write([reading(3)]); // the batcher's retry
    expect(f.written).toEqual([1, 2, 3]);
    await writer.stop();
  });

  it('sets a batch the store keeps refusing aside on disk instead of blocking the replay', async () => {
    const f = flakyStore(new Set([2]));
    const { writer, dir } = await setup(f.store);
    f.state.down = true;
    await writer.write([reading(1)]);
    await writer.write([reading(2)]);
    await writer.write([reading(3)]);
    f.state.down = false;
    await until(() => !writer.spooling());
    expect(f.written).toEqual([1, 3]);
    expect(readdirSync(join(dir, 'rejected'))).toHaveLength(1);
    await writer.stop();
  });
});
