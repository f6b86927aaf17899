import { describe, expect, it } from 'vitest';
import { quietUntil, retryDelay, windowStart } from '../../../core/alerts/notification-schedule.js';

// Asia/Ho_Chi_Minh is UTC+07:00: local 22:00 on 2026-03-10 is 15:00 UTC.
const vn = (iso: string) => Date.parse(`${iso}+07:00`);

describe('quiet hours (local time, Asia/Ho_Chi_Minh)', () => {
  const night = { start: '21:00', end: '05:30' };

  it('holds until 05:30 the next morning when it is 22:00', () => {
    expect(quietUntil(vn('2026-03-10T22:00:00'), night)).toBe(vn('2026-03-11T05:30:00'));
  });

  it('holds until 05:30 the same morning when it is 03:00', () => {
    expect(quietUntil(vn('2026-03-11T03:00:00'), night)).toBe(vn('2026-03-11T05:30:00'));
  });

  it('starts exactly at start and ends exactly at end', () => {
    expect(quietUntil(vn('2026-03-10T21:00:00'), night)).toBe(vn('2026-03-11T05:30:00'));
    expect(quietUntil(vn('2026-03-11T05:30:00'), night)).toBeUndefined();
    expect(quietUntil(vn('2026-03-10T20:59:59'), night)).toBeUndefined();
  });

  it('handles quiet hours within one day (a siesta 12:00–13:30)', () => {
    const siesta = { start: '12:00', end: '13:30' };
    expect(quietUntil(vn('2026-03-10T12:45:00'), siesta)).toBe(vn('2026-03-10T13:30:00'));
    expect(quietUntil(vn('2026-03-10T11:59:00'), siesta)).toBeUndefined();
    expect(quietUntil(vn('2026-03-10T23:00:00'), siesta)).toBeUndefined();
  });

  it('never holds a contact without quiet hours', () => {
    expect(quietUntil(vn('2026-03-10T02:00:00'), null)).toBeUndefined();
  });
});

describe('retry backoff', () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles per attempt within [½, 1) of the ceiling, and stops growing at the maximum', () => {
    expect(retryDelay(1, { ...backoff, random: () => 0 })).toBe(500);
    expect(retryDelay(1, { ...backoff, random: () => 0.999 })).toBe(1_000); // 999.5 rounded
    expect(retryDelay(4, { ...backoff, random: () => 0 })).toBe(4_000);
    expect(retryDelay(30, { ...backoff, random: () => 0.5 })).toBe(45_000);
    for (let attempt = 1; attempt < 12; attempt++) {
      const d = retryDelay(attempt, backoff);
      expect(d).toBeGreaterThanOrEqual(Math.min(60_000, 1_000 * 2 ** (attempt - 1)) / 2);
      expect(d).toBeLessThanOrEqual(60_000);
    }
  });
});

describe('rate-limit windows', () => {
  it('aligns to whole windows', () => {
    expect(windowStart(Date.parse('2026-03-10T08:59:59.999Z'), 3_600_000)).toBe(Date.parse('2026-03-10T08:00:00Z'));
    expect(windowStart(Date.parse('2026-03-10T09:00:00Z'), 3_600_000)).toBe(Date.parse('2026-03-10T09:00:00Z'));
  });
});
