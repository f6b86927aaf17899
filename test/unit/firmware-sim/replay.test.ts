// A device that was offline replays its buffer the way real firmware does: the original timestamps and
// sequence numbers, in order, in backlog messages of `backlogChunk` entries, one at a time, with
// `replayPauseMs` of device time between two of them; a full ring buffer forgets the oldest; a flat
// battery loses what was in RAM. The connection is a fake (no sockets), the clock is vitest's.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { NativePayload, type NativeEntry } from '../../../core/telemetry/decoders/native.js';
import { createSimClock } from '../../../firmware-sim/clock.js';
import { createLinkPlan } from '../../../firmware-sim/connectivity.js';
import { nativeFormat } from '../../../firmware-sim/formats/index.js';
import type { MqttLink, MqttLinkOptions } from '../../../firmware-sim/mqtt-link.js';
import { createDeviceModel } from '../../../firmware-sim/models/index.js';
import { createSampler } from '../../../firmware-sim/sampler.js';
import { createSimDevice, type SimDevice } from '../../../firmware-sim/sim-device.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { HOUR, mekong } from './helpers.js';

interface Sent {
  readonly at: number;
  readonly entries: NativeEntry[];
}

function fakeLink(sent: Sent[]): (o: MqttLinkOptions) => MqttLink {
  return (o) => {
    let up = false;
    return {
      setAvailable(v) {
        const was = up;
        up = v;
        if (v && !was) o.onConnect();
      },
      connected: () => up,
      sessions: () => 0,
      publish(topic, payload) {
        if (!up) return Promise.reject(new Error('not connected'));
        if (topic !== 'devices/awd-1/up') return Promise.resolve(); // its status
        const p = NativePayload.parse(JSON.parse(payload));
        sent.push({ at: Date.now(), entries: Array.isArray(p) ? p : [p] });
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  };
}

describe('offline buffer and rate-limited replay', () => {
  const t0 = Date.UTC(2025, 2, 10, 0);
  let sent: Sent[];

  beforeEach(() => {
    vi.useFakeTimers({ now: t0 });
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  function device(opts: { bufferLimit?: number; offline?: { fromMs: number; toMs: number }[]; power?: { initialPct: number; solar: number } }): SimDevice {
    const weather = createWeather(mekong);
    const model = createDeviceModel({ kind: 'awd_tube', seed: 1, power: opts.power }, weather);
    return createSimDevice({
      deviceId: 'awd-1', secret: 's', brokerUrl: 'mqtt://unused', format: nativeFormat, rtc: true,
      sampler: createSampler({ model, weather, intervalMs: 60_000, firstReportMs: t0 + 60_000 }),
      link: createLinkPlan({ offline: opts.offline, seed: 1 }),
      clock: createSimClock({ startMs: t0, speed: 1, now: () => Date.now() }),
      bufferLimit: opts.bufferLimit ?? 1_000, backlogChunk: 10, replayPauseMs: 5_000, reconnectPeriodMs: 5_000,
      log: silentLogger(), createLink: fakeLink(sent),
    });
  }

  async function runFor(d: SimDevice, ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 60_000) {
      await vi.advanceTimersByTimeAsync(60_000);
      d.tick();
    }
  }

  it('replays an hour offline in chunks of 10, 5 s of device time apart, with original times and seqs', async () => {
    const d = device({ offline: [{ fromMs: t0 + 10 * 60_000, toMs: t0 + 70 * 60_000 }] });
    d.start();
    await runFor(d, 2 * HOUR);
    await vi.advanceTimersByTimeAsync(60_000);
    const all = sent.flatMap((s) => s.entries);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i)); // nothing lost, nothing twice, in order
    expect(all.every((e) => e.ts === t0 + ((e.seq ?? 0) + 1) * 60_000)).toBe(true);
    expect(all).toHaveLength(120);
    const backlog = sent.filter((s) => s.entries.length > 1);
    expect(backlog.map((s) => s.entries.length)).toEqual([10, 10, 10, 10, 10, 10]); // the hour it was offline
    for (let i = 1; i < backlog.length; i++) expect((backlog[i]?.at ?? 0) - (backlog[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(5_000);
    expect(d.stats()).toMatchObject({ published: 120, buffered: 0, dropped: 0 });
  });

  it('a full ring buffer forgets the oldest entries and counts them', async () => {
    const d = device({ bufferLimit: 30, offline: [{ fromMs: t0, toMs: t0 + HOUR }] });
    d.start();
    await runFor(d, HOUR + 120_000);
    await vi.advanceTimersByTimeAsync(60_000);
    const seqs = sent.flatMap((s) => s.entries.map((e) => e.seq));
    expect(d.stats().dropped).toBe(30);
    expect(seqs[0]).toBe(30);
  });

  it('a flat battery stops the reports and loses the RAM buffer', async () => {
    const d = device({ power: { initialPct: 0.3, solar: 0 }, offline: [{ fromMs: t0, toMs: t0 + 6 * HOUR }] });
    d.start();
    await runFor(d, 8 * HOUR);
    expect(d.stats().powered).toBe(false);
    expect(d.stats().dropped).toBeGreaterThan(0);
    expect(d.stats().buffered).toBe(0);
    expect(sent).toHaveLength(0); // it went flat before its network came back
  });
});
