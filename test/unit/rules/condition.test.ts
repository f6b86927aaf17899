// The shared debounce: `for`, hysteresis band, clearFor and cooldown turn a noisy level series into one
// alert per episode; the state survives a JSON round trip (as it does through SQLite on a restart).
import { describe, expect, it } from 'vitest';
import { levelAgainst, onlyClockMoved, stepCondition, type ConditionState, type Level, type Timing } from '../../../rules/condition.js';

const MIN = 60_000;
const timing = (t: Partial<Timing> = {}): Timing => ({ forMs: 0, clearForMs: 0, cooldownMs: 0, ...t });

function run(levels: readonly Level[], t: Timing, stepMs = 10 * MIN, start: ConditionState = { phase: 'idle' }) {
  let s = start;
  const transitions: { i: number; transition: string }[] = [];
  levels.forEach((level, i) => {
    const r = stepCondition(s, level, i * stepMs, t);
    s = JSON.parse(JSON.stringify(r.state)) as ConditionState; // as persisted
    if (r.transition === 'open' || r.transition === 'resolve') transitions.push({ i, transition: r.transition });
  });
  return { state: s, transitions };
}

describe('stepCondition', () => {
  it('opens only after the condition held for `for`, measured from its first reading', () => {
    const { transitions } = run(['on', 'on', 'on', 'on'], timing({ forMs: 30 * MIN }));
    expect(transitions).toEqual([{ i: 3, transition: 'open' }]);
  });

  it('a break in the condition restarts the pending duration', () => {
    const { transitions } = run(['on', 'on', 'off', 'on', 'on', 'on'], timing({ forMs: 20 * MIN }));
    expect(transitions).toEqual([{ i: 5, transition: 'open' }]);
  });

  it('noise inside the band keeps a pending duration running; only a clear reading cancels it', () => {
    const { transitions } = run(['on', 'band', 'on', 'band'], timing({ forMs: 30 * MIN }));
    expect(transitions).toEqual([]); // a band reading never fires by itself
    expect(run(['on', 'band', 'on', 'band', 'on'], timing({ forMs: 30 * MIN })).transitions).toEqual([{ i: 4, transition: 'open' }]);
    expect(run(['band', 'band', 'band', 'band'], timing()).transitions).toEqual([]);
  });

  it('inside the hysteresis band an open alert neither resolves nor re-opens', () => {
    const { transitions, state } = run(['on', 'band', 'on', 'band', 'band', 'on', 'band'], timing());
    expect(transitions).toEqual([{ i: 0, transition: 'open' }]);
    expect(state.phase).toBe('firing');
  });

  it('resolves only after the condition stayed clear for clearFor', () => {
    const { transitions } = run(['on', 'off', 'on', 'off', 'off', 'off', 'off', 'off', 'off', 'off'], timing({ clearForMs: 60 * MIN }));
    expect(transitions).toEqual([{ i: 0, transition: 'open' }, { i: 9, transition: 'resolve' }]);
  });

  it('after a resolve, the cooldown holds back a new alert until it has passed', () => {
    const levels: Level[] = ['on', 'off', 'on', 'on', 'on', 'on', 'on', 'on', 'on'];
    const { transitions } = run(levels, timing({ cooldownMs: 60 * MIN }));
    // resolved at 10 min; the condition is back at 20 min but may open only at 70 min (i = 7)
    expect(transitions).toEqual([{ i: 0, transition: 'open' }, { i: 1, transition: 'resolve' }, { i: 7, transition: 'open' }]);
  });

  it('a value flapping around a threshold all day gives one alert, not dozens', () => {
    const limit = 33;
    const values = Array.from({ length: 144 }, (_, i) => (i % 2 === 0 ? 33.4 : 32.6)); // every 10 min for 24 h
    const big = Array.from({ length: 144 }, (_, i) => (i % 3 === 0 ? 31.5 : 34)); // crossing the whole band too
    const levels = [...values, ...big].map((x) => levelAgainst(x, limit, 'above', 1));
    const { transitions } = run(levels, timing({ clearForMs: 60 * MIN, cooldownMs: 6 * 60 * MIN }));
    expect(transitions).toEqual([{ i: 0, transition: 'open' }]);
  });

  it('a pending duration carries across a JSON round trip of its state (a restart)', () => {
    const t = timing({ forMs: 30 * MIN });
    const before = run(['on', 'on'], t);
    expect(before.transitions).toEqual([]);
    const after = stepCondition(before.state, 'on', 30 * MIN, t);
    expect(after.transition).toBe('open');
    expect(after.state.since).toBe(0);
  });

  it('time never runs backwards: a late reading does not shorten or restart a duration', () => {
    const t = timing({ forMs: 30 * MIN });
    let s = stepCondition({ phase: 'idle' }, 'on', 100 * MIN, t).state;
    s = stepCondition(s, 'on', 50 * MIN, t).state; // late
    expect(s.since).toBe(100 * MIN);
    expect(stepCondition(s, 'on', 130 * MIN, t).transition).toBe('open');
  });
});

describe('levelAgainst', () => {
  it('above with a band; an inclusive limit trips at the limit itself', () => {
    expect(levelAgainst(2.01, 2, 'above', 0.2)).toBe('on');
    expect(levelAgainst(2, 2, 'above', 0.2)).toBe('band');
    expect(levelAgainst(1.8, 2, 'above', 0.2)).toBe('off');
    expect(levelAgainst(1, 1, 'above', 0.2, true)).toBe('on');
    expect(levelAgainst(-15.5, -15, 'below', 1)).toBe('on');
    expect(levelAgainst(-14.5, -15, 'below', 1)).toBe('band');
    expect(levelAgainst(-14, -15, 'below', 1)).toBe('off');
  });
});

describe('onlyClockMoved (what the engine does not write after a minute check)', () => {
  const idle = { cond: { phase: 'idle', lastTs: 1_000 }, lastSeen: 500 };
  it('is true when only cond.lastTs moved', () => {
    expect(onlyClockMoved(idle, { cond: { phase: 'idle', lastTs: 61_000 }, lastSeen: 500 })).toBe(true);
    expect(onlyClockMoved(idle, { cond: { phase: 'idle', resolvedAt: undefined, lastTs: 61_000 }, lastSeen: 500, lastReadingTs: undefined })).toBe(true);
  });
  it('is false for any other change, and for states without a condition', () => {
    expect(onlyClockMoved(idle, { cond: { phase: 'firing', since: 1_000, firedAt: 61_000, lastTs: 61_000 }, lastSeen: 500 })).toBe(false);
    expect(onlyClockMoved(idle, { cond: { phase: 'idle', lastTs: 61_000 }, lastSeen: 60_000 })).toBe(false);
    expect(onlyClockMoved(undefined, idle)).toBe(false);
    expect(onlyClockMoved({ lastSeen: 1 }, { lastSeen: 1 })).toBe(false);
  });
});
