// Aedes' default in-memory persistence (aedes-persistence 11) with the outgoing queues of persistent
// sessions replaced by broker/outgoing-queue.ts, whose operations are O(1) instead of a scan per message.
// Everything else (subscriptions, retained messages, wills, incoming QoS 2) is the upstream code, and the
// result passes aedes-persistence's own abstract test suite (test/unit/broker/memory-persistence.test.ts).
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { OutgoingQueue, type OutgoingPacket } from './outgoing-queue.js';

const require = createRequire(import.meta.url);

interface AsyncPersistence {
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

/** Topics whose offline subscriptions are remembered (see `subscriptionsByTopic`); past this the memo starts over. */
const MATCH_MEMO_TOPICS = 16_384;

export class IndexedMemoryPersistence extends AsyncMemoryPersistence {
  private readonly outgoing = new Map<string, OutgoingQueue>();
  /** Topic → persistent sessions' subscriptions matching it; cleared on every subscription change. Off when
   *  subscriptions are broadcast between brokers (those change the trie without passing through here). */
  private readonly matched: Map<string, Promise<readonly unknown[]>> | undefined;

  constructor(opts: { broadcastSubscriptions?: boolean } = {}) {
    super(opts);
    this.matched = opts.broadcastSubscriptions ? undefined : new Map();
  }

  /** Aedes asks this for every QoS > 0 message (enqueueOffline): the trie match splits the topic each time. */
  override subscriptionsByTopic(topic: string): Promise<readonly unknown[]> {
    const matched = this.matched;
    if (!matched) return super.subscriptionsByTopic(topic);
    let subs = matched.get(topic);
    if (subs === undefined) {
      subs = super.subscriptionsByTopic(topic);
      if (matched.size >= MATCH_MEMO_TOPICS) matched.clear();
      matched.set(topic, subs);
    }
    return subs;
  }

  override addSubscriptions(client: { id: string }, subs: readonly unknown[]): Promise<void> {
    const done = super.addSubscriptions(client, subs); // changes the trie synchronously
    this.matched?.clear();
    return done;
  }

  override removeSubscriptions(client: { id: string }, subs: readonly string[]): Promise<void> {
    const done = super.removeSubscriptions(client, subs);
    this.matched?.clear();
    return done;
  }

  override cleanSubscriptions(client: { id: string }): Promise<void> {
    const done = super.cleanSubscriptions(client);
    this.matched?.clear();
    return done;
  }

  private queueOf(clientId: string, create: boolean): OutgoingQueue | undefined {
    let queue = this.outgoing.get(clientId);
    if (!queue && create) this.outgoing.set(clientId, (queue = new OutgoingQueue()));
    return queue;
  }

  override outgoingEnqueue(sub: { clientId: string }, packet: OutgoingPacket): Promise<void> {
    this.queueOf(sub.clientId, true)!.enqueue(new Packet(packet));
    return Promise.resolve();
  }

  override outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: OutgoingPacket): Promise<void> {
    for (const sub of subs) this.queueOf(sub.clientId, true)!.enqueue(new Packet(packet));
    return Promise.resolve();
  }

  override outgoingUpdate(client: { id: string }, packet: OutgoingPacket): Promise<void> {
    const queue = this.queueOf(client.id, false);
    return queue?.update(packet) ? Promise.resolve() : Promise.reject(new Error('no such packet'));
  }

  override outgoingClearMessageId(client: { id: string }, packet: OutgoingPacket): Promise<OutgoingPacket | undefined> {
    const queue = this.queueOf(client.id, false);
    const cleared = queue?.clear(packet.messageId);
    if (queue && queue.size === 0) this.outgoing.delete(client.id);
    return Promise.resolve(cleared);
  }

  override outgoingStream(client: { id: string }): Readable {
    return Readable.from(this.queueOf(client.id, false)?.toArray() ?? []);
  }
}

/** The persistence object Aedes takes as its `persistence` option (the callback layer over the async store). */
export function createMemoryPersistence(opts: { broadcastSubscriptions?: boolean } = {}): unknown {
  return new CallBackPersistence((o) => new IndexedMemoryPersistence(o), opts);
}
