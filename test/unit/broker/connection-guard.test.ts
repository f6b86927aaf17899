// The connection guard on an in-memory Duplex (no sockets): what Aedes reads has passed the FrameGuard, the
// packets written in one event-loop turn leave in one write (sooner when the stream would be full), a destroy
// right after a write still hands the bytes to the stream (a refusal CONNACK is not lost), and a verdict
// answers with its CONNACK and closes.
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConnectionGuard, guardOf, type GuardSettings } from '../../../broker/guarded-connection.js';
import type { Verdict } from '../../../broker/packet-checks.js';
import { deviceConnect, publishPacket } from '../../helpers/mqtt-raw.js';

/** A stream standing in for a socket: records each write call (writev = one call with several chunks). */
function fakeSocket() {
  const writes: Buffer[][] = [];
  const stream = new Duplex({
    read() { /* bytes are pushed by the test */ },
    writev(chunks, cb) { writes.push(chunks.map((c) => c.chunk as Buffer)); cb(); },
    write(chunk: Buffer, _enc, cb) { writes.push([chunk]); cb(); },
  });
  return { stream, writes };
}

function guarded(holdAcks = false) {
  const { stream, writes } = fakeSocket();
  const verdicts: Verdict[] = [];
  const settings: GuardSettings = { maxPacketBytes: 1024, holdAcks, onVerdict: (_g, v) => verdicts.push(v) };
  const guard = new ConnectionGuard(stream, settings, '192.0.2.7', undefined);
  return { stream, writes, verdicts, guard };
}

const nextCheckPhase = () => new Promise((r) => setImmediate(r));

describe('ConnectionGuard', () => {
  it('is found from the stream Aedes holds and lets valid bytes through read()', () => {
    const { stream, guard } = guarded();
    expect(guardOf(stream)).toBe(guard);
    const bytes = Buffer.concat([deviceConnect('d-1', 's'), publishPacket('devices/d-1/up', '{}', 1, 3)]);
    stream.push(bytes);
    expect(stream.read()).toEqual(bytes);
    expect(guard.connect?.clientId).toBe('d-1');
  });

  it('hides a packet that breaks the protocol from the reader and closes the connection', async () => {
    const { stream, verdicts } = guarded();
    stream.push(publishPacket('a/b', 'x', 0)); // first packet is not CONNECT (MQTT-3.1.0-1)
    expect(stream.read()).toBeNull();
    expect(verdicts).toMatchObject([{ kind: 'protocol', rule: 'MQTT-3.1.0-1' }]);
    await nextCheckPhase();
    expect(stream.destroyed).toBe(true);
  });

  it('sends the packets written in one event-loop turn in one write', async () => {
    const { stream, writes } = guarded();
    stream.write(Buffer.from([0x40, 2, 0, 1]));
    stream.write(Buffer.from([0x40, 2, 0, 2]));
    stream.write(Buffer.from([0x40, 2, 0, 3]));
    expect(writes).toEqual([]);
    await nextCheckPhase();
    expect(writes).toEqual([[Buffer.from([0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3])]]);
  });

  it('writes at once when the stream would be full, and asks to wait only when a drain will follow', async () => {
    let release: (() => void) | undefined;
    const chunks: Buffer[] = [];
    const stream = new Duplex({
      highWaterMark: 16,
      read() { /* unused */ },
      write(chunk: Buffer, _enc, cb) { chunks.push(chunk); release = cb; }, // the peer reads slowly
    });
    new ConnectionGuard(stream, { maxPacketBytes: 1024, holdAcks: false, onVerdict: () => undefined }, undefined, undefined);
    expect(stream.write(Buffer.alloc(8, 1))).toBe(true); // held for this turn
    expect(chunks).toEqual([]);
    expect(stream.write(Buffer.alloc(8, 2))).toBe(false); // 16 bytes reach the high-water mark: written now
    expect(chunks).toEqual([Buffer.concat([Buffer.alloc(8, 1), Buffer.alloc(8, 2)])]);
    const drained = new Promise((resolve) => stream.once('drain', resolve));
    release!();
    await drained;
    expect(stream.write('topic')).toBe(true); // strings (mqtt-packet's topics) join the turn's bytes
    await nextCheckPhase();
    expect(chunks[1]).toEqual(Buffer.from('topic'));
  });

  it('flushes what was written before a destroy in the same turn (a refusal CONNACK is not lost)', () => {
    const { stream, writes } = guarded();
    stream.write(Buffer.from([0x20, 2, 0, 5]));
    stream.destroy();
    expect(writes).toEqual([[Buffer.from([0x20, 2, 0, 5])]]);
  });

  it('answers a CONNECT with an unsupported protocol level with CONNACK 0x01, then closes', async () => {
    const { stream, writes } = guarded();
    stream.push(deviceConnect('d-1', 's', { level: 5 }));
    expect(stream.read()).toBeNull();
    await nextCheckPhase();
    expect(writes.flat()).toEqual([Buffer.from([0x20, 2, 0, 1])]);
    expect(stream.writableEnded).toBe(true);
  });

  it('holds a PUBACK until its message is released when acknowledgements wait for persistence', async () => {
    const { stream, writes, guard } = guarded(true);
    stream.push(Buffer.concat([deviceConnect('d-1', 's'), publishPacket('devices/d-1/up', '{}', 1, 9)]));
    stream.read();
    stream.write(Buffer.from([0x40, 2, 0, 9]));
    await nextCheckPhase();
    expect(writes).toEqual([]);
    guard.released(9);
    await nextCheckPhase();
    expect(writes.flat()).toEqual([Buffer.from([0x40, 2, 0, 9])]);
  });

  it('keeps bytes written as strings (mqtt-packet writes topics so) behind a held PUBACK, in order', async () => {
    const { stream, writes, guard } = guarded(true);
    stream.push(Buffer.concat([deviceConnect('d-1', 's'), publishPacket('devices/d-1/up', '{}', 1, 9)]));
    stream.read();
    stream.write(Buffer.from([0x40, 2, 0, 9]));
    stream.write(Buffer.from([0x30, 7, 0, 3])); // a QoS 0 PUBLISH to a/b written in pieces: header, topic length,
    stream.write('a/b', 'utf8'); // the topic as a string,
    stream.write('xy'); // the payload
    await nextCheckPhase();
    expect(writes).toEqual([]);
    guard.released(9);
    await nextCheckPhase();
    expect(Buffer.concat(writes.flat())).toEqual(Buffer.from([0x40, 2, 0, 9, 0x30, 7, 0, 3, ...Buffer.from('a/bxy')]));
  });
});
