// A minimal MQTT 3.1.1 frame reader for the load generator: splits a TCP byte stream into packets (first
// byte + body) without allocating per packet beyond a subarray, and reads the fields of a PUBLISH.
// mqtt-packet's general parser costs more CPU per packet than the broker under test would leave us.

export type FrameHandler = (type: number, flags: number, body: Buffer) => void;

/** Told how many PUBACKs one chunk held, once per chunk (a QoS 1 publisher needs no more of them). */
export type PubackCounter = (count: number) => void;

/**
 * Feeds chunks; calls `onFrame` for every complete packet (MQTT-2.2: fixed header, remaining length) — except
 * PUBACKs while `pubacks.counter` is set: those are only counted, without a subarray per packet.
 */
export function createFrameReader(onFrame: FrameHandler, pubacks?: { counter: PubackCounter | undefined }): (chunk: Buffer) => void {
  let carry: Buffer | undefined;
  return (chunk) => {
    let acks = 0;
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = undefined;
    let at = 0;
    while (at < buf.length) {
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let complete = false;
      while (i < buf.length && i < at + 5) {
        const b = buf[i++]!;
        length += (b & 0x7f) * multiplier;
        multiplier *= 128;
        if ((b & 0x80) === 0) { complete = true; break; }
      }
      if (!complete || i + length > buf.length) break;
      const first = buf[at]!;
      if (first >> 4 === PacketType.puback && pubacks?.counter) acks++;
      else onFrame(first >> 4, first & 0x0f, buf.subarray(i, i + length));
      at = i + length;
    }
    if (at < buf.length) carry = Buffer.from(buf.subarray(at));
    if (acks > 0) pubacks?.counter?.(acks);
  };
}

export const PacketType = { connack: 2, publish: 3, puback: 4, suback: 9 } as const;

/** Topic, message id (QoS > 0) and payload of a PUBLISH body; `flags` carries the QoS in bits 1–2. */
export function readPublish(flags: number, body: Buffer): { topic: string; qos: number; messageId: number | undefined; payload: Buffer } {
  const qos = (flags >> 1) & 0x03;
  const topicLength = body.readUInt16BE(0);
  const topic = body.toString('utf8', 2, 2 + topicLength);
  let at = 2 + topicLength;
  let messageId: number | undefined;
  if (qos > 0) { messageId = body.readUInt16BE(at); at += 2; }
  return { topic, qos, messageId, payload: body.subarray(at) };
}
