// Memory given back after a connect storm (issue 19). Every CONNECT leaves garbage behind — Aedes' Client set-up,
// streams, promises, the login — and while hundreds of handshakes are in flight that garbage survives the young
// generation and lands in old space. V8 collects old space when it reaches a limit that grows with the heap, and
// its memory reducer only acts on a process it judges idle: measured on `ruong broker`, 10,000 devices connecting
// left 118.7 MB of old space, 115.6 MB of it not yet collected (81 MB live), and the process at 224 MB RSS,
// unchanged 30 s later (docs/benchmarks.md, "Broker memory and connect").
// So once a burst of connects is over (≥ minConnects, then quietMs without one) the broker asks V8 for one major
// collection, run by V8 as a task (execution 'async': it does not run inside the connect handler), after which
// V8 returns the freed pages. One per burst; nothing happens while devices keep connecting or for a trickle (connects
// more than quietMs apart start the count again). BROKER_IDLE_COMPACTION=false turns it off (cli/broker-config.ts).
// Nor while messages flow (`traffic`: ≥ `busy` published within the last quietMs): the collection compacts every
// page (a ≈ 100 ms pause at 1,000 devices) and, run in the middle of a message stream, made V8 throw away the
// optimized code of the whole message path ("weak objects": 24–26 functions — the parser, device-publish,
// direct-publish, the ingest's delivery and queue — deoptimized at once and compiled again). Measured in the
// 1,000-device pipeline, where the devices publish from their CONNACK on (docs/benchmarks.md, "Broker and ingest
// warm-up: deoptimizations"). It runs once the stream has calmed down, still once per burst.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '../core/log.js';

export interface IdleCompactionOptions {
  /** Connects in one burst (none quietMs apart) that make it worth a collection. */
  readonly minConnects: number;
  /** How long without a connect before the burst counts as over (and a later connect starts a new count). */
  readonly quietMs: number;
  /** Runs the collection (default: V8's major GC as an async task). */
  readonly collect?: () => void;
  readonly now?: () => number;
  /** Told once if the collection cannot run here; compaction is then off for this process. */
  readonly log?: Pick<Logger, 'warn'>;
  /**
   * The broker's traffic: `count()` grows by one per message published (Aedes' `counter`), and `busy` messages
   * within quietMs keep the broker busy — the collection waits for a quieter quietMs (see the top of the file).
   */
  readonly traffic?: { readonly count: () => number; readonly busy: number };
}

/** `busy`: 1,000 messages in 5 s (200/s); 10,000 devices at one reading per 10 minutes publish ≈ 17/s. */
export const defaultIdleCompaction = { minConnects: 1000, quietMs: 5000, busyMessages: 1000 } as const;

/** The compacting flag is restored at the latest this long after a collection was asked for. */
export const RESTORE_FALLBACK_MS = 30_000;

type GcFunction = (options?: { type: 'major'; execution: 'async' }) => Promise<void> | void;

/**
 * One compacting major GC: `--compact-on-every-full-gc` is set for this collection only and restored when gc's
 * promise settles, at once if gc returned without one or threw, and by a timer if the promise never settles — so
 * later collections never keep compacting every page.
 */
export function compactingMajorGc(gc: GcFunction, setFlags: (flags: string) => void = setFlagsFromString, fallbackMs = RESTORE_FALLBACK_MS): void {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    clearTimeout(fallback);
    setFlags('--no-compact-on-every-full-gc');
  };
  setFlags('--compact-on-every-full-gc');
  const fallback = setTimeout(restore, fallbackMs);
  fallback.unref();
  let result: Promise<void> | void;
  try {
    result = gc({ type: 'major', execution: 'async' });
  } catch (err) {
    restore();
    throw err;
  }
  if (result) result.then(restore, restore);
  else restore(); // collected synchronously
}

let majorGc: GcFunction | undefined;

/**
 * V8's major GC, scheduled as a task, compacting every old-space page it can (`--compact-on-every-full-gc`, set
 * for this one collection only): without it V8 evacuates only its most fragmented pages, and after a connect
 * storm the live connections sit spread over pages it keeps (measured: 106 MB of old space for 81 MB in use).
 * `--expose-gc` at run time: only contexts made after it get `gc`. Throws if this runtime refuses either.
 */
export function scheduleMajorGc(): void {
  if (!majorGc) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc !== 'function') throw new Error('gc is not exposed in a new context');
    majorGc = gc as GcFunction;
  }
  compactingMajorGc(majorGc);
}

export class IdleCompaction {
  private connects = 0;
  private lastConnectAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly collect: () => void;
  private readonly now: () => number;
  /** Set when a collection threw: no more are tried in this process. */
  private disabled = false;
  /** `traffic.count()` when the timer was last armed. */
  private trafficAt = 0;
  /** Collections run so far. */
  collections = 0;

  constructor(private readonly opts: IdleCompactionOptions) {
    this.collect = opts.collect ?? scheduleMajorGc;
    this.now = opts.now ?? Date.now;
  }

  /** A client finished its CONNECT (one timer per burst, not one per connect). */
  connected(): void {
    if (this.disabled) return;
    const now = this.now();
    if (now - this.lastConnectAt > this.opts.quietMs) this.connects = 0; // a trickle is not a burst
    this.connects++;
    this.lastConnectAt = now;
    if (this.timer === undefined && this.connects >= this.opts.minConnects) this.arm(this.opts.quietMs);
  }

  private arm(ms: number): void {
    if (this.opts.traffic) this.trafficAt = this.opts.traffic.count();
    this.timer = setTimeout(this.check, ms);
    this.timer.unref();
  }

  private readonly check = (): void => {
    this.timer = undefined;
    const quietFor = this.now() - this.lastConnectAt;
    if (quietFor < this.opts.quietMs) {
      this.arm(this.opts.quietMs - quietFor); // still connecting: look again when it could be over
      return;
    }
    const traffic = this.opts.traffic;
    if (traffic && traffic.count() - this.trafficAt >= traffic.busy) {
      this.arm(this.opts.quietMs); // messages still flowing: look again after the next quietMs
      return;
    }
    this.connects = 0;
    try {
      this.collect();
      this.collections++;
    } catch (err) {
      // In a timer: a throw here would end the process. Without a working gc there is nothing to retry.
      this.disabled = true;
      this.opts.log?.warn({ err }, 'idle compaction unavailable: the major GC after a connect burst is off');
    }
  };

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
