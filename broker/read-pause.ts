// Backpressure from the emitter to the devices' sockets (issue 3, GC per message). Aedes acknowledges a QoS 1
// PUBLISH before delivering it and reads a device's next TCP chunk before its previous messages are delivered,
// so at 1,000 devices × QoS 1 the emitter held 27–48k waiting messages (≈ 40 per device, 0.5–1 KB each) and
// garbage collection was 22–25 % of the broker's CPU (profile, docs/benchmarks.md "Broker"). While the backlog
// (messages waiting in the emitter plus those read and on their way to it) is above HIGH_WATER, a read from a
// publishing connection returns nothing (broker/guarded-connection.ts): the bytes stay in the socket, whose
// buffer fills, and TCP flow control holds the device back. Once the emitter is down to LOW_WATER, the held
// connections read again, in the order they were held, while the backlog stays under HIGH_WATER.
//
// Safety:
// - only senders that run ahead are held: a connection whose last chunk carried a QoS 1 PUBLISH (Aedes writes
//   the PUBACK first and publishes in its callback, aedes/lib/handlers/publish.js; QoS 0 and 2 packets finish
//   only once delivered, and Aedes reads a connection's next chunk after its packets finish, lib/client.js);
// - delivery never waits for a held read: a subscriber's PUBACKs keep being read (it does not publish), and a
//   connection whose own output waits for 'drain' is never held (its peer may wait for us to read before it
//   reads), so the emitter keeps draining;
// - a hold is short and self-clearing: the emitter drains ~100 messages per event-loop turn, so the backlog
//   falls from HIGH_WATER to LOW_WATER within milliseconds. Whatever the backlog (a stalled subscriber can hold
//   the emitter's slots up to drainTimeout), no connection is held longer than MAX_HOLD_MS;
// - keepalive: Aedes closes a client after 1.5 × its keepalive without a packet (aedes/lib/handlers/connect.js)
//   and a client sends PINGREQ after at most 1 × keepalive (MQTT-3.1.2-23), so the slack is ≥ 0.5 × keepalive
//   ≥ 500 ms (keepalive is in whole seconds). A hold ends within MAX_HOLD_MS = 250 ms, and the read that ends it
//   takes every byte that waited (the PINGREQ too), which restarts Aedes' keepalive timer;
// - order and loss: a held read only delays the connection's bytes; they are read later, in order, from the
//   socket's own buffer.
import type { Emitter } from './emitter.js';

/**
 * Backlog above which publishing connections are not read. At 1,000 devices × QoS 1 (bench/broker against
 * the tree without this gate, 3 runs of 2 rounds, 2026-11-27) the emitter then holds 1–2k messages instead of
 * up to 20k, for +20–27 % messages per broker CPU second; 10,000 devices × QoS 1 within noise (−4 to +4 %);
 * QoS 0 holds nothing. About 20 messages per delivery slot (100).
 */
export const HIGH_WATER = 2_000;
/** Messages waiting in the emitter at or below which held connections read again (half the high mark: the
 *  emitter does not run dry while the first resumed reads reach it, a check phase later). */
export const LOW_WATER = 1_000;
/** The longest a connection is held, whatever the backlog (keepalive: see the header). */
export const MAX_HOLD_MS = 250;

/** A connection whose reads may be held: `resume` makes its reader read again (Aedes reads on 'readable'). */
export interface Holdable {
  resume(): void;
}

export interface ReadPauseOptions {
  readonly highWater?: number;
  readonly lowWater?: number;
  readonly maxHoldMs?: number;
  /** Called each time a connection is held (a metric). */
  readonly onHold?: () => void;
}

export class ReadPause {
  private readonly high: number;
  private readonly low: number;
  private readonly maxHoldMs: number;
  private readonly onHold: () => void;
  /** Held connections in the order they were held, with the time (ms) each was held at. */
  private readonly held = new Map<Holdable, number>();
  /** The connection being resumed: its next read passes. */
  private passing: Holdable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resumeScheduled = false;
  /** PUBLISH packets read since the last check phase, not yet in the emitter's queue (Aedes publishes a QoS 1
   *  message after its PUBACK's write callback, a setImmediate later: aedes/lib/handlers/publish.js). */
  private inbound = 0;
  private closed = false;

  constructor(private readonly emitter: Emitter, opts: ReadPauseOptions = {}) {
    this.high = opts.highWater ?? HIGH_WATER;
    this.low = opts.lowWater ?? LOW_WATER;
    this.maxHoldMs = opts.maxHoldMs ?? MAX_HOLD_MS;
    this.onHold = opts.onHold ?? (() => undefined);
  }

  /** `count` PUBLISH packets were just read: they reach the emitter within this turn or at the next check phase. */
  admitted(count: number): void {
    if (this.inbound === 0) setImmediate(this.clearInbound);
    this.inbound += count;
  }

  /** `count` of the PUBLISH packets read are in the emitter already (broker/device-publish.ts publishes at once). */
  arrived(count: number): void {
    this.inbound = this.inbound > count ? this.inbound - count : 0;
  }

  /** Connections waiting to read. */
  get size(): number {
    return this.held.size;
  }

  /** Whether a read from this publishing connection must wait; if so, `resume` is called later. */
  holds(conn: Holdable): boolean {
    if (conn === this.passing) {
      this.passing = undefined;
      return false;
    }
    // Behind connections already waiting (their turn comes first), or over the high mark.
    if (this.closed || (this.held.size === 0 && this.backlog() <= this.high)) return false;
    if (this.held.has(conn)) return true;
    if (this.held.size === 0) {
      this.emitter.whenDrainedTo(this.low, this.drained);
      this.timer = setTimeout(this.expired, this.maxHoldMs).unref();
    }
    this.held.set(conn, Date.now());
    this.onHold();
    return true;
  }

  /** Ends every hold now (the broker is closing). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    const list = [...this.held.keys()];
    this.held.clear();
    for (const conn of list) conn.resume();
  }

  private readonly drained = (): void => {
    // Not from inside the emitter's delivery loop: the reads start at the next check phase.
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    setImmediate(this.resumeSome);
  };

  /** Resumes held connections in order while the backlog stays under the high mark (each read adds to it). */
  private readonly resumeSome = (): void => {
    this.resumeScheduled = false;
    let turns = this.held.size; // a connection held again meanwhile waits for the next round
    for (const conn of this.held.keys()) {
      if (turns-- === 0 || this.backlog() > this.high) break;
      this.resumeOne(conn);
    }
    if (this.held.size > 0) this.emitter.whenDrainedTo(this.low, this.drained);
    else this.stopTimer();
  };

  /** No connection waits longer than maxHoldMs, whatever the backlog (keepalive: see the header). */
  private readonly expired = (): void => {
    this.timer = undefined;
    const now = Date.now();
    for (const [conn, heldAt] of this.held) {
      if (now - heldAt < this.maxHoldMs) {
        this.timer = setTimeout(this.expired, heldAt + this.maxHoldMs - now).unref();
        return;
      }
      this.resumeOne(conn);
    }
  };

  private resumeOne(conn: Holdable): void {
    this.held.delete(conn);
    this.passing = conn;
    conn.resume();
    this.passing = undefined;
  }

  /** Messages waiting in the emitter plus those read and on their way to it. */
  private backlog(): number {
    return this.emitter.length + this.inbound;
  }

  private readonly clearInbound = (): void => {
    this.inbound = 0;
  };

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
