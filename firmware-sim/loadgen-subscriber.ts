// The load generator's stand-in for the ingest: one connection subscribed to `devices/+/up` at QoS 1 that
// acknowledges every delivery (PUBACKs of one TCP read go out in one write) and records, per device, which
// sequence numbers arrived — so losses, duplicates and per-device reordering are counted exactly.
import { topics } from '../core/telemetry/topics.js';
import { PacketType, readPublish } from './loadgen-frames.js';
import { encodeConnect, encodePuback, encodeSubscribe, openMqtt, payloadSeq, type Credentials, type MqttSocket } from './loadgen-wire.js';

export interface DeliveryCounts {
  readonly delivered: number; // distinct (device, seq) received
  readonly duplicates: number;
  readonly outOfOrder: number; // a device's message that arrived after a later one of the same device
  readonly unknown: number; // deliveries that are not ours (other topic or payload)
  readonly lastDeliveryAt: number; // performance.now() of the last delivery, 0 if none
}

export interface LoadSubscriber {
  counts(): DeliveryCounts;
  received(device: number, seq: number): boolean;
  /** Resets the tally for a new round with the same devices. */
  reset(): void;
  close(): void;
}

export async function openSubscriber(o: {
  host: string; port: number; credentials: Credentials; clean: boolean;
  deviceIds: readonly string[]; messagesPerDevice: number;
}): Promise<LoadSubscriber> {
  const m = o.messagesPerDevice;
  const index = new Map(o.deviceIds.map((id, i) => [topics.up(id), i]));
  let seen = new Uint8Array(o.deviceIds.length * m);
  let highest = new Int32Array(o.deviceIds.length).fill(-1);
  let tally = { delivered: 0, duplicates: 0, outOfOrder: 0, unknown: 0, lastDeliveryAt: 0 };
  let acks: Buffer[] = [];

  const conn: MqttSocket = await openMqtt(o.host, o.port, encodeConnect(o.credentials, o.clean));
  const { socket } = conn;

  function record(flags: number, body: Buffer): void {
    const packet = readPublish(flags, body);
    if (packet.qos > 0 && packet.messageId !== undefined) acks.push(encodePuback(packet.messageId));
    const device = index.get(packet.topic);
    const seq = payloadSeq(packet.payload);
    if (device === undefined || seq < 0 || seq >= m) { tally.unknown++; return; }
    tally.lastDeliveryAt = performance.now();
    const slot = device * m + seq;
    if (seen[slot] === 1) { tally.duplicates++; return; }
    seen[slot] = 1;
    tally.delivered++;
    if (seq < highest[device]!) tally.outOfOrder++;
    else highest[device] = seq;
  }

  const subscribed = new Promise<void>((resolve, reject) => {
    conn.onFrame((type, flags, body) => {
      if (type === PacketType.publish) record(flags, body);
      else if (type === PacketType.suback) {
        if (body[2] === 0x80) reject(new Error('subscription refused'));
        else resolve();
      }
    });
    socket.once('close', () => reject(new Error('subscriber connection closed')));
  });
  // Acknowledge once per TCP read; the 'data' listener that reads frames was added by openMqtt, so this runs after it.
  socket.on('data', () => {
    if (acks.length === 0) return;
    socket.write(acks.length === 1 ? acks[0]! : Buffer.concat(acks));
    acks = [];
  });
  socket.on('error', () => undefined); // a closed subscriber shows up as missing deliveries
  socket.write(encodeSubscribe(topics.allUp, 1));
  await subscribed;

  return {
    counts: () => ({ ...tally }),
    received: (device, seq) => seen[device * m + seq] === 1,
    reset() {
      seen = new Uint8Array(o.deviceIds.length * m);
      highest = new Int32Array(o.deviceIds.length).fill(-1);
      tally = { delivered: 0, duplicates: 0, outOfOrder: 0, unknown: 0, lastDeliveryAt: 0 };
    },
    close: () => socket.destroy(),
  };
}
