// The ingest's QoS 1 deliveries and PUBACKs without Aedes' per-message machinery (issue 19, broker CPU per message;
// docs/benchmarks.md "Broker CPU per message: the ingest's deliveries without Aedes' copies").
// In Aedes 1.2 a device's reading reaches the ingest's durable session (broker/store-acks.ts) through
//   handlers/subscribe.js `handlePacketSubscription`: a copy of the packet (aedes-packet) with `nl` added after
//   construction (a separate property array); client.js `deliverQoS`: a setImmediate, a `QoSPacket` (a third copy,
//   with a bound writeCallback), `persistence.outgoingUpdate` and its `.then`; write.js: mqtt-packet's
//   `writeToStream` (the packet in five pieces) and a setImmediate for the callback;
// and the ingest's PUBACK comes back through handlers/puback.js `handlePuback`: `outgoingClearMessageId`'s promise
// and a `.then` per PUBACK.
// Here, for the ingest's sessions with the in-memory store (broker/memory-persistence.ts) and our emitter:
// - Delivery: the emitter calls `deliver` instead of Aedes' subscription function (Emitter.substitute), which
//   does the same steps in the same order without the copies: the same checks (dedupe by broker id and counter,
//   client.js `dedupe`), the next packet id as `QoSPacket` takes it (client._nextId, 1…65535), the queued copy
//   marked as sent with it (`outgoingUpdate`: OutgoingQueue.markSent) *before* the frame goes, the PUBLISH frame
//   built in one Buffer (MQTT 3.1.1 §3.3.1 fixed header with DUP as received and RETAIN 0 — MQTT-3.3.1-9 —,
//   §2.2.3 remaining length, §3.3.2 topic name and packet identifier, §3.3.3 payload) and written to the
//   connection (broker/guarded-connection.ts joins it with the turn's other bytes), then the emitter's `done` at
//   once — or on 'drain' when the socket is full, as write.js does, which holds the devices back (read-pause.ts).
// - PUBACK (§3.4): the queued copy is cleared at once (what `outgoingClearMessageId` does; it releases the device's
//   held PUBACK once every ingest session has its copy, store-acks.ts), 'ack' is emitted, the keepalive timer is
//   refreshed (handlers/index.js `handle`), and the parser's batch count (client.js `enqueue` / `nextBatch`) is
//   settled in one microtask per read instead of a promise chain per PUBACK.
// Everything else goes to Aedes, unchanged: other subscribers (rules, notifier, other sessions) are the emitter's
// other listeners and get the message as before; QoS 0 and QoS 2, `$` topics, a payload that is not a Buffer,
// MQTT 5 subscription options (no-local, retain-as-published), a duplicate, a message without a broker id, a
// queue out of its steady state (OutgoingQueue's indexed mode). While emptyQueue re-sends the session's queue after
// a CONNECT, live messages wait for it to finish, then go out unless emptyQueue sent them; a connection that is
// gone takes nothing (the queued copies wait for the next one). See `SessionLink.deliver`. Once a message went to Aedes, later ones for the session go there too until
// Aedes has written it, so the session's PUBLISH packets keep the order they were published in (MQTT-4.6.0-6).
// Only with Aedes' default authorizeForward (the broker sets none); the Aedes internals used are pinned
// (broker/pinned-versions.ts).
import type { Aedes } from 'aedes';
import type { Emitter, EmitterListener, EmitterMessage } from './emitter.js';
import type { IndexedMemoryPersistence } from './memory-persistence.js';

/** The parts of an Aedes 1.2 client (lib/client.js) this module reads or keeps up to date. */
interface AedesClient {
  readonly id: string | null;
  readonly clean: boolean;
  readonly connected: boolean;
  readonly connackSent: boolean;
  readonly closed: boolean;
  readonly errored: boolean;
  readonly conn: { write(bytes: Buffer): boolean; once(event: 'close', listener: () => void): unknown };
  /** 'connected': emitted once emptyQueue has re-sent the session's queue (handlers/connect.js). */
  once(event: 'connected', listener: () => void): unknown;
  /** Next outgoing packet id (qos-packet.js). */
  _nextId: number;
  /** Packets of the current read still being handled (enqueue / nextBatch). */
  _parsingBatch: number;
  readonly _nextBatch: (err?: Error | null) => void;
  readonly _keepaliveInterval: number;
  readonly _keepaliveTimer: { refresh(): unknown } | null;
  readonly _parser: Parser;
  /** brokerId → highest brokerCounter forwarded (client.js `dedupe`). */
  readonly duplicates: Record<string, number | undefined>;
  readonly subscriptions: Record<string, Subscription | undefined>;
  waitForDrain(callback: (err: Error | null) => void): void;
  emit(event: string, ...args: unknown[]): boolean;
}

/** handlers/subscribe.js `Subscription`. */
interface Subscription {
  readonly qos: number;
  readonly func: unknown;
  readonly rap?: boolean | undefined;
  readonly nl?: boolean | undefined;
}

type PacketListener = (this: unknown, packet: { cmd: string; messageId?: number }) => void;

interface Parser {
  listeners(event: 'packet'): PacketListener[];
  removeListener(event: 'packet', listener: PacketListener): unknown;
  on(event: 'packet', listener: PacketListener): unknown;
}

/** The published message as broker/direct-publish.ts hands it to the emitter (an aedes-packet). */
interface Message extends EmitterMessage {
  readonly payload: unknown;
  readonly qos: number;
  readonly dup?: boolean;
  readonly brokerId?: string;
  readonly brokerCounter?: number;
}

interface AedesInternals {
  authorizeForward: { readonly name: string };
  preConnect(client: AedesClient, packet: { clientId?: string }, done: (err: Error | null, ok: boolean) => void): void;
  subscribe(topic: string, func: EmitterListener, done?: (err?: Error | null) => void): void;
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
}

type Done = () => void;

/** A message held while the session's queue is being re-sent (see `SessionLink.deliver`). */
interface Held {
  readonly sub: Subscription;
  readonly message: Message;
  readonly original: EmitterListener;
  readonly emitter: Emitter;
}

function noop(): void {}

const PUBLISH_QOS1 = 0x32; // §3.3.1: type 3, QoS 1 (bits 1–2), RETAIN 0
const DUP = 0x08;
const DOLLAR = 36;
const MAX_REMAINING = 268_435_455; // §2.2.3: four bytes of remaining length

/** Messages written and PUBACKs handled by this path, since the process started (tests check the path is taken). */
export const storeSessionDeliveryCounts = { delivered: 0, acked: 0, waitedForDrain: 0, alreadySent: 0, heldForReplay: 0 };

/** A PUBLISH with QoS 1 in one Buffer (what mqtt-packet's writeToStream writes in pieces); undefined if not encodable. */
export function publishFrame(topic: string, payload: Buffer, messageId: number, dup: boolean): Buffer | undefined {
  const topicLength = Buffer.byteLength(topic);
  const remaining = 2 + topicLength + 2 + payload.length;
  if (topicLength > 0xffff || remaining > MAX_REMAINING) return undefined;
  const lengthBytes = remaining < 0x80 ? 1 : remaining < 0x4000 ? 2 : remaining < 0x200000 ? 3 : 4;
  const frame = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  frame[0] = dup ? PUBLISH_QOS1 | DUP : PUBLISH_QOS1;
  let i = 1;
  let left = remaining;
  do {
    const digit = left % 128;
    left = Math.floor(left / 128);
    frame[i++] = left > 0 ? digit | 0x80 : digit;
  } while (left > 0);
  frame[i++] = topicLength >> 8;
  frame[i++] = topicLength & 0xff;
  i += frame.write(topic, i, 'utf8');
  frame[i++] = messageId >> 8;
  frame[i++] = messageId & 0xff;
  payload.copy(frame, i);
  return frame;
}

/** One connection of an ingest session. */
class SessionLink {
  /** Messages handed to Aedes and not yet written by it: later ones wait behind them (see the header). */
  private viaAedes = 0;
  /** PUBACKs handled since the last settle (their `_parsingBatch` counts). */
  private acksDue = 0;
  /** Messages that came while emptyQueue was re-sending the queue, in the order they came (see `deliver`). */
  private held: Held[] = [];
  /** True while `release` works through `held` (a `release` from inside it does nothing). */
  private releasing = false;

  constructor(
    readonly client: AedesClient,
    private readonly broker: AedesInternals,
    private readonly store: IndexedMemoryPersistence,
  ) {}

  /** The emitter's listener in place of Aedes' subscription function `original` (of Subscription `sub`). */
  listenerFor(sub: Subscription, original: EmitterListener, emitter: Emitter): EmitterListener {
    return (message: EmitterMessage, done: Done): void => {
      if (!this.deliver(sub, message as Message, done, original, emitter, true)) this.toAedes(emitter, original, message, done);
    };
  }

  /**
   * Writes the message to the session if it is the hot case; false = nothing done, Aedes' path takes it.
   * Every message this sees was queued for the session when it was published (aedes.js enqueueOffline runs
   * before the emitter), so a connection that cannot take it now loses nothing: its queued copy stays for emptyQueue.
   */
  private deliver(sub: Subscription, message: Message, done: Done, original: EmitterListener, emitter: Emitter, fresh: boolean): boolean {
    const c = this.client;
    const payload = message.payload;
    const brokerId = message.brokerId;
    const counter = message.brokerCounter;
    if (message.qos !== 1 || c.clean) return false;
    if (sub.qos < 1 || sub.nl || sub.rap || !Buffer.isBuffer(payload) || message.topic.charCodeAt(0) === DOLLAR) return false;
    // deliverQoS downgrades to the subscription named exactly like the topic, if there is one.
    const exact = c.subscriptions[message.topic];
    if (exact !== undefined && (exact.qos || 0) < 1) return false;
    // From the session's subscriptions being restored to emptyQueue's end (handlers/connect.js restoreSubs …
    // emptyQueue), messages reach the session live while emptyQueue re-sends what was queued before. Aedes' path
    // would send such a message ahead of older ones, and a second time when emptyQueue reaches it (a new packet id,
    // DUP = 0) — or, once the session has acknowledged emptyQueue's copy, fail `outgoingUpdate` ('no such packet')
    // and close the session's connection, which then reconnects into the same race. Such a message waits here
    // instead until emptyQueue is through; then every held message goes through the steps below in the order it
    // came (`release`): sent if emptyQueue has not sent it (it was queued after emptyQueue started), skipped if it
    // has. Held before the dedupe below, so that it sees the held messages in order. Its emitter delivery is done
    // at once: it is queued for the session already (nothing is lost if this connection goes), the device's PUBACK
    // waits for the ingest's anyway (store-acks.ts), and the emitter's other listeners (`ruong rules`, other
    // subscribers) keep getting messages while a long queue is re-sent. What waits here is also in the session's
    // queue (until the ingest stores it), so this list grows no faster than that queue, and empties when emptyQueue ends.
    if (fresh && (!c.connected || this.held.length > 0) && !c.closed && !c.errored) {
      this.held.push({ sub, message, original, emitter });
      storeSessionDeliveryCounts.heldForReplay++;
      done();
      return true;
    }
    // client.js dedupe: a message from a broker is forwarded once (duplicates are left to Aedes' own handling).
    if (brokerId === undefined || typeof counter !== 'number' || !((c.duplicates[brokerId] ?? 0) < counter)) return false;
    // A connection that is gone (dropped, or taken over by the session's next one): its queued copy waits for the
    // next connection's emptyQueue. Aedes' path would record a packet id for it that no connection was sent —
    // over the next connection's own id, if that one has already re-sent it.
    if (c.closed || c.errored) {
      done();
      return true;
    }
    // A message still in the emitter's backlog when the session reconnected: Aedes' emptyQueue has already sent
    // its queued copy on this connection (it re-sends the whole queue before the client counts as connected, and
    // does not record it in `duplicates`), or the session has even acknowledged it. Aedes would send it again
    // with a new packet id and DUP = 0, or — once acknowledged — fail `outgoingUpdate` ('no such packet') and
    // close the session's connection. Nothing is written here for it: its one copy is out, or stored.
    // (Queued at publish time — aedes.js enqueueOffline runs before the emitter — so 'absent' means acknowledged.)
    const state = this.store.sendState(c.id!, brokerId, counter);
    if (state !== 'unsent') {
      c.duplicates[brokerId] = counter;
      storeSessionDeliveryCounts.alreadySent++;
      done();
      return true;
    }
    if (this.viaAedes > 0) return false;
    const messageId = c._nextId;
    const frame = publishFrame(message.topic, payload, messageId, message.dup === true);
    // outgoingUpdate: the queued copy now carries the packet id it is sent with (redelivered with it, DUP = 1).
    if (frame === undefined || !this.store.markSent(c.id!, brokerId, counter, messageId)) return false;
    c.duplicates[brokerId] = counter;
    c._nextId = messageId >= 65535 ? 1 : messageId + 1; // qos-packet.js
    storeSessionDeliveryCounts.delivered++;
    if (c.conn.write(frame) || c.errored) {
      done();
    } else {
      storeSessionDeliveryCounts.waitedForDrain++;
      c.waitForDrain((err) => {
        if (err) c.emit('error', err); // as writeQoS
        done();
      });
    }
    return true;
  }

  /**
   * emptyQueue is through ('connected'): the held messages go on, in the order they came. The emitter may hand
   * this listener its next message inside this loop (a write's 'drain', an Aedes callback): that one joins the end
   * of `held`, or it would overtake the held ones — which the dedupe by counter would then take for duplicates and
   * hand to Aedes, whose dedupe branch clears a queued copy (client.js deliverQoS; see memory-persistence.ts
   * `outgoingClearMessageId`).
   */
  readonly release = (): void => {
    if (this.releasing) return;
    this.releasing = true;
    try {
      for (let i = 0; i < this.held.length; i++) {
        const h = this.held[i]!;
        if (!this.deliver(h.sub, h.message, noop, h.original, h.emitter, false)) this.toAedes(h.emitter, h.original, h.message, noop);
      }
    } finally {
      this.held = [];
      this.releasing = false;
    }
  };

  /** The connection is gone before emptyQueue was through: the held messages' queued copies wait for the next one. */
  readonly drop = (): void => {
    this.held = [];
  };

  private toAedes(emitter: Emitter, original: EmitterListener, message: EmitterMessage, done: Done): void {
    this.viaAedes++;
    original.call(emitter, message, () => {
      this.viaAedes--;
      done();
    });
  }

  /** Replaces the parser's packet listener (client.js `enqueue`) so that PUBACKs are handled here. */
  takePubacks(): void {
    const parser = this.client._parser;
    const listeners = parser.listeners('packet');
    if (listeners.length !== 1) return; // not the parser this was written against: leave it
    const enqueue = listeners[0]!;
    parser.removeListener('packet', enqueue);
    parser.on('packet', (packet) => {
      if (packet.cmd !== 'puback' || !this.puback(packet.messageId)) enqueue.call(parser, packet);
    });
  }

  /** handlePuback without its promise; false when Aedes has to handle it (not connected). */
  private puback(messageId: number | undefined): boolean {
    const c = this.client;
    if (!c.connected || c.closed || !c.connackSent) return false;
    c._parsingBatch++; // enqueue
    const cleared = this.store.clearNow(c.id!, messageId);
    storeSessionDeliveryCounts.acked++;
    if (this.broker.listenerCount('ack') > 0) this.broker.emit('ack', cleared, c);
    if (c._keepaliveInterval > 0) c._keepaliveTimer?.refresh(); // handlers/index.js
    if (this.acksDue++ === 0) queueMicrotask(this.settleAcks);
    return true;
  }

  /** Each handled PUBACK's `done` (nextBatch): the last one of a read asks for the next read, as in Aedes. */
  private readonly settleAcks = (): void => {
    let n = this.acksDue;
    this.acksDue = 0;
    while (n-- > 0) this.client._nextBatch();
  };
}

/**
 * Installs the path above on an Aedes broker made with `store` (memory, subscriptions not broadcast, the ingest's
 * sessions created) and `emitter` as its `mq`. Returns false, changing nothing, if Aedes forwards through a custom
 * authorizeForward.
 */
export function deliverToStoreSessions(aedes: Aedes, store: IndexedMemoryPersistence, emitter: Emitter): boolean {
  const broker = aedes as unknown as AedesInternals;
  if (broker.authorizeForward.name !== 'defaultAuthorizeForward') return false;
  // Clients connecting with an ingest session's id; their subscriptions are recognised in `subscribe` below (Aedes
  // restores them before the client is registered, so `aedes.clients` does not have it yet).
  const links = new Map<AedesClient, SessionLink>();
  const preConnect = broker.preConnect.bind(broker);
  broker.preConnect = (client, packet, done) => {
    if (packet.clientId !== undefined && store.isStoreSession(packet.clientId)) {
      for (const c of links.keys()) if (c.closed) links.delete(c);
      const link = new SessionLink(client, broker, store);
      links.set(client, link);
      // Forget the client with its socket: a connection closed during a later one's takeover, or one that never
      // authenticated, would otherwise stay held here (socket, parser, subscriptions) until the next ingest CONNECT.
      client.conn.once('close', () => {
        links.delete(client);
        link.drop();
      });
      client.once('connected', link.release);
      link.takePubacks();
    }
    preConnect(client, packet, done);
  };
  // handlers/subscribe.js addSubs: `client.subscriptions[topic] = new Subscription(qos, func, …)`, then
  // `broker.subscribe(topic, func, done)`; `broker.unsubscribe(topic, func)` removes it (and its substitute).
  const subscribe = broker.subscribe.bind(broker);
  broker.subscribe = (topic, func, done) => {
    for (const [c, link] of links) {
      const sub = c.subscriptions[topic];
      if (sub !== undefined && sub.func === func && !c.closed) {
        emitter.substitute(func, link.listenerFor(sub, func, emitter));
        break;
      }
    }
    subscribe(topic, func, done);
  };
  return true;
}
