// MQTT 3.1.1 where Aedes 1.2 does not follow it (issue 14), adapted from outside Aedes' code: its hooks
// (preConnect, authorizeSubscribe) and the persistence object it calls, wrapped once after Aedes.createBroker
// (broker-service.ts createAedes), for memory and Redis alike. Found with Mosquitto's broker test suite and the
// Eclipse Paho interoperability client; tested in test/integration/broker-mqtt311.test.ts. What upstream should
// take instead: docs/aedes-upstream.md. The Aedes internals relied on are pinned (broker/pinned-versions.ts).
//
// 1. Keepalive (§3.1.2.10): 0 means "no keepalive" and is accepted (we refused it with CONNACK 0x02, and 3.1.1 has
//    no way to tell a client another value). The server bounds idle connections with its own limit: a keepalive
//    of 0 or above MQTT_KEEPALIVE_MAX_S is treated as MQTT_KEEPALIVE_MAX_S, so Aedes closes the connection after
//    1.5 × that many seconds without a packet (MQTT-3.1.2-24; aedes/lib/handlers/connect.js setKeepAlive).
// 2. Session Present (MQTT-3.2.2-2): Aedes answers 1 only when the session has subscriptions (connect.js
//    restoreSubs). A CleanSession = 0 session now carries a marker subscription ($ruong/session, QoS 0) in the
//    persistence, added when the session is created: it lives where subscriptions live (memory or Redis, shared by
//    every broker), goes with them on CleanSession = 1 (cleanSubscriptions, MQTT-3.1.2-6), makes Aedes answer 1,
//    and is never activated (authorizeSubscribe drops it on restore; nobody may subscribe to or publish on `$`).
// 3. DUP (MQTT-3.3.1-1): Aedes re-sends a session's unacknowledged QoS 1/2 PUBLISH packets on reconnect with
//    DUP = 0 (connect.js emptyQueue). A queued packet that has a packet id was sent before (Aedes records the id
//    with outgoingUpdate before it writes), so it goes out again with DUP = 1.
// 4. `+` matches an empty level (§4.7.1.1, §4.7.1.3): the in-memory persistence matches retained messages
//    without qlobber's match_empty_levels, so `foo/+/baz` missed a retained `foo//baz`; retained messages are
//    matched here with it (the Redis persistence already does). Queued messages: broker/memory-persistence.ts.
import { Readable } from 'node:stream';
import type { Aedes } from 'aedes';
import { Qlobber } from './qlobber-class.js';
import { assertPinnedVersions } from './pinned-versions.js';
import { NO_QUEUED_PACKETS, installEmptyQueueShortcut } from './empty-queue.js';
import { indexedStoreOf } from './memory-persistence.js';

/** The marker subscription of a CleanSession = 0 session (see 2. above). `$` topics are nobody's (acl.ts). */
export const SESSION_MARKER_TOPIC = '$ruong/session';

/** The keepalive the server enforces for the one a CONNECT asks for (see 1. above). */
export function enforcedKeepalive(requestedS: number, maxS: number): number {
  return requestedS === 0 || requestedS > maxS ? maxS : requestedS;
}

interface Subscription {
  readonly topic: string;
  readonly qos: number;
}

interface QueuedPacket {
  readonly cmd?: string;
  readonly messageId?: number | null;
  readonly dup?: boolean;
}

/** The promise API of aedes-persistence's CallBackPersistence (memory and Redis) that is wrapped here. */
interface Persistence {
  subscriptionsByClient(client: { id: string }, cb?: unknown): Promise<Subscription[]> | undefined;
  addSubscriptions(client: { id: string }, subs: Subscription[], cb?: unknown): Promise<unknown> | undefined;
  removeSubscriptions(client: { id: string }, topics: string[], cb?: unknown): Promise<unknown> | undefined;
  outgoingStream(client: { id: string }): Readable | typeof NO_QUEUED_PACKETS;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

export interface Mqtt311Options {
  readonly keepaliveMaxS: number;
  /** The in-memory persistence (broker/memory-persistence.ts): its retained messages are matched here. */
  readonly memory: boolean;
}

/** Applies 1–4 above to a broker made by Aedes.createBroker (once, before it accepts connections). */
export function adaptToMqtt311(broker: Aedes, opts: Mqtt311Options): void {
  assertPinnedVersions();
  const preConnect = broker.preConnect.bind(broker);
  broker.preConnect = (client, packet, done) => {
    packet.keepalive = enforcedKeepalive(packet.keepalive ?? 0, opts.keepaliveMaxS); // §3.1.2.10, MQTT-3.1.2-24
    preConnect(client, packet, done);
  };
  const authorizeSubscribe = broker.authorizeSubscribe.bind(broker);
  broker.authorizeSubscribe = (client, sub, done) => {
    if (sub.topic === SESSION_MARKER_TOPIC) done(null, null); // restored marker: nothing to activate
    else authorizeSubscribe(client, sub, done);
  };
  const persistence = (broker as unknown as { persistence: Persistence }).persistence;
  markSessions(persistence);
  markRedeliveries(persistence, opts.memory ? indexedStoreOf(persistence) : undefined);
  if (opts.memory) matchEmptyLevelsInRetained(persistence);
}

const isMarker = (sub: Subscription) => sub.topic === SESSION_MARKER_TOPIC;

/** 2.: Aedes asks for a session's subscriptions only when a CleanSession = 0 client connects (connect.js fetchSubs). */
function markSessions(p: Persistence): void {
  const subscriptionsByClient = p.subscriptionsByClient.bind(p);
  const addSubscriptions = p.addSubscriptions.bind(p);
  const removeSubscriptions = p.removeSubscriptions.bind(p);
  p.subscriptionsByClient = (client, cb) => {
    if (cb !== undefined) return subscriptionsByClient(client, cb);
    return subscriptionsByClient(client)!.then(async (subs) => {
      // No marker: the session starts now (Session Present 0 this time, MQTT-3.2.2-3), and is marked for the next.
      if (!subs.some(isMarker)) await addSubscriptions({ id: client.id }, [{ topic: SESSION_MARKER_TOPIC, qos: 0 }]);
      return subs;
    });
  };
  // An UNSUBSCRIBE naming the marker does not end the session.
  p.removeSubscriptions = (client, topics, cb) => {
    if (cb !== undefined || !topics.includes(SESSION_MARKER_TOPIC)) return removeSubscriptions(client, topics, cb);
    const others = topics.filter((t) => t !== SESSION_MARKER_TOPIC);
    return others.length > 0 ? removeSubscriptions(client, others) : Promise.resolve();
  };
}

/**
 * 3.: the session's queue as Aedes re-sends it on CONNECT (connect.js emptyQueue), with DUP = 1 where it was sent.
 * In memory the queue is read at once into one stream (Aedes asks on every CONNECT, clean or not: three streams and
 * two async iterators per connection before, a tenth of a connect's CPU — issue 19, docs/benchmarks.md). An empty
 * queue, the usual case, is not even a stream: NO_QUEUED_PACKETS, which Aedes' pipeline finishes at once
 * (broker/empty-queue.ts).
 */
function markRedeliveries(p: Persistence, memory: { queuedNow(clientId: string): readonly QueuedPacket[] } | undefined): void {
  if (memory) {
    installEmptyQueueShortcut();
    p.outgoingStream = (client) => {
      const queued = memory.queuedNow(client.id);
      return queued.length === 0 ? NO_QUEUED_PACKETS : Readable.from(queued.map(redelivery));
    };
    return;
  }
  const outgoingStream = p.outgoingStream.bind(p);
  p.outgoingStream = (client) => Readable.from(redeliveries(outgoingStream(client) as Readable));
}

async function* redeliveries(queue: Readable): AsyncGenerator<QueuedPacket> {
  for await (const packet of queue as AsyncIterable<QueuedPacket>) yield redelivery(packet);
}

/** MQTT-3.3.1-1 (a PUBREL has no DUP flag: MQTT-3.6.1-1 fixes its flags). */
function redelivery(packet: QueuedPacket): QueuedPacket {
  return packet.cmd === 'publish' && packet.messageId ? { ...packet, dup: true } : packet;
}

/** 4.: retained messages matched with `+` matching an empty level, in upstream's order (pattern by pattern). */
function matchEmptyLevelsInRetained(p: Persistence): void {
  const all = p.createRetainedStream.bind(p, '#');
  p.createRetainedStreamCombi = (patterns) => Readable.from(retainedMatching(all(), patterns));
  p.createRetainedStream = (pattern) => Readable.from(retainedMatching(all(), [pattern]));
}

async function* retainedMatching(retained: Readable, patterns: readonly string[]): AsyncGenerator<{ topic: string }> {
  const packets: { topic: string }[] = [];
  for await (const packet of retained as AsyncIterable<{ topic: string }>) packets.push(packet);
  for (const pattern of patterns) {
    const matcher = new Qlobber<true>({ separator: '/', wildcard_one: '+', wildcard_some: '#', match_empty_levels: true });
    matcher.add(pattern, true);
    for (const packet of packets) if (matcher.match(packet.topic).length > 0) yield packet;
  }
}
