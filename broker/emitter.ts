// The broker's message emitter: the interface of mqemitter 7.1 (on, removeListener, removeAllListeners,
// emit, close, current, concurrency, length), which Aedes takes as its `mq` option, with an O(1) queue.
// Why (issue 3, "Speed"): Aedes handles every packet of a TCP read at once, so with 1,000 devices the
// emitter's waiting queue grows to tens of thousands of messages, and mqemitter dequeues with
// `Array.prototype.shift()` — a copy of the whole queue per message once the array is large, 86 % of the
// broker's CPU in a profile. Here the queue is a list of chunks (push and shift never copy). The bound on
// messages being delivered at once stays Aedes' 100: with the O(1) queue, bench/broker measured 20–200
// equal and 500–10,000 worse in broker CPU per message (more packets alive at once, more GC work).
import { Qlobber } from './qlobber-class.js';
import { createFifo, type Fifo } from './fifo.js';

export interface EmitterMessage {
  readonly topic: string;
  readonly [key: string]: unknown;
}

export type EmitterCallback = (err?: Error | null) => void;
export type EmitterListener = (this: Emitter, message: EmitterMessage, done: () => void) => void;

export interface EmitterOptions {
  /** Messages being delivered at once; more wait in the queue (in order). 0 = no bound. */
  readonly concurrency?: number;
  /** `a/+/c` matches `a//c` (MQTT-4.7.1-3; Aedes asks for true, as does mqemitter's default). */
  readonly matchEmptyLevels?: boolean;
  readonly separator?: string;
  readonly wildcardOne?: string;
  readonly wildcardSome?: string;
}

/**
 * Topics whose matching listeners are remembered (cleared whenever a listener is added or removed): devices
 * publish to a few fixed topics each, and matching splits the topic and walks the trie per message (≈ 4 % of
 * the broker's CPU at 1,000 devices). Past this many topics the memo starts over.
 */
const MATCH_MEMO_TOPICS = 16_384;

/** Default bound on messages being delivered at once (Aedes' own `concurrency` default; see above). */
export const DEFAULT_EMITTER_CONCURRENCY = 100;

function noop(): void {}

export class Emitter {
  readonly concurrency: number;
  current = 0;
  closed = false;
  private readonly matcher: Qlobber<EmitterListener>;
  private readonly matched = new Map<string, readonly EmitterListener[]>();
  /**
   * Listeners called instead of others (broker/store-session-delivery.ts: the ingest's subscription without
   * Aedes' per-message copies). Keyed by the listener Aedes subscribed, which stays the one it unsubscribes.
   */
  private readonly substitutes = new Map<EmitterListener, EmitterListener>();
  /** Waiting messages and their callbacks, in two queues (no record per message: with 1,000 devices tens of
   *  thousands wait, and every object they hold is copied by each young-generation GC). */
  private readonly queue: Fifo<EmitterMessage> = createFifo<EmitterMessage>();
  private readonly callbacks: Fifo<EmitterCallback> = createFifo<EmitterCallback>();
  private pumping = false;
  /** One watcher of the backlog (broker/read-pause.ts): called once the queue is down to `drainMark`. */
  private drainMark = 0;
  private onDrained: (() => void) | undefined;

  constructor(opts: EmitterOptions = {}) {
    this.concurrency = opts.concurrency ?? 0;
    this.matcher = new Qlobber<EmitterListener>({
      match_empty_levels: opts.matchEmptyLevels ?? true,
      separator: opts.separator ?? '/',
      wildcard_one: opts.wildcardOne ?? '+',
      wildcard_some: opts.wildcardSome ?? '#',
    });
  }

  /** Messages waiting for a delivery slot. */
  get length(): number {
    return this.queue.length;
  }

  /** Calls `fn` once, as soon as no more than `mark` messages wait (replaces any earlier watch). */
  whenDrainedTo(mark: number, fn: () => void): void {
    this.drainMark = mark;
    this.onDrained = fn;
    this.checkDrained();
  }

  on(topic: string, listener: EmitterListener, done?: () => void): this {
    this.matcher.add(topic, listener);
    this.matched.clear();
    if (done) setImmediate(done);
    return this;
  }

  removeListener(topic: string, listener: EmitterListener, done?: () => void): this {
    // Deferred like mqemitter's: a message already being matched still reaches the listener.
    setImmediate(() => {
      this.matcher.remove(topic, listener);
      this.substitutes.delete(listener);
      this.matched.clear();
      done?.();
    });
    return this;
  }

  removeAllListeners(topic: string, done?: () => void): this {
    this.matcher.remove(topic);
    this.substitutes.clear(); // not known per topic here; a listener without its substitute is only slower
    this.matched.clear();
    if (done) setImmediate(done);
    return this;
  }

  /** Messages matching `listener` go to `replacement` instead, until `listener` is removed. */
  substitute(listener: EmitterListener, replacement: EmitterListener): void {
    this.substitutes.set(listener, replacement);
    this.matched.clear();
  }

  /** Calls every listener whose topic filter matches; `callback` runs once all of them are done. */
  emit(message: EmitterMessage, callback: EmitterCallback = noop): this {
    if (this.closed) {
      callback(new Error('mqemitter is closed'));
      return this;
    }
    // Queue behind waiting messages too, so a message never overtakes an earlier one.
    if (this.concurrency > 0 && (this.current >= this.concurrency || this.queue.length > 0)) {
      this.queue.push(message);
      this.callbacks.push(callback);
      this.pump();
    } else {
      this.deliver(message, callback);
    }
    return this;
  }

  close(callback: () => void = noop): this {
    this.closed = true;
    setImmediate(callback);
    return this;
  }

  private deliver(message: EmitterMessage, callback: EmitterCallback): void {
    this.current++;
    const listeners = this.match(message.topic);
    let pending = listeners.length;
    const done = (): void => {
      if (pending <= 0 || --pending > 0) return; // a listener calling back twice is not counted twice
      callback();
      this.release();
    };
    if (pending === 0) {
      pending = 1;
      done();
      return;
    }
    for (const listener of listeners) listener.call(this, message, done);
  }

  /** The listeners whose filter matches `topic` (a shared array: only read). */
  private match(topic: string): readonly EmitterListener[] {
    let listeners = this.matched.get(topic);
    if (listeners === undefined) {
      listeners = this.matcher.match(topic);
      if (this.substitutes.size > 0) listeners = listeners.map((l) => this.substitutes.get(l) ?? l);
      if (this.matched.size >= MATCH_MEMO_TOPICS) this.matched.clear();
      this.matched.set(topic, listeners);
    }
    return listeners;
  }

  private release(): void {
    this.current--;
    this.pump();
  }

  /** Starts waiting messages while slots are free; a loop, not recursion, when listeners finish synchronously. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.current < this.concurrency && this.queue.length > 0) {
        this.deliver(this.queue.shift()!, this.callbacks.shift()!);
      }
    } finally {
      this.pumping = false;
    }
    if (this.onDrained !== undefined) this.checkDrained();
  }

  private checkDrained(): void {
    const fn = this.onDrained;
    if (fn === undefined || this.queue.length > this.drainMark) return;
    this.onDrained = undefined;
    fn();
  }
}

export function createEmitter(opts: EmitterOptions = {}): Emitter {
  return new Emitter({ ...opts, concurrency: opts.concurrency ?? DEFAULT_EMITTER_CONCURRENCY });
}
