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
    // The scan aedes-persistence 11 runs (asyncPersistence.js outgoingUpdate / outgoingClearMessageId).
    const model: OutgoingPacket[] = [];
    const scanUpdate = (packet: OutgoingPacket): boolean => {
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
    };
    const scanClear = (messageId: number | undefined): OutgoingPacket | undefined => {
      const i = model.findIndex((t) => t.messageId === messageId);
      return i < 0 ? undefined : model.splice(i, 1)[0];
    };
    const q = new OutgoingQueue();
    let seed = 42;
    const rnd = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n);
    const brokerIds = ['b1', 'b2', undefined];
    for (let step = 0; step < 8_000; step++) {
      const op = rnd(10);
      const brokerId = brokerIds[rnd(3)];
      const messageId = rnd(5) === 0 ? undefined : 1 + rnd(6);
      if (op < 4) {
        const p = { brokerId, brokerCounter: rnd(8), topic: 't', n: step };
        model.push({ ...p });
        q.enqueue({ ...p });
      } else if (op < 8) {
        const p = { brokerId, brokerCounter: rnd(8), messageId, topic: 't', n: step };
        expect(q.update({ ...p })).toBe(scanUpdate({ ...p }));
      } else {
        expect(q.clear(messageId)).toEqual(scanClear(messageId));
      }
      if (step % 500 === 0) expect(q.toArray()).toEqual(model);
    }
    expect(q.toArray()).toEqual(model);
  });
});
