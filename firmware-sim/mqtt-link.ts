// A device's MQTT connection, the way a field device's modem holds one: one session at a time (a fresh
// mqtt.js client per session, clean session), reconnecting on its own with a back-off in DEVICE time,
// and only while it has a network (`setAvailable`: an outage window, a flaky link, a flat battery).
// Losing the network drops the socket without a DISCONNECT, so the broker publishes the last will.
// A publish that was in flight when the session ended is rejected: the device keeps the entry and sends
// it again on the next session (at least once; the ingest is idempotent on device + metric + time).
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../core/log.js';

export interface MqttLinkOptions {
  readonly brokerUrl: string;
  readonly clientId: string;
  /** Omitted for an anonymous broker (MQTT_ALLOW_ANONYMOUS=true, or mosquitto's allow_anonymous). */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly will?: { readonly topic: string; readonly payload: string } | undefined;
  readonly subscriptions: readonly string[];
  onConnect(): void;
  onMessage(topic: string, payload: Buffer): void;
  /** Real ms to wait before attempt number `attempt` (1, 2, …) after a failure. */
  retryDelayMs(attempt: number): number;
  readonly log: Logger;
  readonly mqttOptions?: Partial<IClientOptions> | undefined;
}

export interface MqttLink {
  /** Whether the device has a network now; false drops the session, true lets it connect. */
  setAvailable(available: boolean): void;
  connected(): boolean;
  /** Sessions established so far. */
  sessions(): number;
  publish(topic: string, payload: string, qos: 0 | 1, retain?: boolean): Promise<void>;
  /** Publishes `last` (if connected), then ends the session with a DISCONNECT. */
  close(last?: { readonly topic: string; readonly payload: string }): Promise<void>;
}

export function createMqttLink(o: MqttLinkOptions): MqttLink {
  let client: MqttClient | undefined;
  let available = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  let sessions = 0;
  let lastError: string | undefined;
  const pending = new Set<(err: Error) => void>(); // rejecters of this session's in-flight publishes

  function endSession(c: MqttClient): void {
    if (client !== c) return;
    client = undefined;
    for (const reject of pending) reject(new Error('connection lost'));
    pending.clear();
    c.removeAllListeners('close');
    c.end(true); // closes the socket without DISCONNECT: the broker sends the will
    c.on('error', () => undefined);
    if (!closed && available) scheduleRetry();
  }

  function scheduleRetry(): void {
    if (retry || closed) return;
    retry = setTimeout(() => {
      retry = undefined;
      open();
    }, Math.max(10, o.retryDelayMs(++attempt)));
    retry.unref();
  }

  function open(): void {
    if (client || closed || !available) return;
    const c = mqtt.connect(o.brokerUrl, {
      clientId: o.clientId,
      ...(o.username === undefined ? {} : { username: o.username, password: o.password }),
      clean: true,
      protocolVersion: 4, // Aedes 1.x speaks MQTT 3.1.1
      reconnectPeriod: 0, // the device decides when to try again (device time, back-off)
      connectTimeout: 10_000,
      keepalive: 60,
      ...(o.will ? { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true } } : {}),
      ...o.mqttOptions,
    });
    client = c;
    c.on('connect', () => {
      attempt = 0;
      sessions++;
      lastError = undefined;
      for (const topic of o.subscriptions) {
        c.subscribe(topic, { qos: 1 }, (err) => {
          if (err) o.log.debug({ err, clientId: o.clientId }, 'sim device could not subscribe');
        });
      }
      o.onConnect();
    });
    c.on('message', (topic, payload) => o.onMessage(topic, payload));
    c.on('error', (err) => {
      // Logged once per distinct failure, not on every attempt.
      if (err.message !== lastError) o.log.debug({ err, clientId: o.clientId }, 'sim device connection error');
      lastError = err.message;
    });
    c.on('close', () => endSession(c));
  }

  function publish(topic: string, payload: string, qos: 0 | 1, retain = false): Promise<void> {
    const c = client;
    if (!c?.connected) return Promise.reject(new Error('not connected'));
    return new Promise<void>((resolve, reject) => {
      pending.add(reject);
      c.publish(topic, payload, { qos, retain }, (err) => {
        pending.delete(reject);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  async function close(last?: { topic: string; payload: string }): Promise<void> {
    closed = true;
    if (retry) clearTimeout(retry);
    retry = undefined;
    const c = client;
    if (!c) return;
    if (last && c.connected) await settleWithin(publish(last.topic, last.payload, 1, true), 1_000);
    client = undefined;
    for (const reject of pending) reject(new Error('closed'));
    pending.clear();
    c.removeAllListeners('close');
    c.on('error', () => undefined);
    if (!(await settleWithin(c.endAsync(!c.connected), 2_000))) c.stream?.destroy();
  }

  return {
    setAvailable(next) {
      if (next === available) return;
      available = next;
      if (next) {
        if (retry) clearTimeout(retry);
        retry = undefined;
        open();
      } else if (client) endSession(client);
    },
    connected: () => client?.connected === true,
    sessions: () => sessions,
    publish,
    close,
  };
}

/** Waits for p, at most ms; true when it settled (resolved or rejected) in time. */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
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
