// Scenario replays on the real pipeline (MQTT → ingest → SQLite → rules → alerts → HTTP API), issue 15 A:
// sensor trust comes before the advice. The demo's coffee fields (clay: θFC 0.36, θWP 0.22, Zr 0.9 m →
// TAW 126 mm, RAW 50.4 mm; probes at 20 and 50 cm):
// - dead probe (scenarios/dead-probe.json): lô A's 20 cm sensor starts reading 0 % after 6 h while its 50 cm
//   sensor reads 31.9 %. Trusted, that is Dr = 0.36·350 + 0.041·550 = 148.5 mm > TAW and "irrigate 198 mm";
//   now: a technician alert "đầu dò 20 cm có thể hỏng", no irrigate alert, and the advice falls back to the
//   model balance from the last trusted depletion (0.03·350 + 0.041·550 = 33 mm) and says so.
// - silent channel: lô B's 20 cm channel stops while the probe keeps sending its 50 cm reading: a technician
//   alert after 3 reports without it, and the 50 cm sensor no longer stands alone for the root zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;
const HOUR = 3_600_000;

interface Advice { status: string; method: string; text: { vi: string; en: string }; numbers: Record<string, number | null> }

describe('sensor trust before the advice', () => {
  let rp: RulesPlatform;
  const start = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;

  beforeAll(async () => { rp = await startRulesPlatform(start); });
  afterAll(async () => { await rp?.close(); });

  const advice = async (fieldId: string): Promise<Advice> => {
    const res = await fetch(`${rp.baseUrl}/api/v1/fields/${fieldId}/advice`, { headers: { authorization: `Bearer ${await rp.token()}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Advice;
  };
  const fieldAlerts = async (fieldId: string) => (await rp.alerts(`?fieldId=${fieldId}`)).filter((a) => a.kind !== 'device_offline');

  it('a dead probe reading 0 %: a technician alert instead of an irrigation order; the advice falls back to the model and says so', async () => {
    const entries = times(start, 72, 10 * MIN).map((ts, i) => ({
      ts, readings: { 'soil_moisture@20cm': i < 36 ? 33 : 0, 'soil_moisture@50cm': 31.9, battery: 88 },
    }));
    rp.clock.t = start + 12 * HOUR;
    await rp.publish('soil-coffee-a', entries);

    const alerts = await fieldAlerts('field-coffee-a');
    expect(alerts.filter((a) => a.kind === 'irrigate')).toEqual([]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'sensor_suspect', severity: 'warning', status: 'open', deviceId: 'soil-coffee-a',
      values: { audience: 'technician', metric: 'soil_moisture@20cm', depthCm: 20, reason: 'dead', reading: 0, suspectSince: start + 6 * HOUR },
    });
    expect(alerts[0]?.text.vi).toBe('Đầu dò đất lô A: đầu dò 20 cm có thể hỏng — đọc 0 % (đầu dò chết hoặc đứt cáp); đã loại khỏi khuyến cáo tưới, kỹ thuật viên cần kiểm tra đầu dò');
    expect(alerts[0]?.text.en).toContain('the 20 cm sensor may be broken — reads 0 % (a dead sensor or a cut cable)');

    const a = await advice('field-coffee-a');
    expect(a.status).not.toBe('irrigate');
    expect(a).toMatchObject({ status: 'ok', method: 'water-balance', numbers: { sensorFallback: 1, suspectChannels: 1, netMm: 0, grossMm: 0 } });
    expect(a.numbers.depletionMm).toBeCloseTo(0.03 * 350 + 0.041 * 550, 6);
    expect(a.numbers.depletionMm!).toBeLessThanOrEqual(a.numbers.tawMm!);
    expect(a.text.vi).toMatch(/^Lô cà phê A \(cà phê\): đầu dò 20 cm có thể hỏng, đã báo kỹ thuật viên — khuyến cáo theo mô hình cân bằng nước/);
  });

  it('the sensor is repaired: plausible readings for 30 min resolve the technician alert; the probes speak again', async () => {
    const from = start + 12 * HOUR;
    rp.clock.t = from + 2 * HOUR;
    await rp.publish('soil-coffee-a', times(from, 6, 10 * MIN).map((ts) => ({ ts, readings: { 'soil_moisture@20cm': 32.5, 'soil_moisture@50cm': 31.9 } })));
    const [alert] = (await fieldAlerts('field-coffee-a')).filter((x) => x.kind === 'sensor_suspect');
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'auto', resolveReason: 'the sensor reads plausibly again' });
    expect(await advice('field-coffee-a')).toMatchObject({ status: 'ok', method: 'soil-sensors' });
  });

  it('a depth that stops reporting while the probe still reports: a technician alert, and no advice from the other depth alone', async () => {
    // 20 cm dry (25 %) and 50 cm at field capacity: trusted, Dr = 0.11·350 = 38.5 mm; then only the 50 cm channel reports
    const entries = times(start, 12, 10 * MIN).map((ts, i): { ts: number; readings: Record<string, number> } => ({
      ts, readings: i < 4 ? { 'soil_moisture@20cm': 25, 'soil_moisture@50cm': 36, battery: 80 } : { 'soil_moisture@50cm': 36, battery: 80 },
    }));
    rp.clock.t = start + 2 * HOUR;
    await rp.publish('soil-coffee-b', entries);
    const alerts = await fieldAlerts('field-coffee-b');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'sensor_suspect', deviceId: 'soil-coffee-b', values: { reason: 'silent', depthCm: 20, audience: 'technician' } });
    // last 20 cm reading at +30 min, the 3rd report without it at +60 min
    expect(alerts[0]?.values.suspectSince).toBe(start + 60 * MIN);
    expect(alerts[0]?.text.vi).toBe('Đầu dò đất lô B: đầu dò 20 cm có thể hỏng — không gửi số liệu 30 phút trong khi thiết bị vẫn gửi các kênh khác; đã loại khỏi khuyến cáo tưới, kỹ thuật viên cần kiểm tra đầu dò');
    const a = await advice('field-coffee-b');
    // not 0 mm from the 50 cm sensor standing for the whole root zone: the last trusted depletion, from the model path
    expect(a).toMatchObject({ method: 'water-balance', numbers: { sensorFallback: 1 } });
    expect(a.numbers.depletionMm).toBeCloseTo(38.5, 6);
    expect(a.text.en).toContain('the 20 cm probe reading may be faulty and the technicians are told — advice from the FAO-56 water-balance model');
  });
  it('after a restart the platform still distrusts the silent depth: no second alert, still no advice from 50 cm alone', async () => {
    await rp.restart();
    const from = start + 2 * HOUR;
    rp.clock.t = from + HOUR;
    await rp.publish('soil-coffee-b', times(from, 3, 10 * MIN).map((ts) => ({ ts, readings: { 'soil_moisture@50cm': 36, battery: 80 } })));
    expect((await fieldAlerts('field-coffee-b')).map((a) => [a.kind, a.status])).toEqual([['sensor_suspect', 'open']]);
    expect(await advice('field-coffee-b')).toMatchObject({ method: 'water-balance', numbers: { sensorFallback: 1 } });
  });
});
