// broker/empty-queue.ts: Aedes' `pipeline(outgoingStream(client), through(…), done)` over a session with nothing
// queued calls back without a stream pipeline; every other pipeline is Node's own. The wire behaviour (a clean
// CONNECT is acknowledged, a persistent session's queued messages are re-sent with DUP) is in
// test/integration/broker-mqtt311.test.ts and broker-conformance.test.ts.
import { createRequire } from 'node:module';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline as pipelinePromise } from 'node:stream/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NO_QUEUED_PACKETS, installEmptyQueueShortcut } from '../../../broker/empty-queue.js';

const require = createRequire(import.meta.url);
const cjsPipeline = () => (require('node:stream') as { pipeline: (...args: unknown[]) => unknown }).pipeline;

describe('the empty-queue shortcut', () => {
  it('calls back at once, without error and without writing to the destination, for NO_QUEUED_PACKETS', async () => {
    expect(installEmptyQueueShortcut()).toBe(true);
    const written: unknown[] = [];
    const through = new Transform({ objectMode: true, transform(chunk, _enc, next) { written.push(chunk); next(); } });
    const err = await new Promise<Error | null | undefined>((resolve) => { cjsPipeline()(NO_QUEUED_PACKETS, through, resolve); });
    expect(err).toBeUndefined();
    expect(written).toEqual([]);
  });

  it('is what an ES module importing `pipeline` from node:stream calls (as Aedes does)', async () => {
    installEmptyQueueShortcut();
    const esm = (await import('node:stream')) as unknown as { pipeline: unknown };
    expect(esm.pipeline).toBe(cjsPipeline());
    expect(Object.prototype.hasOwnProperty.call(esm.pipeline, promisify.custom)).toBe(true);
  });

  it('leaves every other pipeline to Node: data flows, errors arrive, the promise form works', async () => {
    installEmptyQueueShortcut();
    const seen: number[] = [];
    const sink = new Writable({ objectMode: true, write(chunk: number, _enc, next) { seen.push(chunk); next(); } });
    await new Promise<void>((resolve, reject) => { cjsPipeline()(Readable.from([1, 2, 3]), new PassThrough({ objectMode: true }), sink, (e: Error | null) => (e ? reject(e) : resolve())); });
    expect(seen).toEqual([1, 2, 3]);
    const failing = new Readable({ read() { this.destroy(new Error('boom')); } });
    const err = await new Promise<Error | null>((resolve) => { cjsPipeline()(failing, new PassThrough(), resolve); });
    expect(err?.message).toBe('boom');
    const out: string[] = [];
    await pipelinePromise(Readable.from(['a', 'b']), new Writable({ objectMode: true, write(c: string, _e, n) { out.push(c); n(); } }));
    expect(out).toEqual(['a', 'b']);
  });

  it('without the wrapper, Node reads NO_QUEUED_PACKETS as an empty source: same result', async () => {
    const original = (cjsPipeline() as unknown as Record<symbol, (...a: unknown[]) => unknown>)[Object.getOwnPropertySymbols(cjsPipeline()).find((s) => s.description === 'ruong.pipeline.original')!]!;
    const written: unknown[] = [];
    const through = new Transform({ objectMode: true, transform(chunk, _enc, next) { written.push(chunk); next(); } });
    through.resume();
    const err = await new Promise<Error | null | undefined>((resolve) => { original(NO_QUEUED_PACKETS, through, resolve); });
    expect(err ?? undefined).toBeUndefined();
    expect(written).toEqual([]);
  });
});
