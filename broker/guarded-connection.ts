// The connection guard (issue 3): Aedes gets the client's own stream (TCP socket, TLS socket or WebSocket
// stream), and every byte Aedes reads from it passes the FrameGuard first — a verdict closes the connection
// before Aedes has seen the offending packet (after a CONNACK when the spec asks for one). Aedes reads its
// connection only with `read()` on 'readable' (aedes/lib/client.js nextBatch), so the guard replaces the
// stream's `read`, `write` and `destroy` with shared functions (no closures, no second stream per connection:
// a Duplex wrapper cost ≈ 2.5 KB per connection, docs/benchmarks.md). Outgoing bytes of one event-loop turn
// leave in one write: mqtt-packet writes each packet in 3–6 pieces (header, length, topic, id, payload), which
// are collected here and written as one buffer at the next check phase (setImmediate) — sooner when they
// reach the stream's high-water mark or a write has a callback — and flushed before a destroy or end, so a
// final CONNACK or refusal is not lost. A `false` return (wait for 'drain') only ever comes from the stream
// itself, so 'drain' does follow it. The stream's `cork` is hidden: mqtt-packet would otherwise cork it and
// schedule an uncork per packet (process.nextTick). With an AckGate, outgoing PUBACKs wait until their
// message is persisted (broker/ack-gate.ts).
import type { Duplex } from 'node:stream';
import { AckGate, pubAck } from './ack-gate.js';
import { FrameGuard, type FrameGuardOptions, type PublishHook } from './frame-guard.js';
import { protocolError, type Verdict } from './packet-checks.js';
import type { Holdable, ReadPause } from './read-pause.js';

/** Settings shared by every connection of a broker (one object, not one per connection). */
export interface GuardSettings extends FrameGuardOptions {
  /** Hold PUBACKs until `released` (only worth it when the persistence survives the process). */
  readonly holdAcks: boolean;
  readonly onVerdict: (guard: ConnectionGuard, verdict: Verdict) => void;
  /** Backpressure from the emitter: reads from publishing connections wait while its backlog is high. */
  readonly readPause?: ReadPause | undefined;
}

type WriteCallback = (error?: Error | null) => void;
type Read = (this: Duplex, size?: number) => unknown;
type Write = (this: Duplex, chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
type Destroy = (this: Duplex, error?: Error) => Duplex;

const kGuard = Symbol('ruong.connectionGuard');
type GuardedStream = Duplex & { [kGuard]?: ConnectionGuard };

/** The guard of a connection handed to Aedes (`client.conn`), if it has one. */
export function guardOf(conn: unknown): ConnectionGuard | undefined {
  return (conn as GuardedStream | null | undefined)?.[kGuard];
}

// Connections holding bytes written in the current event-loop turn; all flushed by one setImmediate.
let waiting: ConnectionGuard[] = [];
let flushScheduled = false;

function flushWaiting(): void {
  const list = waiting;
  waiting = [];
  flushScheduled = false;
  for (const guard of list) guard.flush();
}

export class ConnectionGuard extends FrameGuard implements Holdable {
  private readonly gate: AckGate | undefined;
  private rateHook: PublishHook | undefined;
  private rejected = false;
  /** Reads wait until this time (ms; 0 = not throttled): the device is over its publish rate. */
  private throttledUntil = 0;
  private throttleTimer: NodeJS.Timeout | undefined;
  /** QoS 1 PUBLISH packets of this connection on Aedes' path, not yet published (broker/device-publish.ts). */
  publishesViaAedes = 0;
  /** The last chunk read carried a QoS 1 PUBLISH: see readFrom. */
  private publishing = false;
  /** Bytes written this turn, not yet handed to the stream. */
  private pending: Buffer[] | undefined;
  private pendingBytes = 0;
  private readonly streamRead: Read;
  private readonly streamWrite: Write;
  private readonly streamDestroy: Destroy;

  constructor(
    readonly conn: Duplex,
    private readonly settings: GuardSettings,
    readonly remoteAddress: string | undefined,
    /** Subject CN of a verified TLS client certificate. */
    readonly peerCommonName: string | undefined,
  ) {
    super(settings);
    const stream = conn as unknown as { [kGuard]?: ConnectionGuard; read: Read; write: Write; destroy: Destroy; cork: unknown };
    this.streamRead = stream.read;
    this.streamWrite = stream.write;
    this.streamDestroy = stream.destroy;
    stream[kGuard] = this;
    stream.read = guardedRead;
    stream.write = guardedWrite;
    stream.destroy = guardedDestroy;
    stream.cork = undefined; // own property hiding Writable's: see the header
    if (settings.holdAcks) {
      const gate = new AckGate((bytes) => this.queue(bytes));
      this.gate = gate;
      this.onPublish = (qos, messageId) => {
        if (qos === 1) gate.expect(messageId);
        return this.rateHook?.(qos, messageId);
      };
    }
  }

  /** Per-connection check of each PUBLISH (e.g. the device's rate limit), set once the client is known. */
  set publishHook(hook: PublishHook | undefined) {
    this.rateHook = hook;
    if (!this.gate) this.onPublish = hook;
  }

  /** The QoS 1 message with this packet id is persisted: its PUBACK may go out. */
  released(messageId: number): void {
    if (!this.gate || this.conn.destroyed) return;
    this.gate.release(messageId);
    this.settle(undefined);
  }

  /**
   * Reads nothing more from this connection for `ms` (the device is over its publish rate, broker/token-bucket.ts):
   * its bytes wait in the socket and TCP flow control holds the device back. Writes (its PUBACKs) go on.
   * The caller keeps `ms` under half the keepalive, so Aedes' 1.5 × keepalive timer never fires meanwhile.
   */
  throttle(ms: number): void {
    const until = Date.now() + ms;
    if (until > this.throttledUntil) this.throttledUntil = until;
  }

  private readonly endThrottle = (): void => {
    this.throttleTimer = undefined;
    this.resume();
  };

  /** Closes the connection for a verdict, after a CONNACK with its return code when it carries one. */
  reject(verdict: Verdict): void {
    if (this.rejected || this.conn.destroyed) return;
    this.rejected = true;
    this.settings.onVerdict(this, verdict);
    const conn = this.conn;
    if (verdict.connack !== undefined && !conn.writableEnded) {
      this.flush();
      // CONNACK: session present 0 (MQTT-3.2.2-4), then close (MQTT-3.2.2-5). end() uncorks.
      conn.end(Buffer.from([0x20, 0x02, 0x00, verdict.connack]));
      conn.once('finish', () => conn.destroy());
      setTimeout(() => conn.destroy(), 1000).unref();
    } else {
      conn.destroy();
    }
  }

  /** Reads again after a hold (broker/read-pause.ts): Aedes reads its connection on 'readable'. */
  resume(): void {
    const conn = this.conn;
    if (!conn.destroyed && !this.rejected) conn.emit('readable');
  }

  /** Bytes Aedes reads: inspected first; after a verdict Aedes reads nothing more. */
  inspectIncoming(chunk: unknown): unknown {
    if (this.rejected) return null;
    if (chunk === null || chunk === undefined) return chunk;
    this.qos1Publishes = 0; // counted again over this chunk
    // Our streams carry bytes only (no setEncoding, no object mode); anything else fails closed.
    const verdict = Buffer.isBuffer(chunk) ? this.feed(chunk) : protocolError('MQTT-4.2-1', 'the connection does not carry a byte stream');
    if (!verdict) {
      this.publishing = this.qos1Publishes > 0;
      if (this.qos1Publishes > 0) this.settings.readPause?.admitted(this.qos1Publishes);
      return chunk;
    }
    this.reject(verdict);
    return null;
  }

  /** Adds bytes to this turn's single write (the AckGate's `out` when there is one). */
  private queue(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.pending === undefined) {
      this.pending = [bytes];
      waiting.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushWaiting);
      }
    } else {
      this.pending.push(bytes);
    }
    this.pendingBytes += bytes.length;
  }

  /** Writes now when a callback waits or the stream's buffer would be full; otherwise at the check phase. */
  private settle(callback: WriteCallback | undefined): boolean {
    const conn = this.conn;
    if (callback !== undefined || this.pendingBytes + conn.writableLength >= conn.writableHighWaterMark) return this.flush(callback);
    return !conn.writableNeedDrain;
  }

  /** Hands the bytes written since the last flush to the stream as one buffer. */
  flush(callback?: WriteCallback): boolean {
    const conn = this.conn;
    const list = this.pending;
    if (list === undefined) {
      if (callback) process.nextTick(callback);
      return !conn.writableNeedDrain;
    }
    this.pending = undefined;
    const bytes = list.length === 1 ? list[0]! : Buffer.concat(list, this.pendingBytes);
    this.pendingBytes = 0;
    if (conn.destroyed && !callback) return false; // closed meanwhile: nothing can go, nobody waits
    return this.streamWrite.call(conn, bytes, undefined, callback);
  }

  /** Whether a PUBACK can be handed over as `acknowledge` (else writing it fails as Aedes' write would). */
  acceptsAck(): boolean {
    return !this.conn.destroyed && !this.conn.writableEnded;
  }

  /**
   * A PUBACK (MQTT 3.1.1 §3.4) for this packet id, as if its 4 bytes were written (broker/device-publish.ts): through
   * the AckGate when PUBACKs are held.
   */
  acknowledge(messageId: number): void {
    if (this.gate) this.gate.acknowledge(messageId);
    else this.queue(pubAck(messageId));
    this.settle(undefined);
  }

  /** @internal the stream's own methods, for the shared replacements below. */
  readFrom(stream: Duplex, size?: number): unknown {
    if (this.throttledUntil !== 0) {
      const waitMs = this.throttledUntil - Date.now();
      if (waitMs > 0) {
        this.throttleTimer ??= setTimeout(this.endThrottle, waitMs).unref();
        return null;
      }
      this.throttledUntil = 0;
    }
    // Held: as if nothing had arrived yet (the bytes wait in the socket). Only a connection publishing at QoS 1,
    // never one whose output waits for 'drain' (see broker/read-pause.ts).
    const pause = this.settings.readPause;
    if (pause !== undefined && this.publishing && !this.conn.writableNeedDrain && pause.holds(this)) return null;
    return this.inspectIncoming(this.streamRead.call(stream, size));
  }

  /** @internal */
  writeTo(chunk: unknown, encoding: unknown, callback: unknown): boolean {
    const cb = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined;
    // mqtt-packet writes topics as strings: bytes here, so they join the turn's buffer (and the AckGate frames every byte, in order).
    const bytes = Buffer.isBuffer(chunk) ? chunk
      : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : undefined;
    if (!bytes || this.conn.destroyed || this.conn.writableEnded) {
      // Not bytes, or too late: the stream answers (and reports) as it would have.
      this.flush();
      return this.streamWrite.call(this.conn, chunk, encoding, callback);
    }
    if (this.gate) this.gate.write(bytes); // passes what may go now to `queue`
    else this.queue(bytes);
    return this.settle(cb);
  }

  /** @internal */
  destroyStream(error?: Error): Duplex {
    clearTimeout(this.throttleTimer);
    this.flush();
    return this.streamDestroy.call(this.conn, error);
  }
}

function guardedRead(this: GuardedStream, size?: number): unknown {
  return this[kGuard]!.readFrom(this, size);
}

function guardedWrite(this: GuardedStream, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  return this[kGuard]!.writeTo(chunk, encoding, callback);
}

function guardedDestroy(this: GuardedStream, error?: Error): Duplex {
  return this[kGuard]!.destroyStream(error);
}
