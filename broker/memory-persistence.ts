// Aedes' default in-memory persistence (aedes-persistence 11) with the outgoing queues of persistent
// sessions replaced by broker/outgoing-queue.ts, whose operations are O(1) instead of a scan per message.
// Everything else (subscriptions, retained messages, wills, incoming QoS 2) is the upstream code, and the
// result passes aedes-persistence's own abstract test suite (test/unit/broker/memory-persistence.test.ts).
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { OutgoingQueue, type OutgoingPacket } from './outgoing-queue.js';

const require = createRequire(import.meta.url);

interface AsyncPersistence {
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

export class IndexedMemoryPersistence extends AsyncMemoryPersistence {
  private readonly outgoing = new Map<string, OutgoingQueue>();

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
