// broker/emitter.ts beyond mqemitter's abstract suite: the concurrency bound Aedes' delivery relies on, the
// queue that absorbs a burst and drains in order, and close.
import { describe, expect, it } from 'vitest';
import { Emitter, createEmitter, DEFAULT_EMITTER_CONCURRENCY, type EmitterMessage } from '../../../broker/emitter.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('emitter', () => {
  it('delivers at most `concurrency` messages at once; the rest wait in order', async () => {
    const e = new Emitter({ concurrency: 3 });
    const held: { message: EmitterMessage; done: () => void }[] = [];
    e.on('devices/+/up', (message, done) => { held.push({ message, done }); });
    await flush();
    for (let i = 0; i < 10; i++) e.emit({ topic: `devices/d${i}/up` });
    expect(held.map((h) => h.message.topic)).toEqual(['devices/d0/up', 'devices/d1/up', 'devices/d2/up']);
    expect([e.current, e.length]).toEqual([3, 7]);
    held[1]!.done();
    expect(held[3]!.message.topic).toBe('devices/d3/up');
    expect([e.current, e.length]).toEqual([3, 6]);
  });

  it('drains a burst far above its bound, every message once and in order, callbacks in order', async () => {
    const e = new Emitter({ concurrency: 7 });
    const received: number[] = [];
    const completed: number[] = [];
    e.on('devices/#', (message, done) => { received.push(message.n as number); setImmediate(done); });
    await flush();
    for (let n = 0; n < 5000; n++) e.emit({ topic: 'devices/d1/up', n }, () => completed.push(n));
    await new Promise<void>((resolve) => e.emit({ topic: 'devices/d1/up', n: 5000 }, () => resolve()));
    const all = Array.from({ length: 5001 }, (_, n) => n);
    expect(received).toEqual(all);
    expect(completed).toEqual(all.slice(0, 5000));
    expect([e.current, e.length]).toEqual([0, 0]);
  });

  it('calls every matching listener (+, # and exact) and completes the emit once all are done', async () => {
    const e = createEmitter();
    const calls: string[] = [];
    const later: (() => void)[] = [];
    e.on('devices/+/up', (_m, done) => { calls.push('+'); later.push(done); });
    e.on('devices/#', (_m, done) => { calls.push('#'); later.push(done); });
    e.on('devices/d1/up', (_m, done) => { calls.push('exact'); later.push(done); });
    e.on('devices/+/down', (_m, done) => { calls.push('down'); done(); });
    await flush();
    let completed = 0;
    e.emit({ topic: 'devices/d1/up' }, () => completed++);
    expect(calls.sort()).toEqual(['#', '+', 'exact']);
    later[0]!();
    later[1]!();
    expect(completed).toBe(0);
    later[2]!();
    expect(completed).toBe(1);
  });

  it('counts a listener that calls back twice only once', async () => {
    const e = new Emitter({ concurrency: 1 });
    const seen: string[] = [];
    e.on('a', (_m, done) => { done(); done(); });
    e.on('b', (m, done) => { seen.push(m.topic); done(); });
    await flush();
    e.emit({ topic: 'a' });
    e.emit({ topic: 'b' });
    expect([seen, e.current]).toEqual([['b'], 0]);
  });

  it('stops delivering to a removed listener', async () => {
    const e = createEmitter();
    const seen: string[] = [];
    const listener = (m: EmitterMessage, done: () => void) => { seen.push(m.topic); done(); };
    e.on('x/+', listener);
    await flush();
    e.emit({ topic: 'x/1' });
    await new Promise<void>((resolve) => e.removeListener('x/+', listener, resolve));
    e.emit({ topic: 'x/2' });
    expect(seen).toEqual(['x/1']);
  });

  it('refuses emits after close, calling back with an error, and calls the close callback later', async () => {
    const e = createEmitter();
    let closed = false;
    e.close(() => { closed = true; });
    expect(closed).toBe(false);
    await flush();
    expect(closed).toBe(true);
    const err = await new Promise<Error | null | undefined>((resolve) => e.emit({ topic: 'a' }, resolve));
    expect(err?.message).toBe('mqemitter is closed');
  });

  it('defaults to a bound far above one event-loop turn of deliveries', () => {
    expect(createEmitter().concurrency).toBe(DEFAULT_EMITTER_CONCURRENCY);
    expect(createEmitter({ concurrency: 5 }).concurrency).toBe(5);
  });
});
