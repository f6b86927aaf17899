// Backpressure from the emitter to publishing connections (broker/read-pause.ts): a read is held while the
// backlog (emitter queue + messages read this turn) is above the high mark; held connections read again, in
// the order they were held, once the emitter is down to the low mark — and never later than the longest hold.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../../../broker/emitter.js';
import { ReadPause, type Holdable } from '../../../broker/read-pause.js';

const nextCheckPhase = () => new Promise((r) => setImmediate(r));

/** An emitter delivering one message at a time to a listener that finishes only when told (`deliverOne`). */
function slowEmitter() {
  const emitter = new Emitter({ concurrency: 1 });
  const pending: (() => void)[] = [];
  emitter.on('t', (_message, done) => { pending.push(done); });
  const deliverOne = () => pending.shift()?.();
  const fill = (n: number) => { for (let i = 0; i < n; i++) emitter.emit({ topic: 't' }); };
  return { emitter, deliverOne, fill };
}

function connection(name: string, log: string[]): Holdable {
  return { resume: () => { log.push(name); } };
}

afterEach(() => { vi.useRealTimers(); });

describe('ReadPause', () => {
  it('lets reads through while the backlog is at or under the high mark', () => {
    const { emitter, fill } = slowEmitter();
    const pause = new ReadPause(emitter, { highWater: 5, lowWater: 2 });
    fill(6); // one in delivery, 5 waiting
    expect(pause.holds(connection('a', []))).toBe(false);
    expect(pause.size).toBe(0);
  });

  it('holds reads above the high mark and resumes them in order once the emitter is down to the low mark', async () => {
    const { emitter, deliverOne, fill } = slowEmitter();
    const holds: number[] = [];
    const pause = new ReadPause(emitter, { highWater: 5, lowWater: 2, onHold: () => holds.push(emitter.length) });
    const resumed: string[] = [];
    const [a, b] = [connection('a', resumed), connection('b', resumed)];
    fill(8); // 7 waiting
    expect(pause.holds(a)).toBe(true);
    expect(pause.holds(b)).toBe(true);
    expect(pause.holds(a)).toBe(true); // read again while held (new bytes arrived): still one hold
    expect(holds).toEqual([7, 7]);
    for (let i = 0; i < 4; i++) deliverOne(); // 3 waiting: above the low mark
    await nextCheckPhase();
    expect(resumed).toEqual([]);
    deliverOne(); // 2 waiting
    await nextCheckPhase();
    expect(resumed).toEqual(['a', 'b']);
    expect(pause.size).toBe(0);
  });

  it("lets the resumed connection's own read through, and holds a newcomer behind connections already waiting", async () => {
    const { emitter, deliverOne, fill } = slowEmitter();
    const pause = new ReadPause(emitter, { highWater: 5, lowWater: 2 });
    const answers: boolean[] = [];
    const a: Holdable = { resume: () => { answers.push(pause.holds(a)); } }; // Aedes reads on 'readable'
    fill(8);
    expect(pause.holds(a)).toBe(true);
    for (let i = 0; i < 5; i++) deliverOne(); // 2 waiting: the resume is due at the next check phase
    expect(pause.holds({ resume: () => undefined })).toBe(true); // a newcomer queues behind `a`
    await nextCheckPhase();
    expect(answers).toEqual([false]);
  });

  it('counts messages read this turn towards the backlog until the next check phase', async () => {
    const { emitter } = slowEmitter();
    const pause = new ReadPause(emitter, { highWater: 5, lowWater: 2 });
    pause.admitted(6); // QoS 1: Aedes publishes them a setImmediate after their PUBACK
    expect(pause.holds(connection('a', []))).toBe(true);
    pause.close();
    const again = new ReadPause(emitter, { highWater: 5, lowWater: 2 });
    again.admitted(6);
    await nextCheckPhase();
    expect(again.holds(connection('b', []))).toBe(false);
  });

  it('resumes only as many connections as the high mark allows, the rest when the emitter drains again', async () => {
    const { emitter, deliverOne, fill } = slowEmitter();
    const pause = new ReadPause(emitter, { highWater: 5, lowWater: 2 });
    const resumed: string[] = [];
    // Each resumed connection reads 3 PUBLISH packets.
    const reader = (name: string): Holdable => ({ resume: () => { resumed.push(name); pause.admitted(3); } });
    fill(8);
    for (const name of ['a', 'b', 'c']) expect(pause.holds(reader(name))).toBe(true);
    for (let i = 0; i < 5; i++) deliverOne(); // 2 waiting
    await nextCheckPhase();
    expect(resumed).toEqual(['a', 'b']); // 2 + 3 = 5 (at the mark), 2 + 6 = 8 (over): c waits
    expect(pause.size).toBe(1);
    deliverOne();
    deliverOne(); // 0 waiting; the 6 read have been counted until this check phase
    await nextCheckPhase();
    expect(resumed).toEqual(['a', 'b', 'c']);
  });

  it('holds no connection longer than the longest hold, even when the emitter does not drain', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { emitter, fill } = slowEmitter();
    const pause = new ReadPause(emitter, { highWater: 5, lowWater: 2, maxHoldMs: 250 });
    const resumed: string[] = [];
    fill(8); // a stalled subscriber: nothing is delivered
    expect(pause.holds(connection('a', resumed))).toBe(true);
    vi.advanceTimersByTime(100);
    expect(pause.holds(connection('b', resumed))).toBe(true);
    vi.advanceTimersByTime(150);
    expect(resumed).toEqual(['a']);
    vi.advanceTimersByTime(100);
    expect(resumed).toEqual(['a', 'b']);
    expect(pause.size).toBe(0);
  });

  it('resumes every held connection and holds no more once closed', () => {
    const { emitter, fill } = slowEmitter();
    const pause = new ReadPause(emitter, { highWater: 5, lowWater: 2 });
    const resumed: string[] = [];
    fill(8);
    expect(pause.holds(connection('a', resumed))).toBe(true);
    pause.close();
    expect(resumed).toEqual(['a']);
    expect(pause.holds(connection('b', resumed))).toBe(false);
  });
});
