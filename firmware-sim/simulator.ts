// The fleet runner: builds each device's physics model on the weather of its place, connects every
// device to the broker with its own credentials and drives them all from one simulated clock.
// Clock: sim = startMs + real elapsed × speed, never ahead of the real clock (clock.ts), so a simulator
// started in the past backfills history quickly and then reports in real time.
import type { IClientOptions } from 'mqtt';
import { z } from 'zod';
import type { Service } from '../core/lifecycle.js';
import { silentLogger, type Logger } from '../core/log.js';
import { deviceIdPattern } from '../core/telemetry/topics.js';
import { createSimClock, type SimClock } from './clock.js';
import { createDeviceModel } from './models/index.js';
import { hashString } from './random.js';
import { createSimDevice, type SimDevice, type SimDeviceStats } from './sim-device.js';
import { createWeather, type Weather } from './weather.js';

export const SimDeviceSpec = z.object({
  deviceId: z.string().regex(deviceIdPattern),
  secret: z.string().min(1),
  kind: z.enum(['soil_probe', 'weather_station', 'canal_sensor', 'awd_tube']),
  lat: z.number().min(-90).max(90),
  lonE: z.number().min(-180).max(180).optional(),
  elevationM: z.number().min(-100).max(6000).optional(),
  depthsCm: z.array(z.number().int().min(1).max(300)).min(1).max(16).optional(),
  soilTexture: z.string().optional(),
  crop: z.string().optional(),
  seed: z.number().int().optional(),
});
export type SimDeviceSpec = z.infer<typeof SimDeviceSpec>;

export interface SimulatorOptions {
  readonly brokerUrl: string;
  readonly devices: readonly SimDeviceSpec[];
  /** Simulated seconds per real second while catching up with the real clock. */
  readonly speed: number;
  /** Simulated seconds between two reports of one device. */
  readonly intervalS: number;
  /** Where simulated time begins; default now − 48 h. */
  readonly startMs?: number | undefined;
  readonly now?: (() => number) | undefined;
  readonly log?: Logger | undefined;
  /** mqtt.js reconnect period; default 5 s. */
  readonly reconnectPeriodMs?: number | undefined;
  /** Entries each device keeps while offline; default 1,000. */
  readonly bufferLimit?: number | undefined;
  /** Entries per backlog payload; default 100. */
  readonly backlogChunk?: number | undefined;
  readonly mqttOptions?: Partial<IClientOptions> | undefined;
}

export interface Simulator extends Service {
  /** Entries (one timestamped set of readings each) the broker has acknowledged, over all devices. */
  published(): number;
  stats(): Record<string, SimDeviceStats>;
}

const MIN_TICK_MS = 10;
const MAX_TICK_MS = 1_000;

export function createSimulator(opts: SimulatorOptions): Simulator {
  const log = opts.log ?? silentLogger();
  const now = opts.now ?? Date.now;
  let devices: SimDevice[] = [];
  let timer: NodeJS.Timeout | undefined;
  let clock: SimClock | undefined;
  let stopping: Promise<void> | undefined;

  function schedule(): void {
    if (stopping || !clock) return;
    const next = devices.reduce((min, d) => Math.min(min, d.nextReportMs()), Infinity);
    const delay = Number.isFinite(next) ? clock.realDelayUntil(next) : MAX_TICK_MS;
    timer = setTimeout(run, Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, delay)));
    timer.unref();
  }

  function run(): void {
    timer = undefined;
    for (const d of devices) d.tick();
    schedule();
  }

  function begin(): void {
    if (clock || stopping) return;
    if (!(opts.intervalS > 0)) throw new RangeError(`intervalS must be positive, got ${opts.intervalS}`);
    const specs = opts.devices.map((d) => SimDeviceSpec.parse(d));
    const realNow = now();
    const startMs = Math.floor(opts.startMs ?? realNow - 48 * 3_600_000);
    const intervalMs = Math.max(1, Math.round(opts.intervalS * 1000));
    const simClock = createSimClock({ startMs, speed: opts.speed, now });
    const weathers = new Map<string, Weather>();
    devices = specs.map((spec) => {
      const seed = spec.seed ?? hashString(spec.deviceId);
      // Devices at the same place (to ~1 km) share one weather: the rain on the tube is the station's rain.
      const place = { lat: Math.round(spec.lat * 100) / 100, lonE: spec.lonE ?? 106, elevationM: Math.round(spec.elevationM ?? 2) };
      const key = `${place.lat}:${place.lonE}:${place.elevationM}`;
      let weather = weathers.get(key);
      if (!weather) weathers.set(key, (weather = createWeather(place)));
      const model = createDeviceModel({ kind: spec.kind, seed, depthsCm: spec.depthsCm, soilTexture: spec.soilTexture, crop: spec.crop }, weather);
      return createSimDevice({
        deviceId: spec.deviceId,
        secret: spec.secret,
        brokerUrl: opts.brokerUrl,
        model,
        clock: simClock,
        intervalMs,
        firstReportMs: startMs + (hashString(spec.deviceId) % intervalMs), // staggered, as real fleets are
        bufferLimit: opts.bufferLimit ?? 1_000,
        backlogChunk: opts.backlogChunk ?? 100,
        reconnectPeriodMs: opts.reconnectPeriodMs ?? 5_000,
        log,
        mqttOptions: opts.mqttOptions,
      });
    });
    clock = simClock;
    for (const d of devices) d.start();
    log.info({ devices: devices.length, speed: opts.speed, intervalS: opts.intervalS, startMs }, 'simulator started');
    schedule();
  }

  /** Resolves once every device has a client; devices connect (and reconnect) on their own, buffering meanwhile. */
  function start(): Promise<void> {
    try {
      begin();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async function shutdown(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    await Promise.all(devices.map((d) => d.stop()));
    log.info({ published: published() }, 'simulator stopped');
  }

  function published(): number {
    return devices.reduce((sum, d) => sum + d.stats().published, 0);
  }

  return {
    name: 'firmware-sim',
    start,
    stop: () => (stopping ??= shutdown()),
    published,
    stats: () => Object.fromEntries(devices.map((d) => [d.deviceId, d.stats()])),
  };
}
