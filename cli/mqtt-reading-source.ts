// The rules engine's ReadingSource when it runs as its own process (`ruong rules`, docs/architecture.md): an MQTT
// subscription to the device uplinks, decoded with core/telemetry and given the registry's tenancy — the same
// decoding the ingest does, without storing. It sees a reading when the broker delivers it (not after the
// store acknowledged it), and misses readings published while it is disconnected (clean session, QoS 1):
// rule state (pending durations, open alerts) is in the registry, so a restart neither re-alerts nor forgets.
import type { MqttClient } from 'mqtt';
import type { Logger } from '../core/log.js';
import type { Registry } from '../core/registry/registry.js';
import { DecodeError, type IncomingMessage } from '../core/telemetry/decoders/index.js';
import { interopSubscriptions } from '../core/telemetry/interop-topics.js';
import { allShardsFilter, unshardTopic } from '../core/telemetry/ingest-shards.js';
import type { StoredReading } from '../core/telemetry/reading.js';
import { topics } from '../core/telemetry/topics.js';
import { createRegistryDecoder, LookupNeeded, type RegistryDecoded } from '../ingest/registry-decode.js';
import type { ReadingSource } from '../rules/reading-source.js';
import { brokerUrlOf, type BrokerAddress } from './ingest-brokers.js';
import { mqtt } from '../core/mqtt-library.js';

// mqtt-packet's number cache is off (core/mqtt-packet-numbers.ts, loaded with mqtt by core/mqtt-library.ts): 6.0 MB
// of `ruong rules`'s heap with 50,000 devices (docs/benchmarks.md "`ruong rules` memory with 50,000 devices"), for
// every MQTT client of the process.

export interface MqttReadingSource extends ReadingSource {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createMqttReadingSource(opts: {
  /** The broker(s), tried in turn (mqtt.js moves to the next on reconnect). */
  servers: readonly BrokerAddress[];
  username: string; password: string; clientId: string; registry: Registry; log: Logger; rawRetentionMs?: number;
  /** INGEST_SHARDS: > 1 = the brokers publish uplinks under ingest/{shard}/… (core/telemetry/ingest-shards.ts). */
  ingestShards?: number;
  /** How long one attempt waits for the CONNACK (mqtt.js `connectTimeout`; default 30 s). */
  connectTimeoutMs?: number;
}): MqttReadingSource {
  const filters = (opts.ingestShards ?? 1) > 1 ? [allShardsFilter] : [topics.allUp, ...interopSubscriptions];
  const { registry, log } = opts;
  const listeners = new Set<(batch: readonly StoredReading[]) => void>();
  let client: MqttClient | undefined;
  // The ingest's decoding (ingest/registry-decode.ts): from the registry's caches, asking the registry on a miss.
  const decoder = createRegistryDecoder(registry, { maxAgeMs: opts.rawRetentionMs });

  /**
   * Per topic (a device publishes on its own): settles once the last message on it that waited for the registry
   * was delivered; later messages on the topic wait for it too, so a device's readings arrive in order.
   */
  const waiting = new Map<string, Promise<void>>();

  function deliver({ decoded, context: dev }: RegistryDecoded): void {
    if (!dev || decoded.ignored !== undefined || decoded.readings.length === 0) return;
    const batch: StoredReading[] = decoded.readings.map((r) => ({ ...r, fieldId: dev.fieldId, farmId: dev.farmId, cooperativeId: dev.cooperativeId }));
    for (const listener of listeners) listener(batch);
  }

  function skip(err: unknown, topic: string): void {
    // Bad input is the ingest's to dead-letter (with its reason); here it is only skipped.
    if (!(err instanceof DecodeError)) log.error({ err, topic }, 'rules reading source failed');
  }

  function decodeAny(message: IncomingMessage): Promise<RegistryDecoded> {
    try {
      return Promise.resolve(decoder.decodeCached(message));
    } catch (err) {
      return err instanceof LookupNeeded ? decoder.decodeLookedUp(message, err) : Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Delivers at once when the registry's caches know the device; otherwise after asking it (never rejects). */
  function onMessage(topic: string, payload: Buffer): void {
    const message: IncomingMessage = { topic: unshardTopic(topic), payload, receivedAt: Date.now() };
    const before = waiting.size === 0 ? undefined : waiting.get(message.topic);
    let decoding: Promise<RegistryDecoded>;
    if (before) {
      decoding = before.then(() => decodeAny(message));
    } else {
      try {
        deliver(decoder.decodeCached(message));
        return;
      } catch (err) {
        if (!(err instanceof LookupNeeded)) return skip(err, topic);
        decoding = decoder.decodeLookedUp(message, err);
      }
    }
    const delivered = decoding.then(deliver).catch((err: unknown) => skip(err, topic));
    waiting.set(message.topic, delivered);
    void delivered.then(() => { if (waiting.get(message.topic) === delivered) waiting.delete(message.topic); });
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    async start() {
      const c = mqtt.connect({
        servers: opts.servers.map((a) => ({ ...a })), clientId: opts.clientId, username: opts.username, password: opts.password,
        clean: true, reconnectPeriod: 1000, ...(opts.connectTimeoutMs !== undefined ? { connectTimeout: opts.connectTimeoutMs } : {}),
      });
      client = c;
      c.on('message', onMessage);
      await firstConnect(c, log);
      // From now on a lost connection or an attempt without a CONNACK (a broker busy with a connect storm) is
      // logged and retried by mqtt.js every second, never thrown: an 'error' event without a listener would end
      // the process (Node's EventEmitter), as one did in bench:broker-operator's 50,000-device run.
      c.on('error', (err) => log.warn({ err: { message: err.message } }, 'rules reading source: broker connection failed, retrying'));
      c.on('connect', () => { void c.subscribeAsync(filters, { qos: 1 }).catch((err: unknown) => log.warn({ err }, 'rules reading source: subscribe failed')); });
      await c.subscribeAsync(filters, { qos: 1 });
      log.info({ servers: opts.servers.map(brokerUrlOf) }, 'rules reading source subscribed');
    },
    async stop() {
      const c = client;
      client = undefined;
      await c?.endAsync();
    },
  };
}

/**
 * Resolves on the first CONNACK that accepts us. The broker refusing us (a CONNACK with a return code: wrong
 * credentials, MQTT 3.1.1 §3.2.2.3) is a configuration error and rejects; a broker not reachable yet or too busy
 * to answer in time is only logged while mqtt.js tries again.
 */
function firstConnect(c: MqttClient, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const onConnect = (): void => { c.off('error', onError); resolve(); };
    const onError = (err: Error & { code?: unknown }): void => {
      if (typeof err.code === 'number') {
        c.off('connect', onConnect);
        c.off('error', onError);
        c.end(true);
        reject(err);
        return;
      }
      log.warn({ err: { message: err.message } }, 'rules reading source: broker not answering yet, retrying');
    };
    c.once('connect', onConnect);
    c.on('error', onError);
  });
}
