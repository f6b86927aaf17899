// What a pump or valve schedule may be (issue 17 review; docs/irrigation-control.md "Schedules"): a 5-field cron
// (minute hour day month weekday — no seconds field: `* * * * * *` would fire every second), whose consecutive
// runs are never closer than the run itself (else the pump never stops) nor than MIN_SCHEDULE_GAP_MIN; at most
// MAX_SCHEDULES_PER_FIELD schedules a field. Pure functions: the API refuses such a schedule, the runner skips one.
import cron from 'node-cron';

/** The shortest time between two runs of a schedule [judg: a quarter of an hour]. */
export const MIN_SCHEDULE_GAP_MIN = 15;
/** Schedules a field may have [judg]. */
export const MAX_SCHEDULES_PER_FIELD = 20;

/** The values of one numeric cron field (`*`, `n`, `a-b`, `* /s`, `a-b/s`, `a/s`, lists); undefined when not numeric. */
function expand(field: string, min: number, max: number): number[] | undefined {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : from;
    if (step < 1 || from < min || to > max || from > to) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The shortest time, minutes, between two consecutive runs: the times of day are the same on every day the cron
 * runs, so the shortest gap is within a day or from the day's last run to the next day's first (counted as if the
 * cron ran on consecutive days — the safe side). Undefined when the minute or hour field is not numeric.
 */
export function shortestGapMinutes(expr: string): number | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const minutes = expand(fields[0]!, 0, 59);
  const hours = expand(fields[1]!, 0, 23);
  if (!minutes || !hours || minutes.length === 0 || hours.length === 0) return undefined;
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m));
  let gap = times[0]! + 1440 - times[times.length - 1]!;
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i]! - times[i - 1]!);
  return gap;
}

/** Why a schedule may not be (English, for the 400), or undefined when it may. */
export function scheduleProblem(expr: string, minutes: number): string | undefined {
  const s = expr.trim();
  if (s.split(/\s+/).length !== 5 || !cron.validate(s)) return 'cron: must be a cron expression: minute hour day month weekday (5 fields)';
  const gap = shortestGapMinutes(s);
  if (gap === undefined) return 'cron: the minute and hour fields must be numbers, ranges, lists or steps';
  const least = Math.max(minutes, MIN_SCHEDULE_GAP_MIN);
  if (gap < least) {
    return `cron: runs ${gap} min apart; two runs must be at least ${least} min apart (the run's ${minutes} min and at least ${MIN_SCHEDULE_GAP_MIN} min)`;
  }
  return undefined;
}
