// Ingest sharding (issue 9, docs/deploy.md "Sharded ingest workers"). Aedes has no shared subscriptions, so
// when INGEST_SHARDS > 1 every broker routes each uplink the ingest consumes to one of S shard topics,
//   ingest/{shard}/{original topic},   shard = FNV-1a(device key) mod S,
// where the device key is the device id (devices/{id}/up…, The Things Stack v3/…/devices/{id}/up) or the
// DevEUI (ChirpStack application/…/device/{devEui}/event/…). One device always lands on one shard, so its
// readings stay in order. Each shard is one durable MQTT session (client id `ruong-ingest-s{shard}`,
// clean = false, filter `ingest/{shard}/#`) held by exactly one ingest worker at a time: the session, and the
// QoS 1 messages queued in it, outlive any worker (Redis persistence), so a shard moves between workers
// without losing a message. Every broker and every worker must use the same S.
import { interopSubscriptions, interopTopics } from './interop-topics.js';
import { topics } from './topics.js';

export const SHARD_ROOT = 'ingest';
/** Upper bound of INGEST_SHARDS: shard numbers are short topic levels and session ids. */
export const MAX_SHARDS = 1024;

/** FNV-1a, 32 bit (http://www.isthe.com/chongo/tech/comp/fnv/): fast, stable across processes and releases. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function shardOfKey(key: string, shards: number): number {
  return fnv1a(key) % shards;
}

/**
 * The device key of a topic the ingest consumes, or undefined for any other topic (status, downlinks,
 * alerts…), which is never rewritten: devices/{id}/up, devices/{id}/up/thingsboard, v3/{app}/devices/{id}/up,
 * application/{app}/device/{devEui}/event/{event}.
 */
export function shardKeyOfTopic(topic: string): string | undefined {
  const levels = topic.split('/');
  const [root] = levels;
  if (root === 'devices') {
    if (levels.length === 3 && levels[2] === 'up') return levels[1];
    if (levels.length === 4 && levels[2] === 'up' && topic === interopTopics.thingsboard(levels[1]!)) return levels[1];
    return undefined;
  }
  if (root === 'v3') return levels.length === 5 && levels[2] === 'devices' && levels[4] === 'up' ? levels[3] : undefined;
  if (root === 'application') {
    return levels.length === 6 && levels[2] === 'device' && levels[4] === 'event' ? levels[3]!.toLowerCase() : undefined;
  }
  return undefined;
}

/** The topic a broker publishes an ingest-bound uplink under; other topics are returned unchanged. */
export function shardTopic(topic: string, shards: number): string {
  if (shards <= 1) return topic;
  const key = shardKeyOfTopic(topic);
  return key === undefined ? topic : `${SHARD_ROOT}/${shardOfKey(key, shards)}/${topic}`;
}

/** The original topic of a shard topic (ingest/{n}/…), or the topic itself. */
export function unshardTopic(topic: string): string {
  if (!topic.startsWith(`${SHARD_ROOT}/`)) return topic;
  const slash = topic.indexOf('/', SHARD_ROOT.length + 1);
  return slash < 0 ? topic : topic.slice(slash + 1);
}

export const shardFilter = (shard: number): string => `${SHARD_ROOT}/${shard}/#`;
/** Every shard: what a reader of all uplinks (`ruong rules`) subscribes to when the ingest is sharded. */
export const allShardsFilter = `${SHARD_ROOT}/+/#`;
/** The durable session of one shard; starts with the ingest service name, as its credential requires. */
export const shardClientId = (serviceName: string, shard: number): string => `${serviceName}-s${shard}`;

/** True for a filter only the ingest service may subscribe to: one shard, or all of them. */
export function isShardFilter(filter: string): boolean {
  if (filter === allShardsFilter) return true;
  const m = /^ingest\/(\d{1,4})\/#$/.exec(filter);
  return m !== null && Number(m[1]) < MAX_SHARDS;
}

/** The unsharded ingest's subscriptions: every device uplink and the network servers' uplink topics. */
export const unshardedIngestFilters = (): string[] => [topics.allUp, ...interopSubscriptions];

/** A durable MQTT session the ingest holds: its client id and what it subscribes to. */
export interface IngestSession {
  readonly clientId: string;
  readonly filters: readonly string[];
}

/**
 * Every durable session the ingest (service `serviceName`) holds with `shards` shards. A broker without Redis
 * creates them at start so uplinks queue for the ingest before it (re)connects, and holds a publisher's PUBACK
 * until one of these sessions has acknowledged the message, i.e. stored it (broker/store-acks.ts).
 */
export function ingestSessions(serviceName: string, shards: number): IngestSession[] {
  if (shards <= 1) return [{ clientId: serviceName, filters: unshardedIngestFilters() }];
  return Array.from({ length: shards }, (_, shard) => ({ clientId: shardClientId(serviceName, shard), filters: [shardFilter(shard)] }));
}
