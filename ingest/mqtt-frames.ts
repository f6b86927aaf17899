// Splits the broker's byte stream into MQTT 3.1.1 control packets (MQTT-2.2: fixed header, remaining length
// as a variable byte integer of at most 4 bytes) and reads PUBLISH by hand (MQTT-3.3): topic name, packet
// identifier when QoS > 0, payload = the rest, as a view of the received bytes (no copy). Every other packet
// (CONNACK, SUBACK, PINGRESP …) is handed over whole, to be read by mqtt-packet. Why: mqtt-packet builds
// a packet object, a buffer list and a payload copy per message — the ingest's largest cost after the store.
// Malformed input (reserved flags of PUBLISH QoS = 3, MQTT-3.3.1-4; a fifth length byte, MQTT-2.2.3; a topic
// or packet identifier longer than the packet; packet identifier 0, MQTT-2.3.1-1) is reported and nothing
// more is read: the caller closes the connection (MQTT-4.8.0-1).
import { createInterner } from '../core/interned-text.js';

export interface FrameHandlers {
  publish(topic: string, payload: Buffer, qos: number, messageId: number | undefined): void;
  /** A whole packet of any other type. */
  other(packet: Buffer): void;
  error(err: Error): void;
}

export interface FrameReader {
  push(chunk: Buffer): void;
}

const PUBLISH = 3;

/** Topic strings by their bytes: a device publishes on the same topic every time (core/interned-text.ts). As many as the decoders' routes. */
const topicOf = createInterner(100_000);

export function createFrameReader(h: FrameHandlers): FrameReader {
  // Bytes of an incomplete packet, waiting for the rest: kept as chunks and joined once it is complete.
  let parts: Buffer[] = [];
  let partBytes = 0;
  let need = 0; // total bytes the incomplete packet needs; 0 = not known yet (header incomplete)
  let failed = false;

  function fail(message: string): void {
    failed = true;
    parts = [];
    h.error(new Error(message));
  }

  function readPublish(buf: Buffer, flags: number, at: number, end: number): void {
    const qos = (flags >> 1) & 3;
    if (qos === 3) return fail('PUBLISH with QoS 3 (MQTT-3.3.1-4)');
    if (at + 2 > end) return fail('PUBLISH shorter than its topic length');
    const topicEnd = at + 2 + ((buf[at]! << 8) | buf[at + 1]!);
    if (topicEnd > end) return fail('PUBLISH topic longer than the packet');
    const topic = topicOf(buf, at + 2, topicEnd);
    let payloadAt = topicEnd;
    let messageId: number | undefined;
    if (qos > 0) {
      if (topicEnd + 2 > end) return fail('PUBLISH without its packet identifier');
      messageId = (buf[topicEnd]! << 8) | buf[topicEnd + 1]!;
      if (messageId === 0) return fail('PUBLISH with packet identifier 0 (MQTT-2.3.1-1)');
      payloadAt += 2;
    }
    h.publish(topic, buf.subarray(payloadAt, end), qos, messageId);
  }

  /** Reads every complete packet of buf; returns the offset of the first incomplete one. */
  function readAll(buf: Buffer): number {
    let pos = 0;
    while (!failed && pos + 2 <= buf.length) {
      let length = 0;
      let multiplier = 1;
      let at = pos + 1;
      let byte: number;
      do {
        if (at >= buf.length) { need = 0; return pos; }
        if (at - pos > 4) { fail('remaining length longer than 4 bytes (MQTT-2.2.3)'); return buf.length; }
        byte = buf[at++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      } while (byte & 0x80);
      const end = at + length;
      if (end > buf.length) { need = end - pos; return pos; }
      const first = buf[pos]!;
      if (first >> 4 === PUBLISH) readPublish(buf, first & 0x0f, at, end);
      else h.other(buf.subarray(pos, end));
      pos = end;
    }
    need = 0;
    return pos;
  }

  return {
    push(chunk) {
      if (failed) return;
      let buf = chunk;
      if (parts.length > 0) {
        parts.push(chunk);
        partBytes += chunk.length;
        if (need > 0 && partBytes < need) return;
        buf = Buffer.concat(parts, partBytes);
        parts = [];
      }
      const rest = readAll(buf);
      if (rest < buf.length && !failed) {
        parts = [buf.subarray(rest)];
        partBytes = buf.length - rest;
      }
    },
  };
}
