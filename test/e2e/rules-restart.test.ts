// Scenario on the real pipeline: a restart in the middle of a pending duration changes nothing. The canal
// salinity rule waits 15 minutes above the limit before it alerts; the platform is stopped and started again
// (same DATA_DIR) 5 minutes into it. The alert opens exactly when it would have without the restart — 15
// minutes after the first reading above the limit — once per field; a second restart and a replayed backlog
// neither re-alert nor resolve anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesPlatform, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;
const ec = (permil: number) => Number(((permil * 1000) / 640).toFixed(3));

describe('a restart during a pending duration', () => {
  let rp: RulesPlatform;
  const t0 = Math.floor((Date.now() - 3_600_000) / MIN) * MIN;
  const reading = (m: number, permil: number) => ({ ts: t0 + m * MIN, readings: { water_ec: ec(permil) } });
  const salinity = async () => (await rp.alerts()).filter((a) => a.kind === 'canal_salinity');

  beforeAll(async () => { rp = await startRulesPlatform(t0); });
  afterAll(async () => { await rp?.close(); });

  it('keeps the pending start across the restart and opens at 15 minutes, not 15 minutes after the restart', async () => {
    await rp.publish('canal-mekong', [reading(0, 2.5), reading(5, 2.6)]);
    expect(await salinity()).toEqual([]);
    await rp.restart();
    await rp.publish('canal-mekong', [reading(10, 2.6)]);
    expect(await salinity()).toEqual([]);
    await rp.publish('canal-mekong', [reading(15, 2.7)]);
    const alerts = await salinity();
    expect(alerts.map((a) => a.fieldId).sort()).toEqual(['field-rice-1', 'field-rice-2']);
    for (const a of alerts) expect(a.values).toMatchObject({ since: t0, readingTs: t0 + 15 * MIN });
  });

  it('after another restart a replayed backlog and new readings above the limit keep the same two alerts', async () => {
    const before = (await salinity()).map((a) => a.id).sort();
    await rp.restart();
    await rp.publish('canal-mekong', [reading(0, 2.5), reading(5, 2.6), reading(10, 2.6), reading(15, 2.7), reading(20, 2.8), reading(25, 2.9)]);
    const after = await salinity();
    expect(after.map((a) => a.id).sort()).toEqual(before);
    expect(after.every((a) => a.status === 'open' && a.values.readingTs === t0 + 25 * MIN)).toBe(true);
  });
});
