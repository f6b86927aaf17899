// Raw MQTT 3.1.1 plumbing for the load generator (firmware-sim/loadgen.ts): pre-encoded packets built once
// with mqtt-packet's `generate` and patched in place, and a CONNECT → CONNACK handshake on a bare TCP socket.
// No MQTT client library on the hot path: the load generator must stay cheaper than the broker it measures.
import { connect as netConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { createFrameReader, PacketType, type FrameHandler, type PubackCounter } from './loadgen-frames.js';

export interface Credentials {
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

export interface MqttSocket {
  readonly socket: Socket;
  /** Receives every packet after the CONNACK. */
  onFrame(handler: FrameHandler): void;
  /** From now on PUBACKs are only counted, once per received chunk, instead of passed to `onFrame` one by one. */
  onPubacks(counter: PubackCounter): void;
}

/** Width of the space-padded sequence number in the payload: `{"seq":       42,...}` stays valid JSON. */
const SEQ_WIDTH = 9;
const SEQ_OFFSET = '{"seq":'.length;

export function encodeConnect(c: Credentials, clean: boolean): Buffer {
  return mqttPacket.generate({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, keepalive: 600, clientId: c.clientId,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: Buffer.from(c.password) } : {}),
  });
}

/**
 * A PUBLISH encoded once; `at(seq)` returns a fresh copy with the message id (QoS 1: seq + 1, MQTT-2.3.1-1
 * forbids 0) and the payload's sequence number patched in. The message id sits right before the payload.
 */
export function publishTemplate(topic: string, qos: 0 | 1, payloadBytes: number): { at(seq: number): Buffer } {
  const head = `{"seq":${' '.repeat(SEQ_WIDTH)},"readings":{"soil_moisture":23.4},"pad":"`;
  const payload = Buffer.from(`${head}${'x'.repeat(Math.max(0, payloadBytes - head.length - 2))}"}`);
  const template = mqttPacket.generate({ cmd: 'publish', topic, payload, qos, messageId: qos === 1 ? 1 : undefined, retain: false, dup: false });
  const payloadAt = template.length - payload.length;
  return {
    at(seq: number): Buffer {
      const buf = Buffer.from(template);
      if (qos === 1) buf.writeUInt16BE(seq + 1, payloadAt - 2);
      buf.write(String(seq).padStart(SEQ_WIDTH, ' '), payloadAt + SEQ_OFFSET, 'latin1');
      return buf;
    },
  };
}

/** The sequence number of a payload made by `publishTemplate`, or -1. */
export function payloadSeq(payload: Buffer): number {
  let n = 0;
  let digits = 0;
  for (let i = SEQ_OFFSET; i < SEQ_OFFSET + SEQ_WIDTH && i < payload.length; i++) {
    const c = payload[i]!;
    if (c === 0x20) continue;
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
    digits++;
  }
  return digits > 0 ? n : -1;
}

export function encodePuback(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

export function encodeSubscribe(topic: string, qos: 0 | 1): Buffer {
  return mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] });
}

/** Opens a TCP connection, sends CONNECT and resolves once a CONNACK with return code 0 arrived. */
export function openMqtt(host: string, port: number, connectPacket: Buffer, timeoutMs = 30_000): Promise<MqttSocket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, noDelay: true });
    const timer = setTimeout(() => fail(new Error('CONNACK timed out')), timeoutMs);
    let handler: FrameHandler = (type, _flags, body) => {
      if (type !== PacketType.connack) return fail(new Error(`expected CONNACK, got packet type ${type}`));
      if (body[1] !== 0) return fail(new Error(`CONNACK return code ${body[1]}`));
      clearTimeout(timer);
      handler = () => undefined;
      socket.removeListener('error', fail);
      socket.removeListener('close', onClose);
      resolve({ socket, onFrame: (h) => { handler = h; }, onPubacks: (c) => { pubacks.counter = c; } });
    };
    function fail(err: Error): void {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    }
    function onClose(): void { fail(new Error('connection closed before CONNACK')); }
    const pubacks: { counter: PubackCounter | undefined } = { counter: undefined };
    const read = createFrameReader((type, flags, body) => handler(type, flags, body), pubacks);
    socket.on('data', read);
    socket.once('error', fail);
    socket.once('close', onClose);
    socket.write(connectPacket);
  });
}
