// Issue 17 on the real pipeline (MQTT → ingest → SQLite → rules → alerts → HTTP API): a coffee field WITHOUT
// probes on the demo's highland farm dries in the FAO-56 daily balance (ET0 from the farm station's hourly air
// temperature, no rain) until the daily run opens an "irrigate" alert; the farmer records 25 mm through
// POST /fields/:id/irrigations → the alert resolves at once ("irrigation recorded") because
// 25 mm × 0.75 (coffee's application efficiency) takes the depletion back under RAW − 3 mm; the next day's
// advice does not ask again, and no second alert opens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FIELD = 'field-coffee-dry';
/** Its twin, irrigated through the registry as a `ruong api` in another process would record it. */
const TWIN = 'field-coffee-dry-2';
/** Local (UTC+7) midnight at or before `t`. */
const localMidnight = (t: number) => Math.floor((t + 7 * HOUR) / DAY) * DAY - 7 * HOUR;

interface Advice { status: string; method: string; numbers: Record<string, number | null>; text: { vi: string; en: string } }

describe('recorded irrigation in the water balance of a coffee field without probes', () => {
  let rp: RulesPlatform;
  const day0 = localMidnight(Date.now() - 24 * DAY);
  let openedOn = -1;

  beforeAll(async () => {
    rp = await startRulesPlatform(day0);
    await rp.p.registry.createField({ id: FIELD, farmId: 'farm-highlands', name: 'Lô cà phê khô', crop: 'coffee', plantingDate: '2019-06-01', soilTexture: 'clay', areaHa: 1, pumpFlowM3h: 18 });
    await rp.p.registry.createField({ id: TWIN, farmId: 'farm-highlands', name: 'Lô cà phê khô 2', crop: 'coffee', plantingDate: '2019-06-01', soilTexture: 'clay', areaHa: 1, pumpFlowM3h: 18 });
  });
  afterAll(async () => { await rp?.close(); });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rp.baseUrl}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${await rp.token()}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const advice = async () => (await api('GET', `/fields/${FIELD}/advice`)).body as unknown as Advice;
  /** One dry-season day at the farm station, as it happens: hourly air temperature 17–31 °C (warmest at 14 h), no rain. */
  const weatherDay = async (d: number) => {
    rp.clock.t = day0 + (d + 1) * DAY;
    await rp.publish('wx-highlands', times(day0 + d * DAY, 24, HOUR).map((ts) => {
      const hour = ((ts + 7 * HOUR) % DAY) / HOUR;
      return { ts, readings: { air_temperature: Number((24 + 7 * Math.cos(((hour - 14) / 24) * 2 * Math.PI)).toFixed(2)), rain: 0 } };
    }));
  };
  const irrigateAlerts = async (field = FIELD) => (await rp.alerts(`?fieldId=${field}`)).filter((a) => a.kind === 'irrigate');

  it('the daily balance dries the field until an irrigate alert opens (water-balance method)', async () => {
    for (let d = 1; d <= 21 && openedOn < 0; d++) {
      await weatherDay(d - 1);
      rp.clock.t = day0 + d * DAY + 5.5 * HOUR; // 05:30 local: yesterday's weather → the balance → today's advice
      await rp.p.rules.runDaily();
      if ((await irrigateAlerts()).length > 0) openedOn = d;
    }
    expect(openedOn).toBeGreaterThan(5);
    const [alert] = await irrigateAlerts();
    expect(alert).toMatchObject({ status: 'open', fieldId: FIELD });
    expect(alert!.values.depletionMm as number).toBeGreaterThanOrEqual(alert!.values.rawMm as number);
    const a = await advice();
    expect(a).toMatchObject({ status: 'irrigate', method: 'water-balance' });
    // the minute check alone changes nothing: nothing was recorded
    rp.clock.t += HOUR;
    await rp.p.rules.checkMinute();
    expect((await irrigateAlerts())[0]?.status).toBe('open');
    expect((await irrigateAlerts(TWIN))[0]?.status).toBe('open');
  });

  it('an irrigation recorded by another process (the registry\'s feed) resolves at the next minute check', async () => {
    await rp.p.registry.recordIrrigation('coop-demo', TWIN, { startAt: rp.clock.t - HOUR, depthMm: 25, source: 'api', recordedBy: 'usr-elsewhere' }, rp.clock.t);
    expect((await irrigateAlerts(TWIN))[0]?.status).toBe('open');
    rp.clock.t += 60_000;
    await rp.p.rules.checkMinute();
    expect((await irrigateAlerts(TWIN))[0]).toMatchObject({ status: 'resolved', resolveReason: 'irrigation recorded: depletion back under RAW' });
  });

  it('a recorded 25 mm resolves the alert at once, and the advice no longer asks', async () => {
    const before = await advice();
    const depletion = before.numbers.depletionMm!;
    const posted = await api('POST', `/fields/${FIELD}/irrigations`, { startAt: rp.clock.t - HOUR, depthMm: 25, durationMin: 90, source: 'farmer_report' });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ fieldId: FIELD, depthMm: 25, volumeM3: 250, source: 'farmer_report' });

    // the API tells the rules engine of its process at once (cli/irrigation-trigger.ts → the minute check's feed)
    await expect.poll(async () => (await irrigateAlerts())[0]?.status).toBe('resolved');
    const [alert] = await irrigateAlerts();
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'auto', resolveReason: 'irrigation recorded: depletion back under RAW' });
    const after = await advice();
    expect(after.status).toBe('ok');
    expect(after.numbers.recordedIrrigationMm).toBe(25);
    expect(after.numbers.recordedIrrigationNetMm).toBeCloseTo(18.75, 6); // 25 mm applied × 0.75
    expect(after.text.vi).toMatch(/^Lô cà phê khô \(cà phê\): đã ghi tưới 25 mm — độ thiếu hụt \d+ mm dưới ngưỡng tưới \d+ mm — chưa cần tưới$/);
    expect(after.numbers.depletionMm).toBeCloseTo(depletion - 18.75, 6);
  });

  it('the next day folds the irrigation into the balance: no irrigate advice, no second alert', async () => {
    const resolved = await advice();
    await weatherDay(openedOn);
    rp.clock.t = day0 + (openedOn + 1) * DAY + 5.5 * HOUR;
    await rp.p.rules.runDaily();
    const next = await advice();
    expect(next.status).toBe('ok');
    expect(next.method).toBe('water-balance');
    // one more day of ETc on top of the irrigated depletion, the irrigation counted once
    expect(next.numbers.depletionMm!).toBeGreaterThan(resolved.numbers.depletionMm!);
    expect(next.numbers.depletionMm!).toBeLessThan(next.numbers.rawMm!);
    expect(next.numbers.recordedIrrigationNetMm ?? 0).toBe(0);
    expect(next.text.vi).not.toContain('đã ghi tưới');
    expect(await irrigateAlerts()).toHaveLength(1);
  });
});
