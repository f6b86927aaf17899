// Aedes' default in-memory persistence (aedes-persistence 11) with the outgoing queues of persistent
// sessions replaced by broker/outgoing-queue.ts, whose operations are O(1) instead of a scan per message.
// Topic matches come from a copy of the upstream subscription trie that answers synchronously (`matchNow`,
// `enqueueNow`: broker/direct-publish.ts calls them without promises). Everything else (storing subscriptions,
// retained messages, wills, incoming QoS 2) is the upstream code, and the result passes aedes-persistence's own
// abstract test suite, with and without broadcast subscriptions (test/unit/broker/memory-persistence-abstract.test.ts).
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { OutgoingQueue, type OutgoingPacket } from './outgoing-queue.js';
import { AckHold, type HoldingPacket } from './store-acks.js';
import type { Client } from 'aedes';

const require = createRequire(import.meta.url);

interface AsyncPersistence {
  storeRetained(packet: object): Promise<void>;
  addSubscriptions(client: { id: string }, subs: readonly unknown[]): Promise<void>;
  removeSubscriptions(client: { id: string }, subs: readonly string[]): Promise<void>;
  cleanSubscriptions(client: { id: string }): Promise<void>;
  subscriptionsByTopic(topic: string): Promise<readonly unknown[]>;
  outgoingEnqueue(sub: { clientId: string }, packet: OutgoingPacket): Promise<void>;
  outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: OutgoingPacket): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: OutgoingPacket): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: OutgoingPacket): Promise<OutgoingPacket | undefined>;
  outgoingStream(client: { id: string }): Readable;
}
type AsyncPersistenceClass = new (opts?: object) => AsyncPersistence;
type PacketClass = new (original: OutgoingPacket) => OutgoingPacket;
type CallBackPersistenceClass = new (factory: (opts: object) => AsyncPersistence, opts?: object) => unknown;

// Deep imports of aedes' own dependencies (CommonJS, no `exports` map): the same code Aedes runs by default.
const AsyncMemoryPersistence = require('aedes-persistence/asyncPersistence.js') as AsyncPersistenceClass;
const { CallBackPersistence } = require('aedes-persistence/callBackPersistence.js') as { CallBackPersistence: CallBackPersistenceClass };
const Packet = require('aedes-packet') as PacketClass;

/**
 * A queued copy of a QoS 1 message that may carry its publisher's held PUBACK (broker/store-acks.ts), with
 * `hold` a field from construction: added afterwards to an aedes-packet it went into a separate property array,
 * one more object per message that lives until the ingest has stored it (issue 19, the broker's GC time).
 */
class QueuedPacket extends Packet implements HoldingPacket {
  hold: AckHold | undefined;

  constructor(original: OutgoingPacket, hold: AckHold | undefined) {
    super(original);
    this.hold = hold;
  }
}

/** One fulfilled promise for every answer without a value: `.then` on it behaves as on a fresh one. */
const DONE: Promise<void> = Promise.resolve();

const NOTHING_QUEUED: readonly OutgoingPacket[] = Object.freeze([]);

/** Topics whose offline subscriptions are remembered (see `matchNow`); past this the memo starts over. */
const MATCH_MEMO_TOPICS = 16_384;

/** A persistent session's QoS > 0 subscription as the trie returns it (aedes-persistence's QlobberSub). */
export interface OfflineSubscription {
  readonly clientId: string;
  readonly topic: string;
  readonly qos: number;
}

interface SubscriptionTrie {
  add(topic: string, sub: object): void;
  remove(topic: string, sub: object): void;
  match(topic: string): OfflineSubscription[];
}
const QlobberSub = require('qlobber/aedes/qlobber-sub') as new (opts: object) => SubscriptionTrie;

export class IndexedMemoryPersistence extends AsyncMemoryPersistence {
  private readonly outgoing = new Map<string, OutgoingQueue>();
  /**
   * Our own copy of the upstream store's subscription trie (that one is a private field), kept by the same
   * rules, so a topic's subscriptions can be answered synchronously (`matchNow`, used by
   * broker/direct-publish.ts). Undefined when subscriptions are broadcast between brokers: those change the
   * upstream trie without passing through here, so then every answer comes from upstream.
   */
  private readonly trie: SubscriptionTrie | undefined;
  /** clientId → topic filter → QoS, as upstream keeps it (needed to know what a QoS 0 re-subscription removes). */
  private readonly stored = new Map<string, Map<string, number>>();
  /** Topic → matching subscriptions; cleared on every subscription change. */
  private readonly matched = new Map<string, readonly OfflineSubscription[]>();
  /** The ingest's durable sessions (broker/store-acks.ts): a copy queued for one holds its publisher's PUBACK. */
  private storeSessions: ReadonlySet<string> = new Set();
  /** Called when every ingest session has acknowledged (stored) a message that held its publisher's PUBACK. */
  onStored: (hold: AckHold) => void = () => undefined;

  constructor(opts: { broadcastSubscriptions?: boolean } = {}) {
    super(opts);
    // match_empty_levels: `foo/+/baz` matches `foo//baz` (§4.7.1.1, §4.7.1.3), as live delivery does (broker/emitter.ts);
    // upstream's trie does not, so a persistent session missed the message and, online, was disconnected (issue 14).
    this.trie = opts.broadcastSubscriptions ? undefined : new QlobberSub({ wildcard_one: '+', wildcard_some: '#', separator: '/', match_empty_levels: true });
  }

  /** True when `matchNow` and `enqueueNow` may be used (subscriptions not broadcast). */
  get answersSynchronously(): boolean {
    return this.trie !== undefined;
  }

  /** The persistent sessions' QoS > 0 subscriptions matching `topic` (a shared array: only read). */
  matchNow(topic: string): readonly OfflineSubscription[] {
    let subs = this.matched.get(topic);
    if (subs === undefined) {
      subs = this.trie!.match(topic);
      if (this.matched.size >= MATCH_MEMO_TOPICS) this.matched.clear();
      this.matched.set(topic, subs);
    }
    return subs;
  }

  /** Aedes asks this for every QoS > 0 message (enqueueOffline): the trie match splits the topic each time. */
  override subscriptionsByTopic(topic: string): Promise<readonly unknown[]> {
    return this.trie ? Promise.resolve(this.matchNow(topic)) : super.subscriptionsByTopic(topic);
  }

  override addSubscriptions(client: { id: string }, subs: readonly unknown[]): Promise<void> {
    const done = super.addSubscriptions(client, subs); // changes the upstream trie synchronously
    const trie = this.trie;
    if (trie) {
      // The same rules as upstream's addSubscriptions (aedes-persistence 11 asyncPersistence.js).
      let stored = this.stored.get(client.id);
      if (!stored) this.stored.set(client.id, (stored = new Map<string, number>()));
      for (const sub of subs as readonly { topic: string; qos: number; rh?: number; rap?: boolean; nl?: boolean }[]) {
        const before = stored.get(sub.topic);
        if (sub.qos > 0) trie.add(sub.topic, { clientId: client.id, topic: sub.topic, qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl });
        else if (before !== undefined && before > 0) trie.remove(sub.topic, { clientId: client.id, topic: sub.topic });
        stored.set(sub.topic, sub.qos);
      }
    }
    this.matched.clear();
    return done;
  }

  override removeSubscriptions(client: { id: string }, subs: readonly string[]): Promise<void> {
    const done = super.removeSubscriptions(client, subs);
    const stored = this.stored.get(client.id);
    if (this.trie && stored) {
      for (const topic of subs) {
        const qos = stored.get(topic);
        if (qos === undefined) continue;
        if (qos > 0) this.trie.remove(topic, { clientId: client.id, topic });
        stored.delete(topic);
      }
      if (stored.size === 0) this.stored.delete(client.id);
    }
    this.matched.clear();
    return done;
  }

  override cleanSubscriptions(client: { id: string }): Promise<void> {
    const done = super.cleanSubscriptions(client);
    const stored = this.stored.get(client.id);
    if (this.trie && stored) {
      for (const [topic, qos] of stored) if (qos > 0) this.trie.remove(topic, { clientId: client.id, topic });
      this.stored.delete(client.id);
    }
    this.matched.clear();
    return done;
  }

  private queueOf(clientId: string, create: boolean): OutgoingQueue | undefined {
    let queue = this.outgoing.get(clientId);
    if (!queue && create) this.outgoing.set(clientId, (queue = new OutgoingQueue()));
    return queue;
  }

  override outgoingEnqueue(sub: { clientId: string }, packet: OutgoingPacket): Promise<void> {
    this.queueOf(sub.clientId, true)!.enqueue(new Packet(packet));
    return DONE;
  }

  override outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: OutgoingPacket): Promise<void> {
    this.enqueueNow(subs, packet);
    return DONE;
  }

  /** `outgoingEnqueueCombi` without the promise. */
  enqueueNow(subs: readonly { clientId: string }[], packet: OutgoingPacket): void {
    for (let i = 0; i < subs.length; i++) this.queueOf(subs[i]!.clientId, true)!.enqueue(new Packet(packet));
  }

  /**
   * `enqueueNow` for a QoS 1 message whose publisher waits for its PUBACK: the copies queued for the ingest's
   * sessions carry one hold (made only when one matches). Returns it, or undefined when no ingest session took
   * the message (its PUBACK may go now).
   */
  enqueueHeld(subs: readonly { clientId: string }[], packet: OutgoingPacket, publisher: Client, messageId: number): AckHold | undefined {
    let hold: AckHold | undefined;
    for (let i = 0; i < subs.length; i++) {
      const clientId = subs[i]!.clientId;
      const held = this.storeSessions.has(clientId);
      if (held) {
        hold ??= new AckHold(publisher, messageId);
        hold.remaining++;
      }
      this.queueOf(clientId, true)!.enqueue(new QueuedPacket(packet, held ? hold : undefined));
    }
    return hold;
  }

  /**
   * Creates the ingest's durable sessions with their QoS 1 subscriptions (what the ingest subscribes to on
   * connecting), so messages queue for them from the first second; later PUBACKs from these sessions release
   * the held ones (broker/store-acks.ts).
   */
  createStoreSessions(sessions: readonly { clientId: string; filters: readonly string[] }[]): Promise<void> {
    this.storeSessions = new Set(sessions.map((s) => s.clientId));
    return Promise.all(sessions.map((s) => this.addSubscriptions({ id: s.clientId }, s.filters.map((topic) => ({ topic, qos: 1 }))))).then(() => undefined);
  }

  override outgoingUpdate(client: { id: string }, packet: OutgoingPacket): Promise<void> {
    const queue = this.queueOf(client.id, false);
    return queue?.update(packet) ? DONE : Promise.reject(new Error('no such packet'));
  }

  override outgoingClearMessageId(client: { id: string }, packet: OutgoingPacket): Promise<OutgoingPacket | undefined> {
    // Without a packet id this clears the session's earliest message not yet sent (aedes-persistence's scan
    // matches `undefined`). Aedes calls it so only for a message its dedupe drops (client.js deliverQoS: "we
    // consider this to be an error") — for the ingest's session that would release a device's held PUBACK for a
    // reading nobody stored. Only the session's own PUBACK (which has a packet id) clears its copies.
    if (packet.messageId === undefined && this.storeSessions.has(client.id)) return Promise.resolve(undefined);
    return Promise.resolve(this.clearNow(client.id, packet.messageId));
  }

  /** `outgoingClearMessageId` without the promise (a PUBACK from the session): releases a held PUBACK it completes. */
  clearNow(clientId: string, messageId: number | undefined): OutgoingPacket | undefined {
    const queue = this.queueOf(clientId, false);
    const cleared = queue?.clear(messageId);
    if (queue && queue.size === 0) this.outgoing.delete(clientId);
    const hold = (cleared as HoldingPacket | undefined)?.hold;
    if (hold !== undefined && --hold.remaining === 0) this.onStored(hold);
    return cleared;
  }

  /** `outgoingUpdate` of a queued message sent with `messageId`, steady state only (OutgoingQueue.markSent). */
  markSent(clientId: string, brokerId: string | undefined, brokerCounter: number, messageId: number): boolean {
    return this.queueOf(clientId, false)?.markSent(brokerId, brokerCounter, messageId) ?? false;
  }

  /** OutgoingQueue.sendState of a message in a session's queue ('absent' when the session has no queue). */
  sendState(clientId: string, brokerId: string | undefined, brokerCounter: number): 'unsent' | 'sent' | 'absent' {
    return this.queueOf(clientId, false)?.sendState(brokerId, brokerCounter) ?? 'absent';
  }

  /** True for the ingest's durable sessions (broker/store-acks.ts). */
  isStoreSession(clientId: string): boolean {
    return this.storeSessions.has(clientId);
  }

  override outgoingStream(client: { id: string }): Readable {
    return Readable.from(this.queuedNow(client.id));
  }

  /** The session's queued packets, oldest first, as `outgoingStream` streams them (broker/mqtt311.ts reads them here). */
  queuedNow(clientId: string): readonly OutgoingPacket[] {
    return this.queueOf(clientId, false)?.toArray() ?? NOTHING_QUEUED;
  }
}

/** The persistence object Aedes takes as its `persistence` option (the callback layer over the async store). */
export function createMemoryPersistence(opts: { broadcastSubscriptions?: boolean } = {}): unknown {
  return new CallBackPersistence((o) => new IndexedMemoryPersistence(o), opts);
}

/** The store inside a persistence made by `createMemoryPersistence`; undefined for any other persistence. */
export function indexedStoreOf(persistence: unknown): IndexedMemoryPersistence | undefined {
  const inner = (persistence as { asyncPersistence?: unknown } | null | undefined)?.asyncPersistence;
  return inner instanceof IndexedMemoryPersistence ? inner : undefined;
}
