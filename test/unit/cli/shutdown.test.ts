// Issue 14: the signal handler of the long-running commands — the first signal stops the lifecycle and
// exits, a stop that hangs is given up before the 10 s promise, a second signal exits at once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createShutdown, SHUTDOWN_DEADLINE_MS, SHUTDOWN_PROMISE_MS } from '../../../cli/shutdown.js';
import { silentLogger } from '../../../core/log.js';

afterEach(() => { vi.useRealTimers(); });

function setup(stop: () => Promise<void>) {
  const exits: number[] = [];
  const lifecycle = { stop: vi.fn(stop) };
  const shutdown = createShutdown({ lifecycle, log: silentLogger(), exit: (code) => { exits.push(code); } });
  return { exits, lifecycle, shutdown };
}

describe('shutdown on signals', () => {
  it('stops the lifecycle once and exits 0 when it has stopped', async () => {
    const { exits, lifecycle, shutdown } = setup(() => Promise.resolve());
    shutdown('SIGTERM');
    await vi.waitFor(() => expect(exits).toEqual([0]));
    expect(lifecycle.stop).toHaveBeenCalledTimes(1);
  });

  it('gives up a stop that hangs before the 10 s promise and exits 1', async () => {
    vi.useFakeTimers();
    const { exits, shutdown } = setup(() => new Promise<void>(() => undefined));
    shutdown('SIGINT');
    expect(SHUTDOWN_DEADLINE_MS).toBeLessThan(SHUTDOWN_PROMISE_MS);
    await vi.advanceTimersByTimeAsync(SHUTDOWN_DEADLINE_MS - 1);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
  });

  it('exits at once on a second signal (128 + its number)', () => {
    vi.useFakeTimers();
    const { exits, lifecycle, shutdown } = setup(() => new Promise<void>(() => undefined));
    shutdown('SIGTERM');
    shutdown('SIGINT');
    expect(exits).toEqual([130]);
    shutdown('SIGTERM');
    expect(exits).toEqual([130, 143]);
    expect(lifecycle.stop).toHaveBeenCalledTimes(1);
  });
});
