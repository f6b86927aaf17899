// When a notification may go out: quiet hours in the farmer's local time, the retry backoff, and the
// rate-limit window. Asia/Ho_Chi_Minh is UTC+07:00 all year (no daylight saving since 1975, IANA tzdb),
// so local time is a fixed offset and these functions stay pure and testable with fake time.
import type { QuietHours } from '../registry/contacts.js';

export const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

function minutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/**
 * If `now` falls within the quiet hours, the instant they end (the next local `end`), else undefined.
 * Quiet hours may span midnight (21:00–05:30).
 */
export function quietUntil(now: number, quiet: QuietHours | null): number | undefined {
  if (!quiet) return undefined;
  const local = now + VN_OFFSET_MS;
  const dayStart = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  const minute = (local - dayStart) / 60_000;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  const endToday = dayStart + end * 60_000;
  return (endToday > local ? endToday : endToday + DAY_MS) - VN_OFFSET_MS;
}

export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /** 0..1; injected in tests for deterministic delays. */
  readonly random?: () => number;
}

/** Exponential backoff with "equal jitter": attempt 1 → base·[0.5, 1), attempt n → min(max, base·2^(n-1))·[0.5, 1). */
export function retryDelay(attempt: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + 0.5 * (backoff.random ?? Math.random)()));
}

/** Start of the fixed rate-limit window that contains `at`. */
export function windowStart(at: number, windowMs: number): number {
  return at - (((at % windowMs) + windowMs) % windowMs);
}
