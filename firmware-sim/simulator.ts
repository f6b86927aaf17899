// The fleet runner: builds each device's physics model on the weather of its place, connects every
// device to the broker with its own credentials (or through a simulated LoRaWAN network server) and
// drives them all from one simulated clock.
// Clock: sim = startMs + real elapsed × speed, never ahead of the real clock (clock.ts), so a simulator
// started in the past backfills history quickly and then reports in real time. With `untilMs` the
// devices stop measuring there (a scenario's end) and `finished()` tells when all of it is delivered.
// With `catchUp: 'delivery'` (issue 16, `ruong start`'s demo) the history goes as fast as the broker
// acknowledges it instead of at a fixed speed: simulated time moves one step (≤ 500 reports a device) as soon
// as no device with a network holds more than one step unacknowledged (QoS 1: stored, with the PUBACK-after-store
// ingest) — one step is delivered while the next is measured, within the devices' ring buffers. A log line tells
// the progress (% and readings/s); `caughtUp()` resolves once it reached now and all of it is acknowledged.
import type { Service } from '../core/lifecycle.js';
import { silentLogger, type Logger } from '../core/log.js';
import { createPacedClock, createSimClock, type PacedClock, type SimClock } from './clock.js';
import { createDeviceParts, createWeatherCache, type WeatherOverrides } from './device-factory.js';
import { isLorawan, SimDeviceSpec } from './device-spec.js';
import { createDueQueue } from './due-queue.js';
import { createFieldWaters, type FieldWater } from './field-water.js';
import { mqttFormats } from './formats/index.js';
import { codecFor } from './formats/lorawan-codecs.js';
import { createLorawanDevice } from './lorawan-device.js';
import { createNetworkServer, type NetworkServer, type NetworkServerFlavour } from './network-server.js';
import { createSimDevice, type SimDevice, type SimDeviceOptions, type SimDeviceStats } from './sim-device.js';

export { SimDeviceSpec };

export interface SimulatorOptions {
  readonly brokerUrl: string;
  readonly devices: readonly SimDeviceSpec[];
  /** Simulated seconds per real second while catching up with the real clock. */
  readonly speed: number;
  /** Simulated seconds between two reports of one device. */
  readonly intervalS: number;
  /** Where simulated time begins; default now − 48 h. */
  readonly startMs?: number | undefined;
  /**
   * How simulated time catches up with the real clock: at `speed` (default), or as fast as the devices' reports
   * are acknowledged ('delivery'; `speed` is then unused).
   */
  readonly catchUp?: 'speed' | 'delivery' | undefined;
  /** Per device: the time of its newest report already delivered (a restart): it resumes after it, not at startMs. */
  readonly resumeAfterMs?: ReadonlyMap<string, number> | undefined;
  /** Where the devices stop measuring (a scenario's end); default never. */
  readonly untilMs?: number | undefined;
  readonly now?: (() => number) | undefined;
  readonly log?: Logger | undefined;
  /** Device time before a device's first reconnect attempt (doubling up to 12×); default 5 s. */
  readonly reconnectPeriodMs?: number | undefined;
  /** Entries each device keeps while offline; default 1,000. */
  readonly bufferLimit?: number | undefined;
  /** Entries per backlog message; default 100 (always under the payload limit: sim-device.ts). */
  readonly backlogChunk?: number | undefined;
  /** Device time between two backlog messages on a reconnect; default 1 s. */
  readonly replayPauseMs?: number | undefined;
  /** What a scenario imposes on every place's weather: events, a shifted season, less rain. */
  readonly weather?: WeatherOverrides | undefined;
  /** The `ruong-lns` service secret the simulated network servers log in with; undefined = anonymous. */
  readonly lnsSecret?: string | undefined;
  /** Devices started per real second (a fleet does not all power up in the same millisecond); default all at once. */
  readonly connectRatePerS?: number | undefined;
  readonly mqttOptions?: SimDeviceOptions['mqttOptions'];
}

export interface SimulatorTotals {
  readonly devices: number;
  readonly connected: number;
  readonly published: number;
  /** Readings in the published entries. */
  readonly readings: number;
  readonly buffered: number;
  readonly dropped: number;
}

export interface Simulator extends Service {
  /** Entries (one timestamped set of readings each) the broker has acknowledged, over all devices. */
  published(): number;
  stats(): Record<string, SimDeviceStats>;
  totals(): SimulatorTotals;
  networkServers(): NetworkServer[];
  /** True once the devices measured up to `untilMs` and every entry has left them and their network servers. */
  finished(): boolean;
  /** Resolves once simulated time has caught up with the real clock and the history has been delivered. */
  caughtUp(): Promise<CatchUpSummary>;
}

export interface CatchUpSummary {
  readonly fromMs: number;
  readonly toMs: number;
  /** Entries and readings acknowledged while catching up. */
  readonly entries: number;
  readonly readings: number;
  readonly realMs: number;
}

/** The delivery-paced back-fill in progress. */
interface CatchUp {
  readonly fromMs: number;
  readonly realStart: number;
  readonly intervalMs: number;
  /** Reports per device in one step: half the ring buffer (one step in flight, one measured), at most a tick's. */
  readonly stepReports: number;
  readonly unconnectedSince: Map<SimDevice, number>;
  lastLog: number;
}

/** The back-fill stops waiting for a device that has a network but has not connected for this long. */
const UNCONNECTED_WAIT_MS = 15_000;
const MAX_SAMPLES_PER_STEP = 500; // a device samples at most 500 reports a tick (sim-device.ts)
const DEFAULT_BUFFER_LIMIT = 1_000;
const PROGRESS_EVERY_MS = 1_000;

const MIN_TICK_MS = 10;
const MAX_TICK_MS = 1_000;

export function createSimulator(opts: SimulatorOptions): Simulator {
  const log = opts.log ?? silentLogger();
  const now = opts.now ?? Date.now;
  let devices: SimDevice[] = [];
  const due = createDueQueue<SimDevice>(); // started devices by their next report
  const wakeAt = new Map<SimDevice, number>(); // each device's current entry in `due`; an entry at another time is stale
  const servers = new Map<NetworkServerFlavour, NetworkServer>();
  let timer: NodeJS.Timeout | undefined;
  let starter: NodeJS.Timeout | undefined;
  let clock: SimClock | undefined;
  let stopping: Promise<void> | undefined;
  const until = opts.untilMs ?? Infinity;
  let paced: PacedClock | undefined;
  let catchUp: CatchUp | undefined;
  let resolveCaughtUp: (s: CatchUpSummary) => void = () => undefined;
  let watching: Promise<void> | undefined;
  let startedAt = 0;
  const caughtUp = new Promise<CatchUpSummary>((resolve) => { resolveCaughtUp = resolve; });

  function schedule(): void {
    if (stopping || !clock) return;
    if (catchUp) {
      timer = setTimeout(pace, MIN_TICK_MS);
      timer.unref();
      return;
    }
    const next = due.peek();
    const delay = Number.isFinite(next) && next <= until ? clock.realDelayUntil(next) : MAX_TICK_MS;
    timer = setTimeout(run, Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, delay)));
    timer.unref();
  }

  function run(): void {
    timer = undefined;
    const simNow = clock?.now() ?? 0;
    const ticked: SimDevice[] = [];
    // A device ticked early by a command has moved on: its entry is simply pushed again. An entry a command
    // replaced by an earlier one (wake) is stale: dropped.
    for (let at = due.peek(), d = due.popDue(simNow); d; at = due.peek(), d = due.popDue(simNow)) {
      if (wakeAt.get(d) !== at) continue;
      wakeAt.delete(d);
      d.tick();
      ticked.push(d);
    }
    for (const d of ticked) wake(d, d.nextReportMs());
    schedule();
  }

  /** Queues a device for `at`, unless it is already queued for then or earlier. */
  function wake(d: SimDevice, at: number): void {
    const queued = wakeAt.get(d);
    if (queued !== undefined && queued <= at) return;
    wakeAt.set(d, at);
    due.push(d, at);
  }

  /** A command moved a device's next report (a controller's run ends before its next scheduled report). */
  function rescheduled(d: SimDevice): void {
    if (stopping || !devices.includes(d)) return;
    wake(d, d.nextReportMs());
    if (timer && !catchUp) {
      clearTimeout(timer);
      schedule();
    }
  }

  /**
   * The most entries a device the back-fill waits for still holds (measured, not yet acknowledged). Not waited for: a
   * device without a network now, and one that has a network but stayed unconnected for UNCONNECTED_WAIT_MS (refused,
   * revoked) — its ring buffer keeps what it can, as real firmware's would.
   */
  function backlog(c: CatchUp): number {
    const real = now();
    let most = 0;
    for (const d of devices) {
      const s = d.stats();
      if (s.buffered === 0 || !d.hasNetwork() || s.connected) {
        c.unconnectedSince.delete(d);
        if (s.buffered > 0 && s.connected) most = Math.max(most, s.buffered);
        continue;
      }
      const since = c.unconnectedSince.get(d) ?? real;
      c.unconnectedSince.set(d, since);
      if (real - since < UNCONNECTED_WAIT_MS) most = Math.max(most, s.buffered);
    }
    for (const ns of servers.values()) most = Math.max(most, ns.stats().queued);
    return most;
  }

  /**
   * One delivery-paced step: the next `stepReports` reports of every device, measured as soon as no device holds more
   * than one step (so one step is delivered while the next is measured, within the ring buffer); caught up once the
   * clock reached the real one and everything is acknowledged.
   */
  function pace(): void {
    timer = undefined;
    const c = catchUp;
    if (!c || !paced || stopping) return;
    const most = backlog(c);
    if (most > (paced.caughtUp() ? 0 : c.stepReports)) {
      schedule();
      return;
    }
    const t = totals();
    if (paced.caughtUp()) {
      catchUp = undefined;
      const realMs = now() - c.realStart;
      log.info({ fromMs: c.fromMs, entries: t.published, readings: t.readings, realMs, readingsPerS: Math.round(t.readings / Math.max(0.001, realMs / 1000)) },
        `simulator back-fill done: ${t.readings} readings in ${(realMs / 1000).toFixed(1)} s, now in real time`);
      resolveCaughtUp({ fromMs: c.fromMs, toMs: paced.now(), entries: t.published, readings: t.readings, realMs });
      run();
      return;
    }
    progress(c, t.readings);
    paced.advanceTo(paced.now() + c.stepReports * c.intervalMs);
    run();
  }

  /** At most every PROGRESS_EVERY_MS: how far the back-fill is, and the readings acknowledged a second so far. */
  function progress(c: CatchUp, readings: number): void {
    const real = now();
    if (real - c.lastLog < PROGRESS_EVERY_MS || !paced) return;
    const pct = Math.min(100, Math.round(((paced.now() - c.fromMs) / Math.max(1, real - c.fromMs)) * 100));
    const perS = Math.round(readings / Math.max(0.001, (real - c.realStart) / 1000));
    log.info({ pct, readings, readingsPerS: perS, simTime: new Date(paced.now()).toISOString() }, `simulator back-fill ${pct} %, ${readings} readings, ${perS} readings/s`);
    c.lastLog = real;
  }

  function startDevice(d: SimDevice): void {
    d.start();
    wake(d, d.nextReportMs());
  }

  function networkServer(flavour: NetworkServerFlavour, simClock: SimClock): NetworkServer {
    let ns = servers.get(flavour);
    if (!ns) {
      ns = createNetworkServer({ brokerUrl: opts.brokerUrl, flavour, secret: opts.lnsSecret, clock: simClock, log, reconnectPeriodMs: opts.reconnectPeriodMs });
      servers.set(flavour, ns);
    }
    return ns;
  }

  function build(
    spec: SimDeviceSpec, simClock: SimClock, weatherOf: ReturnType<typeof createWeatherCache>, startMs: number, intervalMs: number,
    fieldWater: FieldWater | undefined,
  ): SimDevice {
    const { sampler, radio, link, weather } = createDeviceParts(spec, weatherOf(spec), startMs, intervalMs, resumeAt(spec.deviceId, startMs, intervalMs), fieldWater);
    if (isLorawan(spec.format)) {
      if (spec.kind === 'pump_controller' || spec.kind === 'valve_controller') {
        throw new RangeError(`${spec.deviceId}: pump and valve controllers speak MQTT (native, senml, thingsboard), not ${spec.format}`);
      }
      const codec = codecFor(spec.codec, spec.depthsCm);
      return createLorawanDevice({ deviceId: spec.deviceId, devEui: spec.devEui, sampler, codec, ns: networkServer(spec.format, simClock), radio, weather, link, clock: simClock, log });
    }
    const device: SimDevice = createSimDevice({
      deviceId: spec.deviceId, secret: spec.secret, brokerUrl: opts.brokerUrl, sampler, format: mqttFormats[spec.format ?? 'native'], rtc: spec.rtc ?? true,
      link, clock: simClock, bufferLimit: opts.bufferLimit ?? DEFAULT_BUFFER_LIMIT, backlogChunk: opts.backlogChunk ?? 100,
      replayPauseMs: opts.replayPauseMs ?? 1_000, reconnectPeriodMs: opts.reconnectPeriodMs ?? 5_000, log, mqttOptions: opts.mqttOptions,
      onReschedule: () => rescheduled(device),
    });
    return device;
  }

  /** A resuming device's first report: one interval after its last delivered one (its old schedule), not before startMs. */
  function resumeAt(deviceId: string, startMs: number, intervalMs: number): number | undefined {
    const last = opts.resumeAfterMs?.get(deviceId);
    return last === undefined || last + intervalMs < startMs ? undefined : last + intervalMs;
  }

  async function begin(): Promise<void> {
    if (clock || stopping) return;
    if (!(opts.intervalS > 0)) throw new RangeError(`intervalS must be positive, got ${opts.intervalS}`);
    const specs = opts.devices.map((d) => SimDeviceSpec.parse(d));
    const requestedStart = Math.floor(opts.startMs ?? now() - 48 * 3_600_000);
    const intervalMs = Math.max(1, Math.round(opts.intervalS * 1000));
    // The clock begins where the earliest device does (a restart resumes after each device's last report).
    const startMs = Math.min(now(), ...specs.map((spec) => resumeAt(spec.deviceId, requestedStart, intervalMs) ?? requestedStart));
    startedAt = startMs;
    if (opts.catchUp === 'delivery') {
      paced = createPacedClock({ startMs, now });
      const stepReports = Math.max(1, Math.min(MAX_SAMPLES_PER_STEP, Math.floor((opts.bufferLimit ?? DEFAULT_BUFFER_LIMIT) / 2)));
      catchUp = { fromMs: startMs, realStart: now(), intervalMs, stepReports, unconnectedSince: new Map(), lastLog: now() };
    }
    const base: SimClock = paced ?? createSimClock({ startMs, speed: opts.speed, now });
    // Past `untilMs` the devices' clock stands still: they measure nothing more, but still deliver.
    const simClock: SimClock = Number.isFinite(until) ? { ...base, now: () => Math.min(base.now(), until) } : base;
    const weatherOf = createWeatherCache(opts.weather);
    const fieldWaterOf = createFieldWaters(specs); // a field's controllers water its soil probes and AWD tubes
    devices = specs.map((spec) => build(spec, simClock, weatherOf, requestedStart, intervalMs, fieldWaterOf(spec.fieldId)));
    clock = simClock;
    await Promise.all([...servers.values()].map((s) => s.start()));
    startDevices();
    log.info({ devices: devices.length, speed: opts.catchUp === 'delivery' ? 'as delivered' : opts.speed, intervalS: opts.intervalS, startMs }, 'simulator started');
    schedule();
  }

  /** Starts the devices, `connectRatePerS` of them a second (in 50 ms slices), or all at once. */
  function startDevices(): void {
    const rate = opts.connectRatePerS;
    if (!rate || rate >= devices.length) {
      for (const d of devices) startDevice(d);
      return;
    }
    let i = 0;
    const slice = Math.max(1, Math.round(rate / 20));
    const next = (): void => {
      starter = undefined;
      for (const end = Math.min(devices.length, i + slice); i < end && !stopping; i++) startDevice(devices[i] as SimDevice);
      if (i < devices.length && !stopping) (starter = setTimeout(next, 50)).unref();
    };
    next();
  }

  /** At a fixed speed: resolves `caughtUp()` once the clock reached the real one and the devices delivered. */
  async function watchCaughtUp(): Promise<void> {
    const realStart = now();
    const done = () => clock !== undefined && clock.caughtUp() && devices.every((d) => d.stats().buffered === 0 || !d.hasNetwork());
    while (!stopping && !done()) await new Promise((r) => setTimeout(r, 100).unref());
    const t = totals();
    if (clock && !stopping) resolveCaughtUp({ fromMs: startedAt, toMs: clock.now(), entries: t.published, readings: t.readings, realMs: now() - realStart });
  }

  async function shutdown(): Promise<void> {
    if (timer) clearTimeout(timer);
    if (starter) clearTimeout(starter);
    timer = undefined;
    await Promise.all(devices.map((d) => d.stop()));
    await Promise.all([...servers.values()].map((s) => s.stop()));
    log.info({ published: published() }, 'simulator stopped');
  }

  function published(): number {
    return devices.reduce((sum, d) => sum + d.stats().published, 0);
  }

  function totals(): SimulatorTotals {
    const t = { devices: devices.length, connected: 0, published: 0, readings: 0, buffered: 0, dropped: 0 };
    for (const d of devices) {
      const s = d.stats();
      if (s.connected) t.connected++;
      t.published += s.published;
      t.readings += s.readings;
      t.buffered += s.buffered;
      t.dropped += s.dropped;
    }
    return t;
  }

  return {
    name: 'firmware-sim',
    start: () => begin(),
    stop: () => (stopping ??= shutdown()),
    published,
    totals,
    stats: () => Object.fromEntries(devices.map((d) => [d.deviceId, d.stats()])),
    networkServers: () => [...servers.values()],
    caughtUp: () => {
      if (!paced && !watching) watching = watchCaughtUp();
      return caughtUp;
    },
    finished: () =>
      clock !== undefined &&
      clock.now() >= until &&
      devices.every((d) => d.nextReportMs() > until && d.stats().buffered === 0) &&
      [...servers.values()].every((s) => s.stats().queued === 0),
  };
}
