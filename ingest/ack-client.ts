// A minimal MQTT 3.1.1 subscriber over TCP (PUBLISH read by ./mqtt-frames.ts, other packets by mqtt-packet) whose PUBACKs are sent by the caller,
// only once a message is stored. Why not mqtt.js: it handles incoming packets strictly one at a
// time and sends PUBACK inside handleMessage's callback, so holding the ack until a batch is
// written would serialise the ingest to one message per batch.
// PUBACKs go out in the order the PUBLISHes arrived (MQTT-4.6.0-2), all that are ready in one socket write
// (one write per PUBACK cost the ingest more CPU than decoding the message), from a queue with an O(1) head.
import { connect as netConnect, type Socket } from 'node:net';
import { generate, parser as createParser, type Packet } from 'mqtt-packet';
import type { Logger } from '../core/log.js';
import '../core/mqtt-packet-numbers.js'; // `generate` would otherwise build mqtt-packet's 6 MB number cache
import { createFrameReader } from './mqtt-frames.js';

export interface AckClientOptions {
  readonly host: string;
  readonly port: number;
  /** Other brokers of the cluster: after a disconnect the client tries the next address in turn. */
  readonly alternates?: readonly { readonly host: string; readonly port: number }[] | undefined;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  readonly subscriptions: readonly string[];
  readonly keepaliveS?: number;
  /** Pause reading the socket while this many messages wait for their ack (backpressure). */
  readonly maxPending?: number;
  readonly reconnectMs?: number;
  readonly log: Logger;
  /** Handles one message; the PUBACK is sent when the promise resolves. A rejection is not acked. */
  readonly onMessage: (topic: string, payload: Buffer) => Promise<void>;
  /** Called with how many PUBACKs were just written. */
  readonly onAck?: (count: number) => void;
}

/** A message's ack in the queue: waiting for its store, stored (to send), or dropped (never sent). */
const WAITING = 0, DONE = 1, DROPPED = 2;

/** Acks of consecutive messages that share one result promise (one batch): serials [from, to). */
interface AckGroup { readonly from: number; to: number }

export interface AckClient {
  connect(): Promise<void>;
  pending(): number;
  close(): Promise<void>;
}

export function createAckClient(opts: AckClientOptions): AckClient {
  const keepaliveS = opts.keepaliveS ?? 30;
  const maxPending = opts.maxPending ?? 10_000;
  let socket: Socket | undefined;
  let closing = false;
  let pingTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let firstConnect: { resolve: () => void; reject: (err: Error) => void } | undefined;
  // The ack queue in flat arrays (issue 19: no object per message): entry i is the message with serial
  // base + i; entries before `head` are sent or dropped. Consecutive messages of one batch are one AckGroup.
  let ids: number[] = [];
  let sockets: Socket[] = [];
  let states: number[] = [];
  let base = 0;
  let head = 0;
  let pendingN = 0; // entries waiting or stored, not yet sent
  let nextMessageId = 1;
  const pendingCount = () => pendingN;

  const send = (s: Socket, packet: Packet) => { if (!s.destroyed) s.write(generate(packet)); };

  // Messages of one batch are all stored at once; their acks go out together on the next turn of the loop.
  let flushScheduled = false;
  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => { flushScheduled = false; flushAcks(); });
  }

  function flushAcks(): void {
    let end = head;
    while (end < states.length && states[end] !== WAITING) end++;
    // Consecutive acks of one connection go out as one buffer of 4-byte PUBACKs (MQTT-3.4); dropped ones are skipped.
    let from = head;
    while (from < end) {
      if (states[from] === DROPPED) { from++; continue; }
      const s = sockets[from]!;
      let to = from;
      let count = 0;
      while (to < end && (states[to] === DROPPED || sockets[to] === s)) { if (states[to] === DONE) count++; to++; }
      const buf = Buffer.allocUnsafe(count * 4);
      let at = 0;
      for (let i = from; i < to; i++) {
        if (states[i] !== DONE) continue;
        const id = ids[i]!;
        buf[at] = 0x40; buf[at + 1] = 0x02; buf[at + 2] = id >> 8; buf[at + 3] = id & 0xff;
        at += 4;
      }
      if (!s.destroyed) s.write(buf);
      pendingN -= count;
      opts.onAck?.(count);
      from = to;
    }
    head = end;
    if (head > 1024 && head * 2 > states.length) {
      ids = ids.slice(head); sockets = sockets.slice(head); states = states.slice(head);
      base += head;
      head = 0;
    }
    if (socket?.isPaused() && pendingCount() < maxPending / 2) socket.resume();
  }

  /** Marks the group's entries still waiting as `to` (DONE or DROPPED); entries dropped meanwhile stay dropped. */
  function mark(group: AckGroup, to: number): void {
    const from = Math.max(group.from - base, head);
    const end = group.to - base;
    for (let i = from; i < end; i++) {
      if (states[i] !== WAITING) continue;
      states[i] = to;
      if (to === DROPPED) pendingN--;
    }
  }

  // Messages stored by one batch share one promise (ingest/batcher.ts): their acks form one group, so the
  // ingest pays one `then` per batch rather than one per message.
  let lastResult: Promise<void> | undefined;
  let lastGroup: AckGroup = { from: 0, to: 0 };

  function settle(result: Promise<void>, group: AckGroup, topic: string): void {
    const close = () => { if (lastGroup === group) lastResult = undefined; }; // a settled group takes no more acks
    result.then(
      () => { close(); mark(group, DONE); scheduleFlush(); },
      (err: unknown) => {
        close();
        // Not acked: the broker redelivers them on the next session. Dropped from the ack queue so later acks flow.
        opts.log.error({ err, topic, messages: group.to - group.from }, 'message not stored; left unacknowledged');
        if (group.to === group.from) return;
        mark(group, DROPPED);
        flushAcks();
      },
    );
  }

  function onPublish(s: Socket, topic: string, payload: Buffer, qos: number, messageId: number | undefined): void {
    const acked = qos > 0 && messageId !== undefined;
    if (acked) {
      ids.push(messageId);
      sockets.push(s);
      states.push(WAITING);
      pendingN++;
    }
    if (pendingCount() >= maxPending) s.pause();
    let result: Promise<void>;
    try {
      result = opts.onMessage(topic, payload);
    } catch (err) {
      result = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const serialEnd = base + states.length; // after this message's entry, if it has one
    if (result !== lastResult) {
      lastResult = result;
      lastGroup = { from: acked ? serialEnd - 1 : serialEnd, to: serialEnd };
      settle(result, lastGroup, topic);
    } else {
      lastGroup.to = serialEnd;
    }
  }

  function onPacket(s: Socket, packet: Packet): void {
    switch (packet.cmd) {
      case 'connack':
        if (packet.returnCode !== 0) {
          const err = new Error(`broker refused the ingest connection (CONNACK ${packet.returnCode})`);
          opts.log.error({ returnCode: packet.returnCode }, 'ingest connection refused');
          firstConnect?.reject(err);
          firstConnect = undefined;
          s.destroy();
          return;
        }
        send(s, { cmd: 'subscribe', messageId: nextMessageId++, subscriptions: opts.subscriptions.map((topic) => ({ topic, qos: 1 })) });
        return;
      case 'suback':
        if (packet.granted.some((g) => typeof g === 'number' && g >= 0x80)) opts.log.error({ granted: packet.granted }, 'ingest subscription refused');
        opts.log.info({ subscriptions: opts.subscriptions }, 'ingest subscribed');
        firstConnect?.resolve();
        firstConnect = undefined;
        return;
      default:
        return; // pingresp and others need no action
    }
  }

  let serverIndex = 0;
  function open(): void {
    const servers = [{ host: opts.host, port: opts.port }, ...(opts.alternates ?? [])];
    const server = servers[serverIndex % servers.length]!;
    const s = netConnect({ host: server.host, port: server.port });
    socket = s;
    const parser = createParser({ protocolVersion: 4 });
    const malformed = (err: Error) => { opts.log.error({ err }, 'malformed packet from broker'); s.destroy(); };
    parser.on('packet', (packet: Packet) => onPacket(s, packet));
    parser.on('error', malformed);
    const frames = createFrameReader({ publish: (topic, payload, qos, id) => onPublish(s, topic, payload, qos, id), other: (p) => parser.parse(p), error: malformed });
    s.on('data', (chunk: Buffer) => frames.push(chunk));
    s.on('connect', () => {
      send(s, { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId: opts.clientId, keepalive: keepaliveS, username: opts.username, password: Buffer.from(opts.password) });
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send(s, { cmd: 'pingreq' }), (keepaliveS * 1000) / 2);
    });
    s.on('error', (err) => opts.log.warn({ err: { message: err.message } }, 'ingest connection error'));
    s.on('close', () => {
      clearInterval(pingTimer);
      // Acks for this connection can no longer be sent; the broker redelivers those messages (clean = false).
      for (let i = head; i < states.length; i++) {
        if (sockets[i] === s && states[i] !== DROPPED) { states[i] = DROPPED; pendingN--; }
      } // (passed over by the next flush)
      if (closing) return;
      serverIndex++;
      opts.log.warn({ retryMs: opts.reconnectMs ?? 1000 }, 'ingest disconnected from broker; reconnecting');
      reconnectTimer = setTimeout(open, opts.reconnectMs ?? 1000);
    });
  }

  return {
    connect() {
      return new Promise<void>((resolve, reject) => {
        firstConnect = { resolve, reject };
        open();
      });
    },
    pending: pendingCount,
    async close() {
      closing = true;
      clearTimeout(reconnectTimer);
      clearInterval(pingTimer);
      const s = socket;
      if (!s || s.destroyed) return;
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        send(s, { cmd: 'disconnect' });
        s.end();
        setTimeout(() => s.destroy(), 2000).unref();
      });
    },
  };
}
