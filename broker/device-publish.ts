// A client's QoS 1 PUBLISH without Aedes' per-message machinery (issue 19, broker CPU per message;
// docs/benchmarks.md "Broker CPU per message: the devices' QoS 1 PUBLISH without Aedes' handler").
// In Aedes 1.2 every packet a client sends goes from its parser's 'packet' event to lib/client.js `enqueue`
// (`_parsingBatch++`, then handlers/index.js `handle`), and a QoS 1 PUBLISH through handlers/publish.js:
// `handlePublish` (topic checks: empty, `#`, `+`, too many levels) → `runSeries` (a bound callback and a step
// closure) → `authorizePublish` → `enqueuePublish`, which writes a `PubAck` object through write.js (mqtt-packet's
// `writeToStream`: the packet in three pieces, each framed again by the PUBACK gate, broker/ack-gate.ts) and, in its
// callback a setImmediate later (write.js; never on 'drain': writeToStream answers true for a PUBACK),
// `broker.publish(packet, client, done)`; `handle` refreshes the keepalive timer.
// Here the same steps, in the same order, as plain calls: the same topic checks, the same authorization (the
// broker's own `authorizePublish` function, run for every message: least-privilege topics, broker/acl.ts), the
// PUBACK handed to the connection as its packet id (ConnectionGuard.acknowledge: held by the gate until the
// message is stored, as the bytes Aedes writes are), the keepalive refresh, then the message published at once
// (broker/direct-publish.ts) with `done` = the client's `_nextBatch`, as `runSeries` calls it.
// Differences: the message reaches the emitter in the turn it was read instead of a check phase later (a QoS 0
// message read after it in the same chunk no longer overtakes it; broker/read-pause.ts is told it arrived).
// Everything else goes to Aedes' `enqueue`, unchanged: every other packet, QoS 0 and QoS 2, a client before its
// CONNACK or closing, a connection already closed or ended, a topic Aedes refuses (it closes
// the connection with its reason), a connection without our guard. While a QoS 1 or 2 PUBLISH of a connection is
// on Aedes' path (between its `enqueue` and its `broker.publish`: a check phase for QoS 1, the incoming store's
// promises for QoS 2), the connection's later QoS 1 ones take that path too, so its messages reach the emitter in
// the order they were sent (MQTT-4.6.0-6); `broker.publish` counts them off. (A QoS 2 retransmission Aedes already
// has is never published again: its connection stays on Aedes' path, which is only slower.) QoS 0 messages are
// published within Aedes' `enqueue` (the authorization answers at once), so they need no count.
// A refused authorization is answered as Aedes does: `done(err)` (the client's 'error', which closes it).
// Only with broker/direct-publish.ts (a store that answers synchronously); the Aedes internals used are pinned
// (broker/pinned-versions.ts).
import type { Aedes, AedesPublishPacket, Client, PublishPacket } from 'aedes';
import { guardOf } from './guarded-connection.js';
import type { ReadPause } from './read-pause.js';

type Done = (err?: Error | null) => void;

/** The parts of an Aedes 1.2 client (lib/client.js) this module reads or keeps up to date. */
interface AedesClient {
  readonly connackSent: boolean;
  readonly connected: boolean;
  readonly closed: boolean;
  readonly errored: boolean;
  readonly conn: unknown;
  /** Packets of the current read still being handled (enqueue / nextBatch). */
  _parsingBatch: number;
  readonly _nextBatch: Done;
  readonly _keepaliveInterval: number;
  readonly _keepaliveTimer: { refresh(): unknown } | null;
  readonly _parser: Parser;
}

interface Packet {
  readonly cmd: string;
  readonly qos?: number;
  readonly topic?: unknown;
  readonly messageId?: number;
}

type PacketListener = (this: Parser, packet: Packet) => void;

interface Parser {
  readonly client: AedesClient;
  listeners(event: 'packet'): PacketListener[];
  removeListener(event: 'packet', listener: PacketListener): unknown;
  on(event: 'packet', listener: PacketListener): unknown;
}

/** The broker's authorizePublish as a plain call: null = allowed (it may rewrite the topic), else the refusal. */
export type AuthorizePublish = (client: Client, packet: PublishPacket) => Error | null;
type Publish = (packet: AedesPublishPacket, client: Client, done: Done) => void;

const HASH = '#';
const PLUS = '+';
const SLASH = 47;

/** Messages published and refusals answered by this path, since the process started (tests check it is taken). */
export const devicePublishCounts = { published: 0, refused: 0 };

/** Levels of a topic as Aedes counts them (lib/utils.js `topicLevelCount`). */
function topicLevels(topic: string): number {
  let levels = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === SLASH) levels++;
  return levels;
}

export class DevicePublishes {
  /** Aedes' `enqueue` (lib/client.js), the same function for every client; known from the first connection. */
  private enqueue: PacketListener | undefined;
  /** `broker.publish` as broker/direct-publish.ts installed it; `broker.publish` itself now counts Aedes' path off. */
  private readonly publish: Publish;
  private readonly maxTopicLevels: number;
  /** The parser's 'packet' listener, one for all of this broker's connections. */
  private readonly listener: PacketListener;

  constructor(
    broker: Aedes,
    private readonly authorize: AuthorizePublish,
    private readonly readPause: ReadPause | undefined,
  ) {
    const b = broker as unknown as { publish: Publish; maxTopicLevels: number };
    const publish = b.publish;
    this.publish = publish;
    this.maxTopicLevels = b.maxTopicLevels;
    // A QoS 1 or 2 message of a client that went Aedes' way has reached the broker: its later ones may come here again.
    b.publish = function publishCounted(packet, client, done) {
      if (client && packet.qos > 0) {
        const guard = guardOf(client.conn);
        if (guard !== undefined && guard.publishesViaAedes > 0) guard.publishesViaAedes--;
      }
      publish.call(this, packet, client, done);
    };
    const onPacket = (parser: Parser, packet: Packet): void => {
      if (packet.cmd !== 'publish' || packet.qos !== 1 || !this.handle(parser.client, packet)) this.toAedes(parser, packet);
    };
    this.listener = function packetListener(this: Parser, packet: Packet): void {
      onPacket(this, packet);
    };
  }

  /** Puts this path in front of the client's parser (right after Aedes made the client, before it reads). */
  attach(client: unknown): void {
    const parser = (client as { _parser?: Parser } | undefined)?._parser;
    if (parser === undefined) return;
    const listeners = parser.listeners('packet');
    if (listeners.length !== 1) return; // not the parser this was written against: leave it
    const enqueue = listeners[0]!;
    this.enqueue ??= enqueue;
    if (enqueue !== this.enqueue) return;
    parser.removeListener('packet', enqueue);
    parser.on('packet', this.listener);
  }

  private toAedes(parser: Parser, packet: Packet): void {
    if (packet.cmd === 'publish' && (packet.qos === 1 || packet.qos === 2)) {
      const guard = guardOf(parser.client.conn);
      if (guard !== undefined) guard.publishesViaAedes++;
    }
    this.enqueue!.call(parser, packet);
  }

  /** enqueue → handle → handlePublish → enqueuePublish for a QoS 1 PUBLISH; false = nothing done, Aedes takes it. */
  private handle(client: AedesClient, packet: Packet): boolean {
    const guard = guardOf(client.conn);
    if (guard === undefined || guard.publishesViaAedes > 0 || !client.connackSent || !client.connected || client.closed || client.errored) return false;
    if (!guard.acceptsAck()) return false;
    const topic = packet.topic;
    const messageId = packet.messageId;
    if (typeof topic !== 'string' || topic.length === 0 || topic.includes(HASH) || topic.includes(PLUS) || typeof messageId !== 'number') return false;
    if (topicLevels(topic) > this.maxTopicLevels) return false;
    client._parsingBatch++; // enqueue
    const c = client as unknown as Client;
    const p = packet as unknown as AedesPublishPacket;
    const refusal = this.authorize(c, packet as unknown as PublishPacket);
    if (refusal !== null) {
      devicePublishCounts.refused++;
      client._nextBatch(refusal); // runSeries' done(err): the client's 'error' closes it
      this.refreshKeepalive(client);
      return true;
    }
    // write(client, new PubAck(packet), …): the PUBACK, held by the gate until the message is stored. Aedes never
    // waits for 'drain' here: mqtt-packet's writeToStream answers true for a PUBACK whatever the stream answered
    // (writeToStream.js `confirmation`), so write.js always goes on to publish.
    guard.acknowledge(messageId);
    this.refreshKeepalive(client);
    this.readPause?.arrived(1);
    devicePublishCounts.published++;
    // `_nextBatch` may now run synchronously, inside mqtt-packet's parse() of this very chunk (Aedes called it a
    // setImmediate later), and read the socket again (`conn.read(null)`). That is safe only because the outer read
    // has already taken every buffered byte and nothing refills the buffer synchronously — a nested parse() would
    // emit this packet again. Keep it so if the read path changes (review of 60665b8).
    this.publish(p, c, client._nextBatch);
    return true;
  }

  /** handlers/index.js `handle`, after the packet's handler. */
  private refreshKeepalive(client: AedesClient): void {
    if (client._keepaliveInterval > 0) client._keepaliveTimer?.refresh();
  }
}
