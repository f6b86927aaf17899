// Aedes' `publish` for the in-memory store, without its per-message machinery (issue 3, CPU per message).
// Aedes 1.2 (aedes.js `publish`) runs every message through `runSeries` over storeRetained → enqueueOffline →
// emitPacket → callPublished: a bound callback, a step closure, a PublishState and a DoEnqueues object with its
// own closure per message, and for QoS > 0 two persistence promises, each awaited with `.then` (two more
// promises and two microtasks). With broker/memory-persistence.ts every one of those answers is already known
// synchronously, so this does the same four steps, in the same order, as plain calls.
// Same behaviour: the topic-depth check, a fresh aedes-packet (broker id and counter), retained messages stored
// first, QoS > 0 messages queued for every matching persistent session before anyone is sent the message ($SYS
// topics not for `+`/`#` filters, [MQTT-4.7.2-1]), the emitter, then the `published` hook and the 'publish'
// event with the original packet; `done` gets the emitter's or the hook's error.
// Only with a store that answers synchronously (memory, subscriptions not broadcast); Redis keeps Aedes' own.
import { createRequire } from 'node:module';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import type { IndexedMemoryPersistence, OfflineSubscription } from './memory-persistence.js';
import type { OutgoingPacket } from './outgoing-queue.js';

const require = createRequire(import.meta.url);
const Packet = require('aedes-packet') as new (original: object, broker: Aedes) => OutgoingPacket & { topic: string; qos: number; retain: boolean; clientId?: string };

const SYS_PREFIX = '$SYS/';
const SLASH = 47;
const PLUS = 43;
const HASH = 35;

type Done = (err?: Error | null) => void;

interface Internals {
  readonly maxTopicLevels: number;
  readonly mq: { emit(packet: object, done: Done): unknown };
  published(packet: AedesPublishPacket, client: Client | null, done: Done): void;
}

function noop(): void {}

/** Levels of a topic as qlobber counts them (Aedes' lib/utils.js `topicLevelCount`). */
function topicLevels(topic: unknown): number {
  if (typeof topic !== 'string') return 0;
  let levels = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === SLASH) levels++;
  return levels;
}

/** [MQTT-4.7.2-1]: a filter starting with a wildcard does not match topics starting with $ (Aedes' `removeSharp`). */
function notWildcardFirst(sub: OfflineSubscription): boolean {
  const code = sub.topic.charCodeAt(0);
  return code !== PLUS && code !== HASH;
}

/**
 * Replaces `broker.publish` (an own property over Aedes' prototype method, which every Aedes caller goes through).
 * With `release`, publishers' QoS 1 PUBACKs are held (broker/store-acks.ts): a message the ingest's sessions took
 * is released when they acknowledge it, any other at once through `release`.
 */
export function publishDirectly(broker: Aedes, store: IndexedMemoryPersistence, onStoreError: (err: unknown) => void, release?: (publisher: Client, messageId: number) => void): void {
  if (!store.answersSynchronously) throw new Error('publishDirectly needs a store that answers synchronously');
  const internals = broker as unknown as Internals;

  function publish(packet: AedesPublishPacket, client?: Client | null | Done, done?: Done): void {
    if (typeof client === 'function') {
      done = client;
      client = null;
    }
    const callback = done ?? noop;
    const from = client ?? null;
    if (topicLevels(packet.topic) > internals.maxTopicLevels) {
      callback(new Error('topic has too many levels'));
      return;
    }
    const p = new Packet(packet, broker);
    // The memory store keeps a retained message synchronously (its promise only reports it).
    if (p.retain) store.storeRetained(p).catch(onStoreError);
    if (p.qos > 0) {
      let subs = store.matchNow(p.topic);
      if (subs.length > 0 && p.topic.startsWith(SYS_PREFIX)) subs = subs.filter(notWildcardFirst);
      const messageId = packet.messageId;
      if (release !== undefined && from !== null && packet.qos === 1 && messageId !== undefined) {
        // The PUBACK waits for the ingest's sessions that took the message, if any (broker/store-acks.ts).
        if (store.enqueueHeld(subs, p, from, messageId) === undefined) release(from, messageId);
      } else if (subs.length > 0) {
        store.enqueueNow(subs, p);
      }
    }
    if (from) p.clientId = from.id;
    internals.mq.emit(p, (err) => {
      if (err) {
        callback(err);
        return;
      }
      internals.published(packet, from, callback);
      broker.emit('publish', packet, from);
    });
  }

  (broker as unknown as { publish: typeof publish }).publish = publish;
}
