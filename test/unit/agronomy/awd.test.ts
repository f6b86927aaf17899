// Rice AWD decisions from the field-tube level (docs/agronomy.md §3), including the flowering hold.
import { describe, expect, it } from 'vitest';
import { awdDecision, awdPhase, permilToEc } from '../../../core/agronomy/index.js';

const mid = { daysSinceTransplanting: 40, daysFromFlowering: -30, daysToHarvest: 60 };

describe('AWD', () => {
  it('re-irrigates at −15 cm and below, flooding to +5 cm', () => {
    expect(awdDecision({ ...mid, levelCm: -16 })).toMatchObject({ action: 'irrigate', phase: 'awd', targetCm: 5 });
    expect(awdDecision({ ...mid, levelCm: -15 })).toMatchObject({ action: 'irrigate', targetCm: 5 });
    expect(awdDecision({ ...mid, levelCm: -14.9 })).toMatchObject({ action: 'wait', phase: 'awd' });
    expect(awdDecision({ ...mid, levelCm: 2 }).action).toBe('wait');
  });

  it('the threshold is configurable (5–10 cm drawdowns)', () => {
    expect(awdDecision({ ...mid, levelCm: -12 }).action).toBe('wait');
    expect(awdDecision({ ...mid, levelCm: -12 }, { thresholdCm: -10 }).action).toBe('irrigate');
  });

  it('no AWD from 7 days before to 7 days after flowering: a dry tube there is topped up to 5 cm', () => {
    for (const daysFromFlowering of [-7, 0, 7]) {
      const d = awdDecision({ ...mid, daysFromFlowering, levelCm: -5 });
      expect(d).toMatchObject({ action: 'irrigate', phase: 'flowering_hold', targetCm: 5 });
      expect(d.reasons[0]?.text).toMatch(/flowering/);
    }
    // the same level outside the window is ordinary AWD drying
    expect(awdDecision({ ...mid, daysFromFlowering: -8, levelCm: -5 })).toMatchObject({ action: 'wait', phase: 'awd' });
    expect(awdDecision({ ...mid, daysFromFlowering: 8, levelCm: -5 }).action).toBe('wait');
    // ≈ 5 cm standing: hold it
    expect(awdDecision({ ...mid, daysFromFlowering: 2, levelCm: 4 })).toMatchObject({ action: 'hold', targetCm: 5 });
  });

  it('keeps the field ponded for 10 days after transplanting', () => {
    expect(awdDecision({ daysSinceTransplanting: 5, levelCm: 1 })).toMatchObject({ action: 'irrigate', phase: 'establishment', targetCm: 5 });
    expect(awdDecision({ daysSinceTransplanting: 9, levelCm: 4 }).action).toBe('hold');
    expect(awdDecision({ daysSinceTransplanting: 10, levelCm: 1 })).toMatchObject({ action: 'wait', phase: 'awd' });
  });

  it('drains before harvest and never irrigates then', () => {
    expect(awdDecision({ ...mid, daysToHarvest: 7, levelCm: 3 })).toMatchObject({ action: 'drain', phase: 'pre_harvest_drain' });
    expect(awdDecision({ ...mid, daysToHarvest: 7, levelCm: -20 }).action).toBe('keep_dry');
    expect(awdPhase({ ...mid, daysToHarvest: 11, levelCm: 0 })).toBe('awd');
  });

  it('does not re-flood with canal water above the rice limit of 2 ‰ (basis stated)', () => {
    const ec = 3.5; // dS/m: 2.24 ‰ on the TDS g/L basis, 1.75 ‰ on PSS-78
    const salty = awdDecision({ ...mid, levelCm: -20, canalEcDsPerM: ec });
    expect(salty.action).toBe('do_not_irrigate_salinity');
    expect(salty.reasons.at(-1)?.text).toContain('2.2 ‰ (TDS g/L basis)');
    expect(awdDecision({ ...mid, levelCm: -20, canalEcDsPerM: ec, salinityBasis: 'pss78' }).action).toBe('irrigate');
    expect(awdDecision({ ...mid, levelCm: -20, canalEcDsPerM: permilToEc(2, 'tds_g_per_l') }).action).toBe('irrigate');
  });
});
