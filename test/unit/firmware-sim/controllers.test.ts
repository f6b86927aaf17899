// Pump and valve controllers (issue 17, docs/architecture.md "Pumps and valves"): they obey on/off, refuse what
// their own interlock forbids, switch off when the minutes run out, confirm every command with a state report right
// away, count the litres through their meter, and put their water on the soil probes and AWD tubes of their field.
// The `neverAnswers` fault takes commands and does nothing. A simulated device answers a command arriving on
// devices/{id}/down with a native confirmation on devices/{id}/up (fake link, vitest's clock).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { NativePayload, type NativeEntry } from '../../../core/telemetry/decoders/native.js';
import { createSimClock } from '../../../firmware-sim/clock.js';
import { createLinkPlan } from '../../../firmware-sim/connectivity.js';
import { createFieldWater, createFieldWaters } from '../../../firmware-sim/field-water.js';
import { nativeFormat } from '../../../firmware-sim/formats/index.js';
import type { MqttLink, MqttLinkOptions } from '../../../firmware-sim/mqtt-link.js';
import { createController, createDeviceModel, createSoilProbe, createAwdTube, MAX_RUN_MIN, type Controller } from '../../../firmware-sim/models/index.js';
import { createSampler } from '../../../firmware-sim/sampler.js';
import { ControlCommandMessage, createSimDevice, DownCommand } from '../../../firmware-sim/sim-device.js';
import { runsOf } from '../../../rules/irrigation-from-telemetry.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { HOUR, highlands, local, mekong, outOfCatalogue, STEP } from './helpers.js';

const MIN = 60_000;

function pump(opts: { flowM3h?: number; neverAnswers?: boolean } = {}): Controller {
  return createController({ kind: 'pump_controller', weather: createWeather(highlands), seed: 3, flowM3h: opts.flowM3h ?? 20, neverAnswers: opts.neverAnswers });
}

describe('pump controller', () => {
  const t0 = local(2025, 3, 1, 6);

  it('confirms an on at once, reports its end when the minutes run out, and meters the litres it pumped', () => {
    const p = pump();
    expect(p.sample(t0)).toEqual({ pump_on: 0, flow_l: 0 });
    expect(p.eventReportMs?.()).toBeUndefined();
    expect(p.command({ id: 'c1', cmd: 'pump', action: 'on', minutes: 30 }, t0 + 5 * MIN)).toBe(true);
    expect(p.eventReportMs?.()).toBe(t0 + 5 * MIN); // the confirmation is due now
    expect(p.sample(t0 + 5 * MIN)).toEqual({ pump_on: 1, flow_l: 0 });
    expect(p.eventReportMs?.()).toBe(t0 + 35 * MIN); // then the end of the run
    const mid = p.sample(t0 + 15 * MIN);
    expect(mid.pump_on).toBe(1);
    expect(mid.flow_l).toBeGreaterThan(20_000 / 6 * 0.9); // 10 min at ≈ 20 m³/h ≈ 3,333 L
    expect(mid.flow_l).toBeLessThan(20_000 / 6 * 1.1);
    const end = p.sample(t0 + 35 * MIN);
    expect(end.pump_on).toBe(0);
    expect(p.eventReportMs?.()).toBeUndefined();
    expect(p.totalLitres()).toBeGreaterThan(10_000 * 0.94); // 30 min at 20 m³/h = 10 m³, ±5 % per run
    expect(p.totalLitres()).toBeLessThan(10_000 * 1.04);
    expect(p.sample(t0 + 45 * MIN)).toEqual({ pump_on: 0, flow_l: 0 });
  });

  it('switches off on off, and an on while running counts its minutes from then', () => {
    const p = pump();
    p.sample(t0);
    p.command({ cmd: 'pump', action: 'on', minutes: 60 }, t0);
    p.sample(t0 + 1);
    p.command({ cmd: 'pump', action: 'on', minutes: 10 }, t0 + 20 * MIN); // the same run, now ending at +30 min
    expect(p.eventReportMs?.()).toBe(t0 + 20 * MIN);
    p.sample(t0 + 20 * MIN);
    expect(p.eventReportMs?.()).toBe(t0 + 30 * MIN);
    p.command({ cmd: 'pump', action: 'off' }, t0 + 25 * MIN);
    expect(p.sample(t0 + 25 * MIN).pump_on).toBe(0);
    expect(p.eventReportMs?.()).toBeUndefined();
    expect(p.totalLitres() / 1000).toBeCloseTo((20 * 25) / 60, 0); // 25 min at ≈ 20 m³/h
  });

  it('refuses an on without minutes, above its maximum run or for another kind — and still reports its state', () => {
    for (const bad of [{ cmd: 'pump', action: 'on' }, { cmd: 'pump', action: 'on', minutes: MAX_RUN_MIN + 1 }, { cmd: 'pump', action: 'on', minutes: 0 }, { cmd: 'valve', action: 'on', minutes: 5 }] as const) {
      const p = pump();
      p.sample(t0);
      expect(p.command(bad, t0 + MIN)).toBe(false);
      expect(p.lastCommand()?.outcome).toBe('refused');
      expect(p.eventReportMs?.()).toBe(t0 + MIN);
      expect(p.sample(t0 + MIN).pump_on).toBe(0);
    }
  });

  it('a confirmation at the millisecond of a scheduled report goes out just after it (one reading per ts)', () => {
    const p = pump();
    p.sample(t0);
    p.command({ cmd: 'pump', action: 'on', minutes: 5 }, t0);
    expect(p.eventReportMs?.()).toBe(t0 + 1);
  });

  it('never answers with the fault: no switching, no confirmation, the unchanged state on schedule', () => {
    const p = pump({ neverAnswers: true });
    p.sample(t0);
    expect(p.command({ cmd: 'pump', action: 'on', minutes: 30 }, t0 + MIN)).toBe(false);
    expect(p.lastCommand()?.outcome).toBe('ignored');
    expect(p.eventReportMs?.()).toBeUndefined();
    expect(p.sample(t0 + 10 * MIN)).toEqual({ pump_on: 0, flow_l: 0 });
  });

  it('ignores the sensors\' irrigate and drip-valve commands; the sensors ignore the controllers\'', () => {
    const p = pump();
    expect(p.command({ cmd: 'irrigate', mm: 10 }, t0)).toBe(false);
    const probe = createDeviceModel({ kind: 'soil_probe', seed: 1 }, createWeather(highlands));
    expect(probe.command({ cmd: 'pump', action: 'on', minutes: 10 }, t0)).toBe(false);
  });
});

describe('valve controller', () => {
  it('reports valve_open, flow_l and its battery within the catalogue', () => {
    const v = createController({ kind: 'valve_controller', weather: createWeather(mekong), seed: 4 });
    const t0 = local(2025, 10, 1, 6);
    v.sample(t0);
    expect(v.command({ cmd: 'valve', action: 'on', minutes: 120 }, t0)).toBe(true);
    const keys = new Set<string>();
    for (let ms = t0 + 1; ms < t0 + 4 * HOUR; ms += STEP) {
      const r = v.sample(ms);
      for (const k of Object.keys(r)) keys.add(k);
      expect(outOfCatalogue(r)).toEqual([]);
    }
    expect([...keys].sort()).toEqual(['battery', 'flow_l', 'valve_open']);
    expect(v.totalLitres() / 1000).toBeGreaterThan(150 * 2 * 0.94); // 2 h at ≈ 150 m³/h
  });

  it('refuses to open onto canal water saltier than its limit (dry-season intrusion), opens in the rainy season', () => {
    const weather = createWeather(mekong);
    const v = createController({ kind: 'valve_controller', weather, seed: 4, maxEcDsm: 2, peakEcDsm: 8 });
    const march = local(2025, 3, 15, 12);
    expect(v.intakeEc(march)).toBeGreaterThan(2);
    expect(v.command({ cmd: 'valve', action: 'on', minutes: 30 }, march)).toBe(false);
    expect(v.lastCommand()?.reason).toMatch(/EC .* above the limit 2 dS\/m/);
    expect(v.isOn()).toBe(false);
    const october = local(2025, 10, 15, 12);
    expect(v.intakeEc(october)).toBeLessThan(2);
    expect(v.command({ cmd: 'valve', action: 'on', minutes: 30 }, october)).toBe(true);
    expect(v.isOn()).toBe(true);
  });
});

describe('field water: a controller waters the sensors of its field', () => {
  it('a pump of 100 m³/h for 1 h on 0.5 ha puts 20 mm on the field; the probe in it gets wetter than its twin outside', () => {
    const weather = createWeather(highlands);
    const field = createFieldWater('f1', 0.5);
    const p = createController({ kind: 'pump_controller', weather, seed: 5, flowM3h: 100, fieldWater: field });
    const wet = createSoilProbe({ weather, seed: 9, soilTexture: 'clay', crop: 'coffee', initialWetness: 0.4, fieldWater: field });
    const dry = createSoilProbe({ weather, seed: 9, soilTexture: 'clay', crop: 'coffee', initialWetness: 0.4 });
    const t0 = local(2025, 2, 10, 7); // dry season in the highlands
    for (const m of [p, wet, dry]) m.sample(t0);
    p.command({ cmd: 'pump', action: 'on', minutes: 60 }, t0 + STEP);
    expect(field.running(t0 + STEP + MIN)).toBe(true);
    for (let ms = t0 + STEP; ms <= t0 + 3 * HOUR; ms += STEP) for (const m of [p, wet, dry]) m.sample(ms);
    const mm = field.between(t0, t0 + 3 * HOUR);
    expect(mm).toBeGreaterThan(20 * 0.94);
    expect(mm).toBeLessThan(20 * 1.04);
    expect(mm).toBeCloseTo(p.totalLitres() / 1000 / (0.5 * 10), 6); // the meter's litres are the field's water
    const [wetTop = 0] = wet.waterContent();
    const [dryTop = 0] = dry.waterContent();
    // 20 mm in the top layer (0–35 cm, 350 mm thick) ≈ +5.7 % VWC, less what drained and the crop took
    expect((wetTop - dryTop) * 100).toBeGreaterThan(4);
    expect(field.running(t0 + 3 * HOUR)).toBe(false);
  });

  it('a canal intake raises the AWD tube of its field', () => {
    const weather = createWeather(mekong);
    const field = createFieldWater('rice', 2);
    const v = createController({ kind: 'valve_controller', weather, seed: 6, flowM3h: 200, fieldWater: field });
    const tube = createAwdTube({ weather, seed: 2, farmer: false, fieldWater: field });
    const twin = createAwdTube({ weather, seed: 2, farmer: false });
    const t0 = local(2025, 10, 2, 7);
    for (const m of [v, tube, twin]) m.sample(t0);
    v.command({ cmd: 'valve', action: 'on', minutes: 120 }, t0);
    for (let ms = t0 + STEP; ms <= t0 + 3 * HOUR; ms += STEP) for (const m of [v, tube, twin]) m.sample(ms);
    // 2 h × 200 m³/h on 2 ha = 20 mm: 2 cm ponded, or 8 cm of water table below the surface (Sy 0.25)
    expect(tube.level() - twin.level()).toBeGreaterThan(1.8);
  });

  it('fields are shared by id, their area from the first device that gives one', () => {
    const of = createFieldWaters([{ fieldId: 'a' }, { fieldId: 'a', fieldAreaHa: 2 }, { fieldId: 'b', fieldAreaHa: 0.5 }, {}]);
    expect(of('a')?.areaHa).toBe(2);
    expect(of('a')).toBe(of('a'));
    expect(of('b')?.areaHa).toBe(0.5);
    expect(of(undefined)).toBeUndefined();
  });
});

describe('sampler: a controller reports outside its schedule', () => {
  it('the confirmation and the end of a run are entries of their own, in time order and numbered', () => {
    const weather = createWeather(highlands);
    const t0 = local(2025, 3, 1, 6);
    const model = createController({ kind: 'pump_controller', weather, seed: 3 });
    const sampler = createSampler({ model, weather, intervalMs: 10 * MIN, firstReportMs: t0 });
    const first = sampler.take(t0 + 12 * MIN, 100).entries;
    expect(first.map((e) => e.ts)).toEqual([t0, t0 + 10 * MIN]);
    sampler.command({ cmd: 'pump', action: 'on', minutes: 5 }, t0 + 12 * MIN);
    expect(sampler.nextReportMs()).toBe(t0 + 12 * MIN);
    const after = sampler.take(t0 + 30 * MIN, 100).entries;
    expect(after.map((e) => [e.ts - t0, e.seq, e.readings.pump_on])).toEqual([
      [12 * MIN, 2, 1], [17 * MIN, 3, 0], [20 * MIN, 4, 0], [30 * MIN, 5, 0],
    ]);
    expect((after[1]?.readings.flow_l ?? 0) / 1000).toBeCloseTo((20 * 5) / 60, 0);
  });
});

describe('commands on devices/{id}/down', () => {
  it('takes on/off with an id; the minutes are left to the controller; rejects what is not a command', () => {
    expect(ControlCommandMessage.parse({ id: 'cmd-1', cmd: 'pump', action: 'on', minutes: 30 })).toEqual({ id: 'cmd-1', cmd: 'pump', action: 'on', minutes: 30 });
    expect(DownCommand.safeParse({ cmd: 'valve', action: 'on', minutes: 999 }).success).toBe(true); // refused by the device
    expect(DownCommand.safeParse({ cmd: 'valve', minutes: 30 }).success).toBe(true); // the sensors' drip valve
    for (const bad of [{ cmd: 'pump', action: 'start', minutes: 5 }, { cmd: 'pump', action: 'on', minutes: 5, extra: 1 }, { id: 'bad id!', cmd: 'pump', action: 'off' }, { cmd: 'fan', action: 'on' }]) {
      expect(DownCommand.safeParse(bad).success).toBe(false);
    }
  });

  describe('a simulated controller over a (fake) MQTT link', () => {
    const t0 = Date.UTC(2025, 2, 10, 0);
    beforeEach(() => vi.useFakeTimers({ now: t0 }));
    afterEach(() => vi.useRealTimers());

    it('publishes its confirmation on up right after the command and its end when the minutes run out', async () => {
      const sent: NativeEntry[] = [];
      let deliver: ((topic: string, payload: Buffer) => void) | undefined;
      const link = (o: MqttLinkOptions): MqttLink => {
        let up = false;
        deliver = (topic, payload) => o.onMessage(topic, payload);
        return {
          setAvailable(v) { if (v && !up) { up = true; o.onConnect(); } },
          connected: () => up,
          sessions: () => 1,
          publish(topic, payload) {
            if (topic === 'devices/pump-1/up') {
              const p = NativePayload.parse(JSON.parse(payload));
              sent.push(...(Array.isArray(p) ? p : [p]));
            }
            return Promise.resolve();
          },
          close: () => Promise.resolve(),
        };
      };
      const weather = createWeather(highlands);
      const model = createController({ kind: 'pump_controller', weather, seed: 1 });
      let rescheduled = 0;
      const d = createSimDevice({
        deviceId: 'pump-1', secret: 's', brokerUrl: 'mqtt://unused', format: nativeFormat, rtc: true,
        sampler: createSampler({ model, weather, intervalMs: 10 * MIN, firstReportMs: t0 }),
        link: createLinkPlan({ seed: 1 }), clock: createSimClock({ startMs: t0, speed: 1, now: () => Date.now() }),
        bufferLimit: 100, backlogChunk: 10, replayPauseMs: 0, reconnectPeriodMs: 1000, log: silentLogger(), createLink: link,
        onReschedule: () => { rescheduled++; },
      });
      d.start();
      d.tick();
      await vi.advanceTimersByTimeAsync(3 * MIN);
      deliver?.('devices/pump-1/down', Buffer.from(JSON.stringify({ id: 'c-1', cmd: 'pump', action: 'on', minutes: 4 })));
      await vi.advanceTimersByTimeAsync(0);
      expect(sent.at(-1)).toMatchObject({ ts: t0 + 3 * MIN, readings: { pump_on: 1, flow_l: 0 } });
      expect(rescheduled).toBe(1);
      expect(d.nextReportMs()).toBe(t0 + 7 * MIN); // the end of the run, before the next scheduled report
      await vi.advanceTimersByTimeAsync(4 * MIN);
      d.tick();
      await vi.advanceTimersByTimeAsync(0);
      expect(sent.at(-1)).toMatchObject({ ts: t0 + 7 * MIN, readings: { pump_on: 0 } });
      // refused: still answered, 1 ms after the report of this very millisecond (one reading per device, metric and ts)
      deliver?.('devices/pump-1/down', Buffer.from('{"cmd":"pump","action":"on"}'));
      expect(d.nextReportMs()).toBe(t0 + 7 * MIN + 1);
      await vi.advanceTimersByTimeAsync(1);
      d.tick();
      await vi.advanceTimersByTimeAsync(0);
      expect(sent.at(-1)).toMatchObject({ ts: t0 + 7 * MIN + 1, readings: { pump_on: 0, flow_l: 0 } });
      expect(d.stats()).toMatchObject({ commands: 1, rejectedCommands: 1 });
      await d.stop();
    });

    it('offline during a run: the buffer comes back in order after hours, and it is one whole run of the metered litres', async () => {
      const sent: NativeEntry[] = [];
      let deliver: ((topic: string, payload: Buffer) => void) | undefined;
      const link = (o: MqttLinkOptions): MqttLink => {
        let up = false;
        deliver = (topic, payload) => o.onMessage(topic, payload);
        return {
          setAvailable(v) {
            const was = up;
            up = v;
            if (v && !was) o.onConnect();
          },
          connected: () => up,
          sessions: () => 1,
          publish(topic, payload) {
            if (!up) return Promise.reject(new Error('not connected'));
            if (topic === 'devices/pump-2/up') {
              const p = NativePayload.parse(JSON.parse(payload));
              sent.push(...(Array.isArray(p) ? p : [p]));
            }
            return Promise.resolve();
          },
          close: () => Promise.resolve(),
        };
      };
      const weather = createWeather(highlands);
      const model = createController({ kind: 'pump_controller', weather, seed: 2, flowM3h: 30 });
      const d = createSimDevice({
        deviceId: 'pump-2', secret: 's', brokerUrl: 'mqtt://unused', format: nativeFormat, rtc: true,
        sampler: createSampler({ model, weather, intervalMs: 10 * MIN, firstReportMs: t0 }),
        link: createLinkPlan({ seed: 1, offline: [{ fromMs: t0 + 35 * MIN, toMs: t0 + 5 * HOUR }] }),
        clock: createSimClock({ startMs: t0, speed: 1, now: () => Date.now() }),
        bufferLimit: 100, backlogChunk: 5, replayPauseMs: 1_000, reconnectPeriodMs: 1_000, log: silentLogger(), createLink: link,
      });
      d.start();
      const runFor = async (ms: number): Promise<void> => {
        for (let t = 0; t < ms; t += MIN) {
          await vi.advanceTimersByTimeAsync(MIN);
          d.tick();
        }
      };
      await runFor(30 * MIN);
      deliver?.('devices/pump-2/down', Buffer.from(JSON.stringify({ cmd: 'pump', action: 'on', minutes: 120 })));
      await runFor(6 * HOUR); // offline from 35 min to 5 h: the run ends (2.5 h) while nobody hears it
      await d.stop();
      const ts = sent.map((e) => Number(e.ts));
      expect(ts).toEqual([...ts].sort((a, b) => a - b)); // replayed oldest first, original times
      expect(new Set(ts).size).toBe(ts.length);
      const states = sent.map((e) => ({ ts: Number(e.ts), value: e.readings.pump_on ?? NaN }));
      const flows = sent.map((e) => ({ ts: Number(e.ts), value: e.readings.flow_l ?? 0 }));
      const runs = runsOf(states, flows);
      expect(runs).toHaveLength(1);
      // the command came at the millisecond of the 30-min report: confirmed 1 ms later; 120 min on
      expect(runs[0]).toMatchObject({ startTs: t0 + 30 * MIN + 1, endTs: t0 + 150 * MIN + 1, complete: true });
      expect((runs[0]?.litres ?? 0) / 1000).toBeCloseTo(model.totalLitres() / 1000, 0); // the meter's count, within its ±1 %
      expect(model.totalLitres() / 1000).toBeGreaterThan(30 * 2 * 0.94);
    });
  });
});
