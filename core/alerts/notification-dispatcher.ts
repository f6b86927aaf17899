// Sends what the outbox holds: claims due rows, hands each to its channel's Notifier with a timeout,
// and records the outcome — sent; retried with exponential backoff (a retryable error); failed (a
// permanent one); expired (still undelivered at its expiry). Wakes up when something is enqueued, when
// a send finishes and when the next row falls due; never runs two passes at once. Each channel has its
// own number of sends in flight, so a peer that hangs delays only its own channel.
import type { Logger } from '../log.js';
import type { Outbox, ClaimedEntry } from './outbox.js';
import { retryDelay, type Backoff } from './notification-schedule.js';
import { NotificationMessage, isRetryable, type Channel, type Notifier } from './notification-types.js';

export interface DispatcherMetrics {
  outcome(channel: Channel, outcome: 'sent' | 'retried' | 'failed' | 'expired'): void;
  sendSeconds(channel: Channel, seconds: number): void;
  pending(counts: readonly { channel: Channel; n: number }[]): void;
}

export interface DispatcherOptions {
  readonly outbox: Outbox;
  readonly notifiers: ReadonlyMap<Channel, Notifier>;
  readonly log: Logger;
  readonly metrics?: DispatcherMetrics | undefined;
  readonly now?: () => number;
  readonly backoff?: Backoff;
  /** A send that takes longer is aborted and retried. */
  readonly sendTimeoutMs?: number;
  /** Sends in flight at once per channel. */
  readonly perChannel?: number;
  /** Longest sleep between passes, so an entry written by another process is picked up. */
  readonly idleMs?: number;
}

export function createDispatcher(opts: DispatcherOptions) {
  const now = opts.now ?? Date.now;
  const backoff = opts.backoff ?? { baseMs: 5_000, maxMs: 15 * 60_000 };
  const sendTimeoutMs = opts.sendTimeoutMs ?? 30_000;
  const perChannel = opts.perChannel ?? 4;
  const idleMs = opts.idleMs ?? 30_000;
  const { outbox, log } = opts;
  const inFlight = new Set<AbortController>();
  const sending = new Map<Promise<void>, Channel>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  async function deliver(entry: ClaimedEntry): Promise<void> {
    const notifier = opts.notifiers.get(entry.channel);
    if (!notifier) {
      outbox.markFinal(entry.id, 'failed', `channel ${entry.channel} is not configured`);
      opts.metrics?.outcome(entry.channel, 'failed');
      return;
    }
    const parsed = NotificationMessage.safeParse(JSON.parse(entry.message));
    if (!parsed.success) {
      outbox.markFinal(entry.id, 'failed', 'stored message does not match the schema');
      opts.metrics?.outcome(entry.channel, 'failed');
      return;
    }
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error('send timed out')), sendTimeoutMs);
    const started = performance.now();
    try {
      await notifier.send(parsed.data, controller.signal);
      outbox.markSent(entry.id, now());
      opts.metrics?.outcome(entry.channel, 'sent');
    } catch (err) {
      failed(entry, err);
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
      opts.metrics?.sendSeconds(entry.channel, (performance.now() - started) / 1000);
    }
  }

  function failed(entry: ClaimedEntry, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    if (!isRetryable(err)) {
      outbox.markFinal(entry.id, 'failed', reason);
      opts.metrics?.outcome(entry.channel, 'failed');
      log.warn({ channel: entry.channel, key: entry.key, reason }, 'notification rejected');
      return;
    }
    const next = now() + retryDelay(entry.attempts, backoff);
    if (next >= entry.expiresAt) {
      outbox.markFinal(entry.id, 'expired', reason);
      opts.metrics?.outcome(entry.channel, 'expired');
      log.warn({ channel: entry.channel, key: entry.key, attempts: entry.attempts, reason }, 'notification expired undelivered');
      return;
    }
    outbox.markRetry(entry.id, next, reason);
    opts.metrics?.outcome(entry.channel, 'retried');
    log.debug({ channel: entry.channel, key: entry.key, attempts: entry.attempts, reason }, 'notification will be retried');
  }

  function room(): Partial<Record<Channel, number>> {
    const free: Partial<Record<Channel, number>> = {};
    for (const channel of opts.notifiers.keys()) free[channel] = perChannel;
    for (const channel of sending.values()) free[channel] = (free[channel] ?? 0) - 1;
    return free;
  }

  function pass(): void {
    for (const channel of outbox.expireDue(now())) opts.metrics?.outcome(channel, 'expired');
    // rows of a channel that is not configured (any more) are claimed too, and failed at once
    const free = room();
    for (const channel of ['sms', 'zalo', 'email', 'webhook', 'mqtt'] as const) if (!opts.notifiers.has(channel)) free[channel] = 16;
    for (const entry of outbox.claimDue(now(), free)) {
      const p: Promise<void> = deliver(entry).catch((err: unknown) => {
        log.error({ err, channel: entry.channel, key: entry.key }, 'notification outcome not recorded'); // recovered at the next start
      }).finally(() => {
        sending.delete(p);
        kick();
      });
      sending.set(p, entry.channel);
    }
    opts.metrics?.pending(outbox.pendingByChannel());
  }

  /** How long to sleep: until the next row falls due, at most idleMs. */
  function nextWait(): number {
    const next = outbox.nextDue();
    return next === undefined ? idleMs : Math.min(idleMs, Math.max(0, next - now()));
  }

  /** Claims and starts what is due now, then sleeps until the next row falls due. */
  function kick(): void {
    if (stopped) return;
    let wait = idleMs;
    try {
      pass();
      wait = nextWait();
    } catch (err) {
      log.error({ err }, 'notification pass failed'); // boundary: e.g. the registry is busy; the timer tries again
    }
    clearTimeout(timer);
    timer = setTimeout(kick, wait);
    timer.unref?.();
  }

  async function drained(): Promise<void> {
    while (sending.size > 0) await Promise.all(sending.keys());
  }

  return {
    start(): void {
      stopped = false;
      const recovered = outbox.recover();
      if (recovered > 0) log.info({ recovered }, 'interrupted notifications will be sent again');
      kick();
    },
    kick,
    /** Resolves when no send is in flight (tests: after kick, wait for the outcome). */
    idle: drained,
    /** Stops intake of new passes; in-flight sends get `graceMs`, then are aborted (and stay pending). */
    async stop(graceMs = 5_000): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      const grace = setTimeout(() => { for (const c of inFlight) c.abort(new Error('shutting down')); }, graceMs);
      try {
        await drained();
      } finally {
        clearTimeout(grace);
      }
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
