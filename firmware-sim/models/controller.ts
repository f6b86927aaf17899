// Pump and valve controllers (issue 17, docs/architecture.md "Pumps and valves"): a relay that switches an electric
// pump, or a motorised canal intake gate, with a flow meter behind it. The controller obeys `on` for N minutes and
// `off`, refuses what its own interlock forbids (an `on` without minutes or above MAX_RUN_MIN; a valve opening onto
// canal water saltier than its limit), switches itself off when the minutes run out, and reports its state right
// after every command it receives (its confirmation) and when a run ends, besides its periodic reports.
// Readings: `pump_on` | `valve_open` (0/1) and `flow_l`, the litres its meter counted since its previous report.
// While it runs, its flow falls on its field (firmware-sim/field-water.ts). Each run draws its actual flow around
// the nominal one (±5 %: canal level, a worn impeller [judg]); the meter reads it within ±1 % [judg].
// The `neverAnswers` fault: a hung relay board that takes commands off the radio and does nothing with them —
// no switching, no confirmation — while it still reports its (unchanged) state on schedule.
import type { FieldWater, WaterRun } from '../field-water.js';
import { clamp, gaussian, hashInts, mulberry32 } from '../random.js';
import type { Weather } from '../weather.js';
import { createCanalWater } from './canal-sensor.js';
import { createBattery, createIntegrator, HOUR_MS, isControlCommand, put, type DeviceCommand, type DeviceModel, type PowerOptions, type Readings } from './common.js';

/** The longest run a controller accepts (docs/architecture.md: `minutes` 1..240). */
export const MAX_RUN_MIN = 240;

/** Nominal flows when the spec gives none [judg]: a small electric pump; a canal intake gate on 1–2 ha of rice. */
export const DEFAULT_FLOW_M3H = { pump_controller: 20, valve_controller: 150 } as const;

export type ControllerKind = keyof typeof DEFAULT_FLOW_M3H;

export interface ControllerOptions {
  readonly kind: ControllerKind;
  readonly weather: Weather;
  readonly seed: number;
  /** Nominal flow, m³/h; default DEFAULT_FLOW_M3H of the kind. */
  readonly flowM3h?: number | undefined;
  /** The field its water goes to; without one the water only shows on the meter. */
  readonly fieldWater?: FieldWater | undefined;
  /** Valves: refuse to open while the intake water's EC (its own probe) is above this, dS/m; default no limit. */
  readonly maxEcDsm?: number | undefined;
  /** Valves: the canal's peak dry-season EC (the intake probe's water), as for a canal sensor. */
  readonly peakEcDsm?: number | undefined;
  /** The fault: commands are taken and ignored, never confirmed. */
  readonly neverAnswers?: boolean | undefined;
  /** Valves run on a solar-charged battery; pump controllers are mains powered and report none. */
  readonly power?: PowerOptions | undefined;
}

/** What a controller did with the last command it received. */
export type CommandOutcome = 'applied' | 'refused' | 'ignored';

export interface Controller extends DeviceModel {
  readonly kind: ControllerKind;
  /** Whether the pump runs (the valve is open) at the controller's current time. */
  isOn(): boolean;
  /** Litres that went through the controller since it started (the true volume, without meter error). */
  totalLitres(): number;
  /** The outcome of the last command and why, for tests and logs. */
  lastCommand(): { outcome: CommandOutcome; reason: string } | undefined;
  /** The intake water's EC now (valves; undefined for pumps). */
  intakeEc(ms: number): number | undefined;
}

export function createController(o: ControllerOptions): Controller {
  const rng = mulberry32(hashInts(o.seed, 1));
  const noise = mulberry32(hashInts(o.seed, 2));
  const valve = o.kind === 'valve_controller';
  const cmdName = valve ? 'valve' : 'pump';
  const stateKey = valve ? 'valve_open' : 'pump_on';
  const nominal = Math.max(0, o.flowM3h ?? DEFAULT_FLOW_M3H[o.kind]);
  const canal = valve ? createCanalWater({ weather: o.weather, peakEcDsm: o.peakEcDsm }, rng) : undefined;
  const battery = valve ? createBattery({ initial: 60 + 35 * rng(), power: o.power, loadPctPerH: 0.15, panelPctPerHAt1000: 2, txCostPct: 0.01 }) : undefined;
  let runs: WaterRun[] = []; // this controller's runs not yet wholly reported
  let current: WaterRun | undefined; // the run in progress (its end may still move)
  let clock: number | undefined; // the controller's time: the last step
  let lastSample: number | undefined;
  let pending: number[] = []; // reports due outside the schedule: confirmations, a run's end
  let litres = 0;
  let last: { outcome: CommandOutcome; reason: string } | undefined;

  const integrate = createIntegrator((from, to) => battery?.step((to - from) / HOUR_MS, o.weather.at((from + to) / 2).solarRadiation));

  function step(ms: number): void {
    integrate(ms);
    clock = Math.max(clock ?? ms, ms);
    if (battery && !battery.powered()) pending = []; // browned out: nothing more to say about what it did
    if (current && clock >= current.toMs) {
      // the minutes ran out: it switched itself off then, and reports it (unless it reported since)
      if (lastSample === undefined || current.toMs > lastSample) pending.push(current.toMs);
      current = undefined;
    }
  }

  /** Litres over (fromMs, toMs] of this controller's runs. */
  function flowBetween(fromMs: number, toMs: number): number {
    let l = 0;
    for (const r of runs) {
      const overlap = Math.min(toMs, r.toMs) - Math.max(fromMs, r.fromMs);
      if (overlap > 0) l += (r.m3h * 1000 * overlap) / HOUR_MS;
    }
    return l;
  }

  function sample(ms: number): Readings {
    step(ms);
    const l = lastSample === undefined ? 0 : flowBetween(lastSample, ms);
    litres += l;
    lastSample = ms;
    runs = runs.filter((r) => r.toMs > ms || r === current);
    pending = pending.filter((t) => t > ms);
    const out: Readings = {};
    put(out, stateKey, current && ms < current.toMs ? 1 : 0, 0);
    put(out, 'flow_l', l > 0 ? l * (1 + 0.01 * clamp(gaussian(noise), -3, 3)) : 0, 1);
    if (battery) {
      battery.transmit();
      put(out, 'battery', battery.level(), 1);
    }
    return out;
  }

  function refuse(reason: string, at: number): boolean {
    last = { outcome: 'refused', reason };
    pending.push(at);
    return false;
  }

  function command(cmd: DeviceCommand, ms: number): boolean {
    if (!isControlCommand(cmd)) return false; // the sensors' irrigate / drip-valve commands
    if (o.neverAnswers) {
      last = { outcome: 'ignored', reason: 'never answers (fault)' };
      return false;
    }
    step(ms);
    // The instant it acts and reports (its confirmation): now, or just after its last report when that was at this
    // very millisecond (one reading per device, metric and time).
    const at = Math.max(ms, (lastSample ?? -Infinity) + 1);
    if (cmd.cmd !== cmdName) return refuse(`a ${o.kind} takes "${cmdName}" commands, not "${cmd.cmd}"`, at);
    if (cmd.action === 'off') {
      if (current) current.toMs = Math.max(current.fromMs, at);
      current = undefined;
      last = { outcome: 'applied', reason: 'off' };
      pending.push(at);
      return true;
    }
    const minutes = cmd.minutes;
    if (minutes === undefined || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_RUN_MIN) {
      return refuse(`on needs minutes in (0, ${MAX_RUN_MIN}], got ${String(minutes)}`, at);
    }
    const ec = canal?.ec(ms);
    if (ec !== undefined && o.maxEcDsm !== undefined && ec > o.maxEcDsm) {
      return refuse(`intake water EC ${ec.toFixed(2)} dS/m above the limit ${o.maxEcDsm} dS/m`, at);
    }
    const until = at + minutes * 60_000;
    if (current) current.toMs = until; // already running: the new minutes count from now
    else {
      current = { fromMs: at, toMs: until, m3h: nominal * (0.95 + 0.08 * rng()) };
      runs.push(current);
      o.fieldWater?.add(current);
    }
    last = { outcome: 'applied', reason: `on for ${minutes} min` };
    pending.push(at);
    return true;
  }

  return {
    kind: o.kind,
    step,
    sample,
    command,
    powered: () => battery?.powered() ?? true,
    eventReportMs() {
      if (battery && !battery.powered()) return undefined;
      const end = current && (lastSample === undefined || current.toMs > lastSample) ? current.toMs : Infinity;
      const at = Math.min(end, ...pending);
      return Number.isFinite(at) ? at : undefined;
    },
    isOn: () => current !== undefined && clock !== undefined && clock < current.toMs,
    totalLitres: () => litres,
    lastCommand: () => last,
    intakeEc: (ms) => canal?.ec(ms),
  };
}
