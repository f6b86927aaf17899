// One simulated device on the wire: an MQTT client with its own credentials that samples its physics
// model on the simulated clock and publishes native JSON (core/telemetry/decoders/native.ts) at QoS 1.
// Like real firmware it keeps a bounded ring buffer: readings taken while offline wait there and go out
// as array backlog payloads with their original timestamps and sequence numbers once it reconnects.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import { encodeNative, type NativeEntry } from '../core/telemetry/decoders/native.js';
import { topics } from '../core/telemetry/topics.js';
import type { SimClock } from './clock.js';
import type { DeviceModel } from './models/common.js';

/** A command on `devices/{id}/down`. */
export const DeviceCommandMessage = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('irrigate'), mm: z.number().positive().max(500) }),
  z.strictObject({ cmd: z.literal('valve'), minutes: z.number().positive().max(1440) }),
]);
export type DeviceCommandMessage = z.infer<typeof DeviceCommandMessage>;

export interface SimDeviceOptions {
  readonly deviceId: string;
  readonly secret: string;
  readonly brokerUrl: string;
  readonly model: DeviceModel;
  readonly clock: SimClock;
  readonly intervalMs: number;
  readonly firstReportMs: number;
  readonly bufferLimit: number; // ring buffer entries; the oldest is dropped when full
  readonly backlogChunk: number; // entries per backlog payload
  readonly reconnectPeriodMs: number;
  readonly log: Logger;
  readonly mqttOptions?: Partial<IClientOptions> | undefined;
}

export interface SimDeviceStats {
  readonly published: number; // entries acknowledged by the broker (PUBACK)
  readonly buffered: number; // entries waiting, including the one in flight
  readonly dropped: number; // entries lost to a full buffer
  readonly commands: number; // commands applied
  readonly rejectedCommands: number;
  readonly connected: boolean;
}

export interface SimDevice {
  readonly deviceId: string;
  start(): void;
  /** Samples every report the simulated clock has reached and publishes what the connection allows. */
  tick(): void;
  nextReportMs(): number;
  stats(): SimDeviceStats;
  stop(): Promise<void>;
}

const MAX_SAMPLES_PER_TICK = 500; // keeps one tick short when the clock has run far ahead

export function createSimDevice(o: SimDeviceOptions): SimDevice {
  const id = o.deviceId;
  const queue: NativeEntry[] = [];
  let inflight = 0;
  let nextReport = Math.round(o.firstReportMs);
  let seq = 0;
  let client: MqttClient | undefined;
  let flushing: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let lastError: string | undefined;
  const counts = { published: 0, dropped: 0, commands: 0, rejectedCommands: 0 };

  function enqueue(entries: NativeEntry[], front = false): void {
    if (front) queue.unshift(...entries);
    else queue.push(...entries);
    const excess = queue.length - o.bufferLimit;
    if (excess > 0) {
      queue.splice(0, excess); // a ring buffer forgets the oldest
      counts.dropped += excess;
    }
  }

  /** Publishes the queue while connected; false when a publish failed (the batch is back in the queue). */
  async function drain(c: MqttClient): Promise<boolean> {
    while (!stopping && c.connected && queue.length > 0) {
      const batch = queue.splice(0, queue.length > 1 ? o.backlogChunk : 1);
      const payload = batch.length === 1 && batch[0] ? encodeNative(batch[0]) : encodeNative(batch);
      inflight = batch.length;
      try {
        // QoS 1: mqtt.js keeps the message across a reconnect and resends it, so this waits for the PUBACK.
        await c.publishAsync(topics.up(id), payload, { qos: 1 });
        counts.published += batch.length;
      } catch (err) {
        enqueue(batch, true);
        o.log.debug({ err, deviceId: id }, 'sim device publish failed');
        return false;
      } finally {
        inflight = 0;
      }
    }
    return true;
  }

  function flush(): void {
    if (flushing || !client?.connected) return;
    const c = client;
    flushing = drain(c).then((ok) => {
      flushing = undefined;
      // Entries sampled while the last publish was in flight; after a failure wait for the next tick.
      if (ok && !stopping && c.connected && queue.length > 0) flush();
    });
  }

  function tick(): void {
    if (stopping) return;
    const simNow = o.clock.now();
    for (let n = 0; nextReport <= simNow && n < MAX_SAMPLES_PER_TICK; n++) {
      enqueue([{ ts: nextReport, seq: seq++, readings: o.model.sample(nextReport) }]);
      nextReport += o.intervalMs;
    }
    flush();
  }

  function onCommand(payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined; // not JSON: rejected below like any other bad command
    }
    const parsed = DeviceCommandMessage.safeParse(json);
    if (!parsed.success) {
      counts.rejectedCommands++;
      o.log.debug({ deviceId: id }, 'sim device rejected a command');
      return;
    }
    tick(); // sample what was due before the water arrives
    if (o.model.command(parsed.data, o.clock.now())) counts.commands++;
    o.log.debug({ deviceId: id, command: parsed.data }, 'sim device applied a command');
  }

  function start(): void {
    if (client || stopping) return;
    const c = mqtt.connect(o.brokerUrl, {
      clientId: id,
      username: id,
      password: o.secret,
      clean: true,
      protocolVersion: 4, // Aedes 1.x speaks MQTT 3.1.1
      reconnectPeriod: o.reconnectPeriodMs,
      connectTimeout: 10_000,
      resubscribe: false, // clean session: subscribe again on every connect below
      will: { topic: topics.status(id), payload: Buffer.from('offline'), qos: 1, retain: true },
      ...o.mqttOptions,
    });
    client = c;
    c.on('connect', () => {
      lastError = undefined;
      o.log.debug({ deviceId: id }, 'sim device connected');
      c.publish(topics.status(id), 'online', { qos: 1, retain: true }, () => undefined);
      c.subscribe(topics.down(id), { qos: 1 }, (err) => {
        if (err) o.log.debug({ err, deviceId: id }, 'sim device could not subscribe');
      });
      flush();
    });
    c.on('message', (topic, payload) => {
      if (topic === topics.down(id)) onCommand(payload);
    });
    c.on('close', () => o.log.debug({ deviceId: id }, 'sim device disconnected'));
    c.on('error', (err) => {
      // Logged once per distinct failure, not on every reconnect attempt.
      if (err.message !== lastError) o.log.warn({ err, deviceId: id }, 'sim device connection error');
      lastError = err.message;
    });
  }

  async function shutdown(): Promise<void> {
    const c = client;
    if (!c) return;
    if (flushing) await settleWithin(flushing, 1_000);
    if (c.connected) await settleWithin(c.publishAsync(topics.status(id), 'offline', { qos: 1, retain: true }), 1_000);
    // A clean DISCONNECT when nothing is in flight; otherwise drop the socket (the broker then sends the will).
    const force = !c.connected || Object.keys(c.outgoing).length > 0;
    if (!(await settleWithin(c.endAsync(force), 2_000))) c.stream?.destroy();
  }

  return {
    deviceId: id,
    start,
    tick,
    nextReportMs: () => nextReport,
    stats: () => ({ ...counts, buffered: queue.length + inflight, connected: client?.connected ?? false }),
    stop: () => (stopping ??= shutdown()),
  };
}

/** Waits for p, at most ms; true when it settled (resolved or rejected) in time. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
