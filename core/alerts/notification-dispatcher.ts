// Sends what the outbox holds: claims due rows, hands each to its channel's Notifier with a timeout,
// and records the outcome — sent; retried with exponential backoff (a retryable error); failed (a
// permanent one); expired (still undelivered at its expiry). Wakes up when something is enqueued, when
// a send finishes and when the next row falls due; never runs two passes at once. Each channel has its
// own number of sends in flight, so a peer that hangs delays only its own channel. Every outbox write is a
// statement of its own, never a transaction around a send: a message is handed to its peer only after its claim
// committed (PostgreSQL may run a transaction's work again; a send cannot be taken back).
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
  let passing: Promise<void> | undefined; // the pass running: never two at once
  let again = false; // kicked while a pass was running

  async function deliver(entry: ClaimedEntry): Promise<void> {
    const notifier = opts.notifiers.get(entry.channel);
    if (!notifier) {
      await outbox.markFinal(entry.id, 'failed', `channel ${entry.channel} is not configured`);
      opts.metrics?.outcome(entry.channel, 'failed');
      return;
    }
    const parsed = NotificationMessage.safeParse(JSON.parse(entry.message));
    if (!parsed.success) {
      await outbox.markFinal(entry.id, 'failed', 'stored message does not match the schema');
      opts.metrics?.outcome(entry.channel, 'failed');
      return;
    }
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error('send timed out')), sendTimeoutMs);
    const started = performance.now();
    try {
      await notifier.send(parsed.data, controller.signal);
      await outbox.markSent(entry.id, now());
      opts.metrics?.outcome(entry.channel, 'sent');
    } catch (err) {
      await failed(entry, err);
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
      opts.metrics?.sendSeconds(entry.channel, (performance.now() - started) / 1000);
    }
  }

  async function failed(entry: ClaimedEntry, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    if (!isRetryable(err)) {
      await outbox.markFinal(entry.id, 'failed', reason);
      opts.metrics?.outcome(entry.channel, 'failed');
      log.warn({ channel: entry.channel, key: entry.key, reason }, 'notification rejected');
      return;
    }
    const next = now() + retryDelay(entry.attempts, backoff);
    if (next >= entry.expiresAt) {
      await outbox.markFinal(entry.id, 'expired', reason);
      opts.metrics?.outcome(entry.channel, 'expired');
      log.warn({ channel: entry.channel, key: entry.key, attempts: entry.attempts, reason }, 'notification expired undelivered');
      return;
    }
    await outbox.markRetry(entry.id, next, reason);
    opts.metrics?.outcome(entry.channel, 'retried');
    log.debug({ channel: entry.channel, key: entry.key, attempts: entry.attempts, reason }, 'notification will be retried');
  }

  function room(): Partial<Record<Channel, number>> {
    const free: Partial<Record<Channel, number>> = {};
    for (const channel of opts.notifiers.keys()) free[channel] = perChannel;
    for (const channel of sending.values()) free[channel] = (free[channel] ?? 0) - 1;
    return free;
  }

  async function pass(): Promise<void> {
    for (const channel of await outbox.expireDue(now())) opts.metrics?.outcome(channel, 'expired');
    // rows of a channel that is not configured (any more) are claimed too, and failed at once
    const free = room();
    for (const channel of ['sms', 'zalo', 'email', 'webhook', 'mqtt'] as const) if (!opts.notifiers.has(channel)) free[channel] = 16;
    for (const entry of await outbox.claimDue(now(), free)) {
      const p: Promise<void> = deliver(entry).catch((err: unknown) => {
        log.error({ err, channel: entry.channel, key: entry.key }, 'notification outcome not recorded'); // recovered at the next start
      }).finally(() => {
        sending.delete(p);
        kick();
      });
      sending.set(p, entry.channel);
    }
    opts.metrics?.pending(await outbox.pendingByChannel());
  }

  /** How long to sleep: until the next row falls due, at most idleMs. */
  async function nextWait(): Promise<number> {
    const next = await outbox.nextDue();
    return next === undefined ? idleMs : Math.min(idleMs, Math.max(0, next - now()));
  }

  /** Passes until no kick came in during the last one, then sleeps until the next row falls due. */
  async function passes(): Promise<void> {
    let wait: number;
    do {
      again = false;
      try {
        await pass();
        wait = await nextWait();
      } catch (err) {
        wait = idleMs;
        log.error({ err }, 'notification pass failed'); // boundary: e.g. the registry is busy; the timer tries again
      }
    } while (again && !stopped);
    passing = undefined; // in the same tick as the last look at `again`: a later kick starts a new pass
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(kick, wait);
    timer.unref?.();
  }

  /** Claims and starts what is due now (after the pass running, if one is), then sleeps until the next row falls due. */
  function kick(): void {
    if (stopped) return;
    if (passing) {
      again = true;
      return;
    }
    passing = passes();
  }

  async function drained(): Promise<void> {
    while (passing || sending.size > 0) {
      await passing;
      await Promise.all(sending.keys());
    }
  }

  return {
    async start(): Promise<void> {
      stopped = false;
      const recovered = await outbox.recover();
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
      await passing;
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
