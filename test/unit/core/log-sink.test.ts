// Issue 14: the log's stdout sink never blocks and never throws — a closed stream (EPIPE) ends the output,
// a stream that does not keep up loses lines past its cap instead of growing or waiting.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLineSink, createLogger } from '../../../core/log.js';

describe('line sink', () => {
  it('stops writing, without throwing, once the stream fails with EPIPE', async () => {
    let writes = 0;
    const stream = new Writable({ write(_c, _e, cb) { writes++; cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); } });
    const sink = createLineSink(stream);
    const log = createLogger({ destination: sink });
    log.info('one');
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) log.info('more');
    expect(writes).toBe(1);
    expect(sink.dropped()).toBe(5);
  });

  it('drops lines past its cap while the reader does not read, and writes again once it has', () => {
    const pending: (() => void)[] = [];
    const stream = new Writable({ highWaterMark: 1, write(_c, _e, cb) { pending.push(cb); } });
    const sink = createLineSink(stream, 100);
    for (let i = 0; i < 20; i++) sink.write(`${'x'.repeat(30)}\n`);
    expect(stream.writableLength).toBeLessThanOrEqual(100 + 31);
    expect(sink.dropped()).toBeGreaterThan(10);
    while (pending.length) pending.shift()!();
    const dropped = sink.dropped();
    sink.write('after\n');
    expect(sink.dropped()).toBe(dropped);
  });
});
