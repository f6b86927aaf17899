// Commands go out on devices/{id}/down at QoS 1 with the ingest service credential (broker/acl.ts: the
// `ruong-ingest` service may publish devices/+/down), client id `ruong-ingest-commands`. A publish resolves on
// the broker's PUBACK. Nothing is handed to mqtt.js while disconnected (its offline queue would send a command
// later behind the dispatcher's back): the attempt fails and the dispatcher's next attempt goes after its delay.
import type { MqttClient } from 'mqtt';
import type { CommandPublisher } from './command-dispatcher.js';
import { mqtt } from '../../core/mqtt-library.js';

export interface MqttCommandPublisherOptions {
  /** mqtt://host:port; a function when the port is known only after start (port 0). */
  readonly url: string | (() => string);
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
  readonly connectTimeoutMs?: number | undefined;
  /** How long a publish may wait for its PUBACK (default 10 s) before the attempt fails. */
  readonly publishTimeoutMs?: number | undefined;
}

export function createMqttCommandPublisher(opts: MqttCommandPublisherOptions): CommandPublisher {
  const wait = Math.min(opts.connectTimeoutMs ?? 5_000, 5_000);
  const publishTimeoutMs = opts.publishTimeoutMs ?? 10_000;
  let client: MqttClient | undefined;
  let closed = false;

  function connected(): Promise<MqttClient> {
    if (!client) {
      client = mqtt.connect(typeof opts.url === 'function' ? opts.url() : opts.url, {
        clientId: opts.clientId, username: opts.username, password: opts.password, clean: true,
        reconnectPeriod: 1_000, connectTimeout: wait, queueQoSZero: false, resubscribe: false,
      });
      client.on('error', () => undefined); // a failed connection is a failed attempt below
    }
    const c = client;
    if (c.connected) return Promise.resolve(c);
    return new Promise<MqttClient>((resolve, reject) => {
      const timer = setTimeout(() => { c.off('connect', onConnect); reject(new Error('mqtt broker not reachable')); }, wait);
      const onConnect = () => { clearTimeout(timer); resolve(c); };
      c.once('connect', onConnect);
    });
  }

  return {
    async publish(topic, payload) {
      if (closed) throw new Error('command publisher closed');
      const c = await connected();
      if (!c.connected) throw new Error('mqtt broker connection lost');
      // a QoS 1 publish can wait for its PUBACK through a whole broker outage (and stall every later send): after
      // publishTimeoutMs the attempt fails, and the client is dropped with force — its outgoing store with it — so
      // the stale command is never delivered late on a reconnect; the next attempt connects a new client.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('mqtt publish not acknowledged in time')), publishTimeoutMs);
      });
      try {
        await Promise.race([c.publishAsync(topic, payload, { qos: 1 }), timeout]);
      } catch (err) {
        if (client === c) client = undefined;
        c.end(true);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client?.endAsync(true);
    },
  };
}
