// broker/outgoing-queue.ts answers exactly as aedes-persistence's front-to-back array scan does.
import { describe, expect, it } from 'vitest';
import { OutgoingQueue, type OutgoingPacket } from '../../../broker/outgoing-queue.js';

const pkt = (brokerCounter: number, extra: Partial<OutgoingPacket> = {}): OutgoingPacket => ({ brokerId: 'b1', brokerCounter, topic: 't', ...extra });

describe('outgoing queue', () => {
  it('records message ids as packets are sent and clears them on acknowledgement, keeping enqueue order', () => {
    const q = new OutgoingQueue();
    for (let c = 1; c <= 4; c++) q.enqueue(pkt(c));
    expect(q.update(pkt(2, { messageId: 7 }))).toBe(true);
    expect(q.update(pkt(1, { messageId: 8 }))).toBe(true);
    expect(q.toArray().map((p) => [p.brokerCounter, p.messageId])).toEqual([[1, 8], [2, 7], [3, undefined], [4, undefined]]);
    expect(q.clear(7)?.brokerCounter).toBe(2);
    expect(q.clear(7)).toBeUndefined();
    expect(q.toArray().map((p) => p.brokerCounter)).toEqual([1, 3, 4]);
    expect(q.size).toBe(3);
  });

  it('replaces a sent PUBLISH by its PUBREL in place (QoS 2) and refuses an unknown packet', () => {
    const q = new OutgoingQueue();
    q.enqueue(pkt(1));
    q.enqueue(pkt(2));
    q.update(pkt(1, { messageId: 5 }));
    expect(q.update({ cmd: 'pubrel', messageId: 5 })).toBe(true);
    expect(q.toArray().map((p) => p.cmd ?? p.brokerCounter)).toEqual(['pubrel', 2]);
    expect(q.update(pkt(99, { messageId: 6 }))).toBe(false);
    expect(q.clear(5)?.cmd).toBe('pubrel');
  });

  it('tells whether a message\'s queued copy is unsent, sent or gone, in both modes', () => {
    for (const indexed of [false, true]) {
      const q = new OutgoingQueue();
      for (let c = 1; c <= 4; c++) q.enqueue(pkt(c));
      if (indexed) q.enqueue(pkt(1, { brokerId: 'b2' })); // another broker: the indexed mode
      q.update(pkt(1, { messageId: 11 }));
      q.update(pkt(2, { messageId: 12 }));
      q.clear(11);
      expect([1, 2, 3].map((c) => q.sendState('b1', c))).toEqual(['absent', 'sent', 'unsent']);
      expect(q.sendState('b1', 99)).toBe('absent');
      expect(q.sendState('b3', 3)).toBe('absent');
      expect(q.sendState('b2', 1)).toBe(indexed ? 'unsent' : 'absent');
    }
    expect(new OutgoingQueue().sendState('b1', 1)).toBe('absent');
  });

  it('picks the earliest entry when message ids collide, as the scan does', () => {
    const q = new OutgoingQueue();
    for (let c = 1; c <= 3; c++) q.enqueue(pkt(c));
    q.update(pkt(3, { messageId: 9 }));
    q.update(pkt(1, { messageId: 9 }));
    expect(q.clear(9)?.brokerCounter).toBe(1);
    expect(q.clear(9)?.brokerCounter).toBe(3);
    expect(q.clear(undefined)?.brokerCounter).toBe(2); // the first unsent one
  });

  it('handles a long backlog acknowledged in order (the ingest catching up)', () => {
    const q = new OutgoingQueue();
    const n = 20_000;
    for (let c = 1; c <= n; c++) q.enqueue(pkt(c));
    for (let c = 1; c <= n; c++) {
      q.update(pkt(c, { messageId: (c % 65_535) + 1 }));
      expect(q.clear((c % 65_535) + 1)?.brokerCounter).toBe(c);
    }
    expect(q.size).toBe(0);
  });

  it('answers like the front-to-back scan over a random mix of brokers, counters and colliding message ids', () => {
    const scan = scanModel();
    const q = new OutgoingQueue();
    const rnd = random(42);
    const brokerIds = ['b1', 'b2', undefined];
    for (let step = 0; step < 8_000; step++) {
      const op = rnd(10);
      const brokerId = brokerIds[rnd(3)];
      const messageId = rnd(5) === 0 ? undefined : 1 + rnd(6);
      if (op < 4) {
        const p = { brokerId, brokerCounter: rnd(8), topic: 't', n: step };
        scan.enqueue({ ...p });
        q.enqueue({ ...p });
      } else if (op < 8) {
        const p = { brokerId, brokerCounter: rnd(8), messageId, topic: 't', n: step };
        expect(q.update({ ...p })).toBe(scan.update({ ...p }));
      } else {
        expect(q.clear(messageId)).toEqual(scan.clear(messageId));
      }
      if (step % 500 === 0) expect(q.toArray()).toEqual(scan.model);
    }
    expect(q.toArray()).toEqual(scan.model);
  });

  it('answers like the scan in the ingest\'s pattern (one broker, sent and acknowledged in order) and when it breaks', () => {
    // Mostly the unindexed mode: increasing counters from one broker, PUBACKs for the oldest message; now and
    // then a step outside it (an acknowledgement out of order, another broker, a repeated counter, a PUBREL, an
    // unknown id, a counter already acknowledged), which indexes the queue until it has been empty again.
    const scan = scanModel();
    const q = new OutgoingQueue();
    const rnd = random(7);
    let counter = 0;
    let nextId = 1;
    const sent: number[] = []; // message ids in the order sent
    const unsent: number[] = []; // counters not yet sent
    for (let step = 0; step < 20_000; step++) {
      const op = rnd(200);
      if (op < 60) {
        const p = { brokerId: 'b1', brokerCounter: (counter += 1 + rnd(3)), topic: 't', n: step };
        scan.enqueue({ ...p });
        q.enqueue({ ...p });
        unsent.push(p.brokerCounter);
      } else if (op < 124) {
        const c = unsent.shift();
        if (c === undefined) continue;
        const p = { brokerId: 'b1', brokerCounter: c, messageId: nextId, topic: 't' };
        sent.push(nextId);
        nextId = nextId >= 65_535 ? 1 : nextId + 1;
        expect(q.update({ ...p })).toBe(scan.update({ ...p }));
      } else if (op < 199) {
        const id = sent.shift();
        if (id === undefined) continue;
        expect(q.clear(id)).toEqual(scan.clear(id));
      } else {
        const odd = rnd(6);
        if (odd === 0 && sent.length > 1) {
          const id = sent.splice(1 + rnd(sent.length - 1), 1)[0]; // acknowledged out of order
          expect(q.clear(id)).toEqual(scan.clear(id));
        } else if (odd === 1) {
          const p = { brokerId: 'b2', brokerCounter: rnd(5), topic: 't', n: step };
          scan.enqueue({ ...p });
          q.enqueue({ ...p });
        } else if (odd === 2) {
          const p = { brokerId: 'b1', brokerCounter: counter, topic: 't', n: step }; // the same counter again
          scan.enqueue({ ...p });
          q.enqueue({ ...p });
        } else if (odd === 3 && sent.length > 0) {
          const p = { cmd: 'pubrel', messageId: sent[0] };
          expect(q.update({ ...p })).toBe(scan.update({ ...p }));
        } else if (odd === 4) {
          expect(q.clear(70_000)).toEqual(scan.clear(70_000));
          const stale = { brokerId: 'b1', brokerCounter: rnd(counter + 2), messageId: 3 }; // acknowledged, queued or never seen
          expect(q.update({ ...stale })).toBe(scan.update({ ...stale }));
        } else {
          expect(q.clear(undefined)).toEqual(scan.clear(undefined));
        }
      }
      if (step % 250 === 0) expect(q.toArray()).toEqual(scan.model);
      if (step % 1_000 === 999) {
        // Drain it all (front first), so the queue starts over unindexed.
        while (scan.model.length > 0) {
          const id = scan.model[0]!.messageId;
          expect(q.clear(id)).toEqual(scan.clear(id));
        }
        sent.length = 0;
        unsent.length = 0;
      }
      expect(q.size).toBe(scan.model.length);
    }
    expect(q.toArray()).toEqual(scan.model);
  });
});

/** The scan aedes-persistence 11 runs (asyncPersistence.js outgoingEnqueue / outgoingUpdate / outgoingClearMessageId). */
function scanModel() {
  const model: OutgoingPacket[] = [];
  return {
    model,
    enqueue: (packet: OutgoingPacket): void => void model.push(packet),
    update(packet: OutgoingPacket): boolean {
      for (let i = 0; i < model.length; i++) {
        const t = model[i]!;
        if (t.brokerId === packet.brokerId) {
          if (t.brokerCounter === packet.brokerCounter) {
            t.messageId = packet.messageId;
            return true;
          }
        } else if (t.messageId === packet.messageId) {
          model[i] = packet;
          return true;
        }
      }
      return false;
    },
    clear(messageId: number | undefined): OutgoingPacket | undefined {
      const i = model.findIndex((t) => t.messageId === messageId);
      return i < 0 ? undefined : model.splice(i, 1)[0];
    },
  };
}

/** mulberry32: a seeded generator whose every bit is usable (a plain LCG in doubles loses precision and cycles). */
function random(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}
