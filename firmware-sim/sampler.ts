// A device's measuring loop, whatever it speaks on the wire: every interval of simulated time it wakes,
// steps its physics, reads its (possibly faulty) sensors and its radio's signal, and numbers the entry.
// A device whose battery is flat does not wake: no entries, and a brown-out the caller learns about
// (its RAM buffer is gone). The sequence number lives in flash and survives the brown-out. A controller also
// reports outside its schedule (a command's confirmation, a run's end): those are entries of their own, numbered too.
import type { FaultInjector } from './faults.js';
import type { DeviceCommand, DeviceModel, Readings } from './models/common.js';
import type { Radio } from './radio.js';
import type { Weather } from './weather.js';

/** One wake-up's report: the sampling instant, the device's sequence number and its readings. */
export interface Entry {
  readonly ts: number;
  readonly seq: number;
  readonly readings: Readings;
}

export interface SamplerOptions {
  readonly model: DeviceModel;
  readonly weather: Weather;
  readonly intervalMs: number;
  readonly firstReportMs: number;
  readonly faults?: FaultInjector | undefined;
  /** Adds an `rssi` reading (a cellular device reports its own signal); LoRa signal is the gateway's. */
  readonly radio?: Radio | undefined;
}

export interface Sampling {
  readonly entries: Entry[];
  /** The first wake-up that found the battery flat, when the device browned out during this call. */
  readonly brownoutAt: number | undefined;
}

export interface Sampler {
  /** Samples every report due up to simNow (at most `max` of them). */
  take(simNow: number, max: number): Sampling;
  nextReportMs(): number;
  powered(): boolean;
  /** Steps the physics to ms and applies the command; false when the device has nothing to do with it. */
  command(cmd: DeviceCommand, ms: number): boolean;
}

export function createSampler(o: SamplerOptions): Sampler {
  let next = Math.round(o.firstReportMs);
  let seq = 0;
  let on = true;

  /** The next wake-up: the schedule's, or earlier when the model has a report of its own due (a controller). */
  const due = (): number => Math.min(next, o.model.eventReportMs?.() ?? Infinity);

  function take(simNow: number, max: number): Sampling {
    const entries: Entry[] = [];
    let brownoutAt: number | undefined;
    for (let n = 0; due() <= simNow && n < max; n++) {
      const t = due();
      if (t === next) next += o.intervalMs;
      o.model.step(t);
      if (!o.model.powered()) {
        if (on) brownoutAt ??= t;
        on = false;
        continue;
      }
      on = true;
      const readings = o.faults ? o.faults.apply(t, o.model.sample(t)) : o.model.sample(t);
      if (o.radio) readings.rssi = o.radio.rssi(t, o.weather.at(t).rainRate);
      if (Object.keys(readings).length > 0) entries.push({ ts: t, seq: seq++, readings });
    }
    return { entries, brownoutAt };
  }

  return {
    take,
    nextReportMs: due,
    powered: () => on,
    command: (cmd, ms) => o.model.command(cmd, ms),
  };
}
