// One simulated device that speaks MQTT itself (native JSON, SenML or ThingsBoard) with its own
// credentials. Like real firmware it keeps a bounded ring buffer: readings taken while it has no network
// wait there and go out with their original timestamps and sequence numbers once it is back, as backlog
// messages of `backlogChunk` entries, one in flight at a time, `replayPauseMs` of device time apart — the
// rate limit real firmware applies so that a reconnect does not flood its modem or the broker. A backlog
// message is also kept under `maxPayloadBytes` (the broker closes the connection on a packet over its limit).
// A flat battery switches it off: the RAM buffer is lost, the broker sees the connection drop.
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import { topics } from '../core/telemetry/topics.js';
import type { SimClock } from './clock.js';
import type { LinkPlan } from './connectivity.js';
import type { Entry, MqttFormat } from './formats/types.js';
import { createMqttLink, type MqttLink, type MqttLinkOptions } from './mqtt-link.js';
import type { Sampler } from './sampler.js';

/** A command on `devices/{id}/down`: open a valve for N minutes, or irrigate (run the pump for) N mm. */
export const DeviceCommandMessage = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('irrigate'), mm: z.number().positive().max(500) }),
  z.strictObject({ cmd: z.literal('valve'), minutes: z.number().positive().max(1440) }),
]);
export type DeviceCommandMessage = z.infer<typeof DeviceCommandMessage>;

/**
 * A pump or valve controller's command (docs/architecture.md "Pumps and valves"): `on` for `minutes`, or `off`. The
 * minutes are checked by the controller itself, not here: an `on` without them or above 240 reaches it, is refused
 * and answered with the unchanged state — the way a real controller's interlock answers.
 */
export const ControlCommandMessage = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  cmd: z.enum(['pump', 'valve']),
  action: z.enum(['on', 'off']),
  minutes: z.number().optional(),
});
export type ControlCommandMessage = z.infer<typeof ControlCommandMessage>;

/** Everything a simulated device takes on `devices/{id}/down`. */
export const DownCommand = z.union([ControlCommandMessage, DeviceCommandMessage]);
export type DownCommand = z.infer<typeof DownCommand>;

export interface SimDeviceOptions {
  readonly deviceId: string;
  /** Undefined: connect anonymously (no username), for load tests against an anonymous broker. */
  readonly secret: string | undefined;
  readonly brokerUrl: string;
  readonly sampler: Sampler;
  readonly format: MqttFormat;
  readonly rtc: boolean;
  readonly link: LinkPlan;
  readonly clock: SimClock;
  readonly bufferLimit: number; // ring buffer entries; the oldest is dropped when full
  readonly backlogChunk: number; // entries per backlog message
  /** Largest backlog payload, bytes: a chunk that encodes larger is split; default 60,000 (the broker's 64 KiB). */
  readonly maxPayloadBytes?: number | undefined;
  readonly replayPauseMs: number; // device time between two backlog messages
  readonly reconnectPeriodMs: number; // device time before the first retry; doubles up to 12×
  readonly log: Logger;
  readonly mqttOptions?: MqttLinkOptions['mqttOptions'];
  /** The connection; default an mqtt.js link (mqtt-link.ts). Tests pass their own. */
  readonly createLink?: ((opts: MqttLinkOptions) => MqttLink) | undefined;
  /** Told when a command moved the device's next report (a controller's run ends earlier than its next report). */
  readonly onReschedule?: (() => void) | undefined;
}

export interface SimDeviceStats {
  readonly published: number; // entries acknowledged by the broker (PUBACK)
  readonly readings: number; // readings in those entries
  readonly buffered: number; // entries waiting, including those in flight
  readonly dropped: number; // entries lost to a full buffer or a brown-out
  readonly commands: number; // commands applied
  readonly rejectedCommands: number; // not understood, or refused (or ignored) by the device
  readonly connected: boolean;
  readonly sessions: number;
  readonly powered: boolean;
}

export interface SimDevice {
  readonly deviceId: string;
  start(): void;
  /** Samples every report the simulated clock has reached and publishes what the connection allows. */
  tick(): void;
  nextReportMs(): number;
  /** True while the device has power and a network: what it measured can be delivered now. */
  hasNetwork(): boolean;
  stats(): SimDeviceStats;
  stop(): Promise<void>;
}

const MAX_SAMPLES_PER_TICK = 500; // keeps one tick short when the clock has run far ahead
const DEFAULT_MAX_PAYLOAD_BYTES = 60_000;

export function createSimDevice(o: SimDeviceOptions): SimDevice {
  const id = o.deviceId;
  const queue: Entry[] = [];
  let inflight = 0;
  let flushing: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let started = false;
  const counts = { published: 0, readings: 0, dropped: 0, commands: 0, rejectedCommands: 0 };
  const maxPayloadBytes = o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const status = o.format.statusTopic ? topics.status(id) : undefined;

  const link: MqttLink = (o.createLink ?? createMqttLink)({
    brokerUrl: o.brokerUrl,
    clientId: id,
    username: o.secret === undefined ? undefined : id,
    password: o.secret,
    will: status ? { topic: status, payload: 'offline' } : undefined,
    subscriptions: [topics.down(id)],
    onConnect() {
      if (status) link.publish(status, 'online', 1, true).catch(() => undefined);
      flush();
    },
    onMessage: (topic, payload) => {
      if (topic === topics.down(id)) onCommand(payload);
    },
    retryDelayMs: (attempt) => o.clock.realDelayUntil(o.clock.now() + o.reconnectPeriodMs * Math.min(12, 2 ** (attempt - 1))),
    log: o.log,
    mqttOptions: o.mqttOptions,
  });

  function enqueue(entries: readonly Entry[], front = false): void {
    if (front) queue.unshift(...entries);
    else queue.push(...entries);
    const excess = queue.length - o.bufferLimit;
    if (excess > 0) {
      queue.splice(0, excess); // a ring buffer forgets the oldest
      counts.dropped += excess;
    }
  }

  /** Takes the next message off the queue: up to `chunk` entries, halved until it fits `maxPayloadBytes`. */
  function nextMessage(chunk: number): { batch: Entry[]; payload: string } {
    let n = Math.min(chunk, queue.length);
    let payload = o.format.encode(queue.slice(0, n), { deviceId: id, sentAtMs: o.clock.now(), rtc: o.rtc });
    while (n > 1 && Buffer.byteLength(payload) > maxPayloadBytes) {
      n = Math.ceil(n / 2);
      payload = o.format.encode(queue.slice(0, n), { deviceId: id, sentAtMs: o.clock.now(), rtc: o.rtc });
    }
    return { batch: queue.splice(0, n), payload };
  }

  /** Publishes the queue while connected; false when a publish failed (the batch is back in the queue). */
  async function drain(): Promise<boolean> {
    while (!stopping && link.connected() && queue.length > 0) {
      const backlog = queue.length > 1;
      const { batch, payload } = nextMessage(backlog ? o.backlogChunk : 1);
      inflight = batch.length;
      try {
        await link.publish(o.format.topic(id), payload, 1); // resolves on PUBACK
        counts.published += batch.length;
        for (const e of batch) counts.readings += Object.keys(e.readings).length;
      } catch (err) {
        enqueue(batch, true);
        o.log.debug({ err, deviceId: id }, 'sim device publish failed');
        return false;
      } finally {
        inflight = 0;
      }
      if (backlog && queue.length > 0 && o.replayPauseMs > 0) await sleep(o.clock.realDelayUntil(o.clock.now() + o.replayPauseMs));
    }
    return true;
  }

  function flush(): void {
    if (flushing || !link.connected()) return;
    flushing = drain().then((ok) => {
      flushing = undefined;
      // Entries sampled while the last publish was in flight; after a failure wait for the next tick.
      if (ok && !stopping && link.connected() && queue.length > 0) flush();
    });
  }

  function tick(): void {
    if (stopping || !started) return;
    const simNow = o.clock.now();
    const { entries, brownoutAt } = o.sampler.take(simNow, MAX_SAMPLES_PER_TICK);
    if (brownoutAt !== undefined) {
      const lost = queue.filter((e) => e.ts < brownoutAt).length; // RAM does not survive a brown-out
      queue.splice(0, lost);
      counts.dropped += lost;
    }
    enqueue(entries);
    link.setAvailable(o.sampler.powered() && o.link.online(simNow));
    flush();
  }

  function onCommand(payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined; // not JSON: rejected below like any other bad command
    }
    const parsed = DownCommand.safeParse(json);
    if (!parsed.success) {
      counts.rejectedCommands++;
      o.log.debug({ deviceId: id }, 'sim device rejected a command');
      return;
    }
    tick(); // sample what was due before the water arrives
    const before = o.sampler.nextReportMs();
    if (o.sampler.command(parsed.data, o.clock.now())) counts.commands++;
    else counts.rejectedCommands++;
    o.log.debug({ deviceId: id, command: parsed.data }, 'sim device took a command');
    tick(); // a controller's confirmation: its state right after the command
    if (o.sampler.nextReportMs() !== before) o.onReschedule?.();
  }

  async function shutdown(): Promise<void> {
    if (flushing) await Promise.race([flushing, sleep(1_000)]);
    await link.close(status ? { topic: status, payload: 'offline' } : undefined);
  }

  return {
    deviceId: id,
    start() {
      if (started || stopping) return;
      started = true;
      link.setAvailable(o.link.online(o.clock.now()));
    },
    tick,
    nextReportMs: () => o.sampler.nextReportMs(),
    hasNetwork: () => o.sampler.powered() && o.link.online(o.clock.now()),
    stats: () => ({
      ...counts,
      buffered: queue.length + inflight,
      connected: link.connected(),
      sessions: link.sessions(),
      powered: o.sampler.powered(),
    }),
    stop: () => (stopping ??= shutdown()),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
