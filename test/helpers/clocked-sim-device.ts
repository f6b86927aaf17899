// One firmware-simulator device (firmware-sim/sim-device.ts: its own MQTT credentials, native JSON, a ring buffer,
// commands taken on devices/{id}/down) run on a test's simulated clock instead of the simulator's real-time one:
// the test moves the clock and calls `catchUp()`, which samples every report the clock has reached, publishes them
// and resolves once the broker acknowledged them (the ingest acknowledges after storing). A command arriving on the
// down topic is applied at the clock's present, and the device's confirmation goes out at once, as the simulator does.
import type { Clock } from './rules-platform.js';
import { silentLogger } from '../../core/log.js';
import type { SimClock } from '../../firmware-sim/clock.js';
import { nativeFormat } from '../../firmware-sim/formats/index.js';
import type { DeviceModel } from '../../firmware-sim/models/index.js';
import { createSampler } from '../../firmware-sim/sampler.js';
import { createSimDevice, type SimDevice } from '../../firmware-sim/sim-device.js';
import type { Weather } from '../../firmware-sim/weather.js';

export interface ClockedSimDevice {
  readonly device: SimDevice;
  /** Samples what the clock has reached and waits until the broker acknowledged all of it. */
  catchUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startClockedSimDevice(o: {
  deviceId: string; secret: string; brokerUrl: string; clock: Clock; model: DeviceModel; weather: Weather; intervalMs: number; firstReportMs: number;
}): ClockedSimDevice {
  // device time is the test's clock; a reconnect waits 50 ms of real time
  const clock: SimClock = { now: () => o.clock.t, realDelayUntil: (ms) => (ms <= o.clock.t ? 0 : 50), caughtUp: () => true };
  const device = createSimDevice({
    deviceId: o.deviceId, secret: o.secret, brokerUrl: o.brokerUrl, format: nativeFormat, rtc: true, link: { online: () => true }, clock,
    sampler: createSampler({ model: o.model, weather: o.weather, intervalMs: o.intervalMs, firstReportMs: o.firstReportMs }),
    bufferLimit: 100_000, backlogChunk: 200, replayPauseMs: 0, reconnectPeriodMs: 1_000, log: silentLogger(),
  });
  device.start();
  return {
    device,
    async catchUp(timeoutMs = 20_000) {
      device.tick();
      const until = Date.now() + timeoutMs;
      while (device.stats().buffered > 0 || !device.stats().connected) {
        if (Date.now() > until) throw new Error(`${o.deviceId}: ${device.stats().buffered} entries not acknowledged after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
        device.tick();
      }
    },
    stop: () => device.stop(),
  };
}
