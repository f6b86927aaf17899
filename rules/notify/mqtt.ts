// Farmer apps: the alert as JSON on alerts/{farmId} at QoS 1 (docs/architecture.md wire contract). Resolves on
// the broker's PUBACK. Never hands a message to mqtt.js while disconnected (its offline queue would send
// it later on its own, behind the outbox's back): a send then fails retryable and the outbox retries.
// QoS 1 is at-least-once; the payload's `id` (the idempotency key) lets an app drop a duplicate.
import type { MqttClient } from 'mqtt';
import { NotifierError, type Notifier } from '../../core/alerts/notification-types.js';
import { checkOpen } from './http-post.js';
import { mqtt } from '../../core/mqtt-library.js';

export interface MqttNotifierOptions {
  /** mqtt://host:port of the broker; a function when the port is known only after start (port 0). */
  readonly url: string | (() => string);
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly clientId: string;
  readonly connectTimeoutMs?: number;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new NotifierError(`${what} aborted: ${String((signal.reason as Error | undefined)?.message ?? 'aborted')}`, true));
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err instanceof Error ? err : new Error(String(err))); },
    );
  });
}

export function createMqttNotifier(opts: MqttNotifierOptions): Notifier {
  const connectTimeout = opts.connectTimeoutMs ?? 10_000;
  let client: MqttClient | undefined;
  let closed = false;

  function connected(signal: AbortSignal): Promise<MqttClient> {
    if (!client) {
      client = mqtt.connect(typeof opts.url === 'function' ? opts.url() : opts.url, {
        clientId: opts.clientId, username: opts.username, password: opts.password, clean: true,
        reconnectPeriod: 1_000, connectTimeout, queueQoSZero: false, resubscribe: false,
      });
      client.on('error', () => undefined); // connection errors surface as a retryable send failure below
    }
    const c = client;
    if (c.connected) return Promise.resolve(c);
    const waited = new Promise<MqttClient>((resolve, reject) => {
      const timer = setTimeout(() => { c.off('connect', onConnect); reject(new NotifierError('mqtt broker not reachable', true)); }, Math.min(connectTimeout, 5_000));
      const onConnect = () => { clearTimeout(timer); resolve(c); };
      c.once('connect', onConnect);
    });
    return abortable(waited, signal, 'mqtt connect');
  }

  return {
    channel: 'mqtt',
    async send(message, signal) {
      if (message.channel !== 'mqtt') throw new NotifierError(`mqtt notifier got a ${message.channel} message`, false);
      checkOpen(closed, signal, 'mqtt');
      const c = await connected(signal);
      if (!c.connected) throw new NotifierError('mqtt broker connection lost', true);
      try {
        await abortable(c.publishAsync(message.topic, JSON.stringify(message.payload), { qos: 1 }), signal, 'mqtt publish');
      } catch (err) {
        throw err instanceof NotifierError ? err : new NotifierError(`mqtt publish failed: ${(err as Error).message}`, true, { cause: err });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client?.endAsync(true);
    },
  };
}
