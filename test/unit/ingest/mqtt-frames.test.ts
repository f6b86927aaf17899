// The ingest's MQTT stream reader: PUBLISH read by hand must give what mqtt-packet's parser gives for the
// same bytes, however the stream is cut into chunks; other packets pass through whole; malformed input
// stops the reading.
import { generate, parser as createParser, type IPublishPacket, type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { createFrameReader } from '../../../ingest/mqtt-frames.js';

interface Seen { topic: string; payload: string; qos: number; messageId: number | undefined }

function read(chunks: Buffer[]) {
  const publishes: Seen[] = [];
  const others: Packet[] = [];
  const errors: string[] = [];
  const parser = createParser({ protocolVersion: 4 });
  parser.on('packet', (p: Packet) => others.push(p));
  const reader = createFrameReader({
    publish: (topic, payload, qos, messageId) => publishes.push({ topic, payload: payload.toString(), qos, messageId }),
    other: (packet) => parser.parse(packet),
    error: (err) => errors.push(err.message),
  });
  for (const c of chunks) reader.push(c);
  return { publishes, others, errors };
}

/** What mqtt-packet itself reads from the same bytes. */
function reference(bytes: Buffer): Seen[] {
  const out: Seen[] = [];
  const parser = createParser({ protocolVersion: 4 });
  parser.on('packet', (p: Packet) => {
    if (p.cmd === 'publish') out.push({ topic: p.topic, payload: p.payload.toString(), qos: p.qos, messageId: p.messageId });
  });
  parser.parse(bytes);
  return out;
}

const publish = (p: Partial<IPublishPacket>) => generate({ cmd: 'publish', topic: 'devices/d-1/up', payload: '{}', qos: 1, messageId: 1, retain: false, dup: false, ...p });

describe('MQTT frame reader', () => {
  const stream = Buffer.concat([
    generate({ cmd: 'connack', returnCode: 0, sessionPresent: true }),
    publish({ messageId: 7, payload: '{"ts":1,"readings":{"battery":87}}' }),
    publish({ qos: 0, messageId: undefined, topic: 'v1/devices/me/telemetry', payload: 'x' }),
    publish({ messageId: 65535, topic: 'devices/đồng-1/up', payload: Buffer.alloc(300, 'a'), dup: true, retain: true }), // 2-byte length, UTF-8 topic
    publish({ messageId: 9, payload: Buffer.alloc(20_000, 'b') }), // 3-byte remaining length
    publish({ messageId: 10, payload: '' }),
    generate({ cmd: 'suback', messageId: 1, granted: [1, 128] }),
    generate({ cmd: 'pingresp' }),
  ]);

  it('reads publishes like mqtt-packet and hands the other packets over whole', () => {
    const { publishes, others, errors } = read([stream]);
    expect(errors).toEqual([]);
    expect(publishes).toEqual(reference(stream));
    expect(publishes.map((p) => p.messageId)).toEqual([7, undefined, 65535, 9, 10]);
    expect(others.map((p) => p.cmd)).toEqual(['connack', 'suback', 'pingresp']);
  });

  it('gives the same result whatever the chunk boundaries (every split point, and byte by byte)', () => {
    const expected = read([stream]);
    for (let cut = 1; cut < stream.length; cut += 97) {
      expect(read([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
    }
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(read(bytes)).toEqual(expected);
  });

  it('stops at malformed input: QoS 3, packet identifier 0, a topic longer than the packet, a 5-byte length', () => {
    const qos3 = Buffer.from(publish({}));
    qos3[0] = 0x36;
    const id0 = publish({ messageId: 1 });
    id0.writeUInt16BE(0, 2 + 2 + 'devices/d-1/up'.length);
    const longTopic = Buffer.from([0x30, 0x03, 0x00, 0x09, 0x61]);
    const longLength = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    for (const bad of [qos3, id0, longTopic, longLength]) {
      const { publishes, errors } = read([bad, publish({ messageId: 2 })]);
      expect(errors).toHaveLength(1);
      expect(publishes).toEqual([]);
    }
  });
});
