// Scheduling: node-cron in Asia/Ho_Chi_Minh runs the daily advice at 05:30 local (22:30 UTC the day
// before) and the missing-data check every minute, on fake timers; a run never overlaps the previous one.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { SCHEDULE } from '../../../rules/rules-service.js';
import { createCronScheduler, guardTask } from '../../../rules/scheduler.js';

afterEach(() => { vi.useRealTimers(); });

describe('cron scheduler', () => {
  it('fires the daily task at 05:30 in Asia/Ho_Chi_Minh and the minute task every minute', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T22:00:00Z') }); // 05:00 on 2 March in Vietnam
    const daily: string[] = [];
    let minutes = 0;
    const scheduler = createCronScheduler({ log: silentLogger() });
    scheduler.schedule('daily', SCHEDULE.daily, () => { daily.push(new Date().toISOString()); return Promise.resolve(); });
    scheduler.schedule('minute', SCHEDULE.minute, () => { minutes++; return Promise.resolve(); });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(29 * 60_000);
    expect(daily).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(daily).toHaveLength(1);
    expect(daily[0]?.slice(0, 16)).toBe('2026-03-01T22:30');
    expect(minutes).toBeGreaterThanOrEqual(30);
    expect(minutes).toBeLessThanOrEqual(31);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(daily).toHaveLength(2);
    await scheduler.stop();
    const after = minutes;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(minutes).toBe(after);
  });
});

describe('guardTask', () => {
  it('skips a run while the previous one is still busy, and survives a failing run', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const guard = guardTask('t', () => { calls++; return calls === 1 ? new Promise<void>((r) => { release = r; }) : Promise.reject(new Error('boom')); }, silentLogger());
    const first = guard.run();
    expect(await guard.run()).toBe('skipped');
    release();
    expect(await first).toBe('ok');
    expect(await guard.run()).toBe('failed');
    expect(calls).toBe(2);
  });
});
