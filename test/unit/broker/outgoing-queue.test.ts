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
});
