// A load generator for MQTT brokers built on mqtt-packet (issue 3, "Speed"): N raw TCP device connections
// publish pre-encoded PUBLISH packets on `devices/{id}/up` at QoS 0 or 1 (each device keeps up to `window`
// messages unacknowledged, or per write at QoS 0), while one subscriber on `devices/+/up` stands in for the
// ingest. Reports connect time, delivered msg/s and losses (published-and-acknowledged but never delivered).
import { topics } from '../core/telemetry/topics.js';
import { PacketType } from './loadgen-frames.js';
import { openSubscriber, type DeliveryCounts } from './loadgen-subscriber.js';
import { encodeConnect, openMqtt, publishTemplate, type Credentials, type MqttSocket } from './loadgen-wire.js';

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  readonly devices: number;
  readonly messagesPerDevice: number; // at most 65,535 (QoS 1 message ids)
  readonly qos: 0 | 1;
  /** QoS 1: unacknowledged messages per device; QoS 0: messages per socket write. */
  readonly window: number;
  readonly payloadBytes?: number;
  readonly connectConcurrency?: number;
  /** Device i's id and credentials (username/password absent = anonymous). */
  readonly device?: (i: number) => Credentials;
  readonly subscriber?: Credentials;
  /** The subscriber's session: false (persistent, like the ingest) by default. */
  readonly subscriberClean?: boolean;
  /** Gives up when no delivery arrived for this long (ms). */
  readonly idleTimeoutMs?: number;
  /** Gives up after this long (ms) even while deliveries still trickle in. */
  readonly deadlineMs?: number;
  /** Called once half of the devices are connected (e.g. to sample broker memory: the marginal cost of the other half). */
  readonly onHalfConnected?: () => Promise<void>;
  /** Called once every device is connected, before the first PUBLISH (e.g. to sample broker memory). */
  readonly onConnected?: () => Promise<void>;
  /** Called once every message arrived (or the wait gave up), before the connections close. */
  readonly onDelivered?: () => Promise<void>;
}

export interface LoadResult extends DeliveryCounts {
  readonly devices: number;
  readonly qos: 0 | 1;
  readonly connectMs: number;
  readonly published: number; // written to the socket
  readonly acked: number; // PUBACKs received (QoS 1)
  readonly lostAcked: number; // acknowledged by the broker, never delivered (QoS 1: must be 0)
  readonly expected: number;
  readonly elapsedMs: number; // first PUBLISH → last delivery
  readonly msgPerSec: number;
  readonly errors: number; // device connections that failed or closed early
  readonly loadCpuSeconds: number; // this process's CPU while the messages flowed (is the generator the bottleneck?)
  readonly completed: boolean;
  /** Why an incomplete run stopped: nothing arrived for `idleTimeoutMs` (the rest is lost) or the deadline passed (still queued). */
  readonly stoppedBy: 'complete' | 'idle' | 'deadline';
}

export const defaultDeviceCredentials = (i: number): Credentials => ({ clientId: `bench-${String(i).padStart(5, '0')}` });

interface Device { readonly i: number; readonly conn: MqttSocket; next: number; inflight: number; closed: boolean }

/** Connects devices [from, to) with `connectConcurrency` handshakes in flight. */
async function connectRange(o: LoadOptions, creds: (i: number) => Credentials, devices: Device[], from: number, to: number, onError: () => void): Promise<void> {
  let next = from;
  async function worker(): Promise<void> {
    while (next < to) {
      const i = next++;
      const conn = await openMqtt(o.host, o.port, encodeConnect(creds(i), true));
      const device: Device = { i, conn, next: 0, inflight: 0, closed: false };
      conn.socket.on('error', () => undefined);
      conn.socket.once('close', () => { device.closed = true; onError(); });
      devices[i] = device;
    }
  }
  await Promise.all(Array.from({ length: Math.min(o.connectConcurrency ?? 200, to - from) }, worker));
}

/** Devices publish their messages: QoS 1 keeps `window` unacknowledged, QoS 0 writes `window` per write. */
function createPublisher(o: LoadOptions, devices: readonly Device[], ids: readonly string[]) {
  const m = o.messagesPerDevice;
  const ackedSeen = new Uint8Array(o.devices * m);
  const templates = ids.map((id) => publishTemplate(topics.up(id), o.qos, o.payloadBytes ?? 64));
  const counts = { published: 0, acked: 0 };

  function pump(d: Device): void {
    const count = Math.min(o.qos === 1 ? o.window - d.inflight : o.window, m - d.next);
    if (d.closed || count <= 0) return;
    const batch = new Array<Buffer>(count);
    for (let k = 0; k < count; k++) batch[k] = templates[d.i]!.at(d.next++);
    counts.published += count;
    if (o.qos === 0) {
      d.conn.socket.write(Buffer.concat(batch), () => pump(d));
      return;
    }
    d.inflight += count;
    d.conn.socket.write(Buffer.concat(batch));
  }

  function onPuback(d: Device, body: Buffer): void {
    const messageId = body.length >= 2 ? body.readUInt16BE(0) : 0;
    const slot = d.i * m + messageId - 1;
    if (messageId < 1 || messageId > m || ackedSeen[slot] === 1) return;
    ackedSeen[slot] = 1;
    counts.acked++;
    d.inflight--;
    pump(d);
  }

  return {
    counts,
    start(): void {
      for (const d of devices) {
        if (o.qos === 1) d.conn.onFrame((type, _flags, body) => { if (type === PacketType.puback) onPuback(d, body); });
        pump(d);
      }
    },
    /** Acknowledged by the broker but never delivered to the subscriber. */
    lostAcked(delivered: (device: number, seq: number) => boolean): number {
      let lost = 0;
      for (let slot = 0; slot < ackedSeen.length; slot++) if (ackedSeen[slot] === 1 && !delivered(Math.floor(slot / m), slot % m)) lost++;
      return lost;
    },
  };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.messagesPerDevice > 65_535) throw new Error('messagesPerDevice must be at most 65,535');
  const creds = o.device ?? defaultDeviceCredentials;
  const ids = Array.from({ length: o.devices }, (_, i) => creds(i).clientId);
  const sub = await openSubscriber({
    host: o.host, port: o.port, credentials: o.subscriber ?? { clientId: `bench-sub-${process.pid}` },
    clean: o.subscriberClean ?? false, deviceIds: ids, messagesPerDevice: o.messagesPerDevice,
  });
  const devices = new Array<Device>(o.devices);
  let errors = 0;
  let finished = false;
  const onError = (): void => { if (!finished) errors++; };
  try {
    // Half, then the other half: the caller may sample the broker in between (marginal memory per connection).
    const half = Math.floor(o.devices / 2);
    const t0 = performance.now();
    await connectRange(o, creds, devices, 0, half, onError);
    const t1 = performance.now();
    await o.onHalfConnected?.();
    const t2 = performance.now();
    await connectRange(o, creds, devices, half, o.devices, onError);
    const connectMs = performance.now() - t2 + (t1 - t0);
    await o.onConnected?.();

    const publisher = createPublisher(o, devices, ids);
    const expected = o.devices * o.messagesPerDevice;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    publisher.start();
    const stoppedBy = await waitForDeliveries(() => sub.counts().delivered >= expected, () => sub.counts().lastDeliveryAt, o.idleTimeoutMs ?? 10_000, o.deadlineMs ?? Infinity);
    finished = true;
    const cpu = process.cpuUsage(cpuStart);
    await o.onDelivered?.();
    const counts = sub.counts();
    const elapsedMs = Math.max(1, (counts.lastDeliveryAt || performance.now()) - start);
    return {
      ...counts, ...publisher.counts, devices: o.devices, qos: o.qos, connectMs, expected, elapsedMs, errors, completed: stoppedBy === 'complete', stoppedBy,
      lostAcked: o.qos === 1 ? publisher.lostAcked((device, seq) => sub.received(device, seq)) : 0,
      msgPerSec: (counts.delivered / elapsedMs) * 1000, loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    finished = true;
    for (const d of devices) d?.conn.socket.destroy();
    sub.close();
  }
}

/** Resolves once `done()` holds, no delivery arrived for `idleMs`, or `deadlineMs` passed. */
function waitForDeliveries(done: () => boolean, lastAt: () => number, idleMs: number, deadlineMs: number): Promise<LoadResult['stoppedBy']> {
  const since = performance.now();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const verdict = done() ? 'complete' : now - Math.max(since, lastAt()) > idleMs ? 'idle' : now - since > deadlineMs ? 'deadline' : undefined;
      if (verdict) { clearInterval(timer); resolve(verdict); }
    }, 20);
  });
}
