// What every simulated device model shares: the model interface, a fixed-substep integrator, rounding
// and clamping to the metric catalogue, a solar-charged battery and a schedule of applied water.
import { parseMetricKey } from '../../core/telemetry/metrics.js';
import { clamp } from '../random.js';

export type DeviceKind = 'soil_probe' | 'weather_station' | 'canal_sensor' | 'awd_tube' | 'pump_controller' | 'valve_controller';

/** The sensor models' water commands (older than the controllers): irrigate N mm, or a drip valve open N minutes. */
export type WaterCommand = { readonly cmd: 'irrigate'; readonly mm: number } | { readonly cmd: 'valve'; readonly minutes: number };

/**
 * A pump or valve controller's command (docs/architecture.md "Pumps and valves"): switch on (open) for `minutes`,
 * or off (close). The controller itself refuses an `on` without minutes or above its maximum run.
 */
export interface ControlCommand {
  readonly id?: string | undefined;
  readonly cmd: 'pump' | 'valve';
  readonly action: 'on' | 'off';
  readonly minutes?: number | undefined;
}

/** Commands a device accepts on `devices/{id}/down`. */
export type DeviceCommand = WaterCommand | ControlCommand;

export const isControlCommand = (c: DeviceCommand): c is ControlCommand => 'action' in c;

/** One report: catalogue metric key (optionally depth-qualified, `soil_moisture@20cm`) → value. */
export type Readings = Record<string, number>;

export interface DeviceModel {
  readonly kind: DeviceKind;
  /** Advances the physics to simTimeMs (the first call only sets the model's clock; earlier times are ignored). */
  step(simTimeMs: number): void;
  /** Steps to simTimeMs and returns what the sensors read then, rounded and within catalogue bounds. */
  sample(simTimeMs: number): Readings;
  /** Applies a command at simTimeMs; false when this kind of device has nothing to do with it. */
  command(cmd: DeviceCommand, simTimeMs: number): boolean;
  /** False while the battery is flat: the device is off and neither samples nor reports. */
  powered(): boolean;
  /**
   * Controllers: when the device next reports on its own, outside its schedule — right after a command (its
   * confirmation), when a run's minutes run out; undefined when nothing is pending. Sampling then clears it.
   */
  eventReportMs?(): number | undefined;
}

/**
 * Water a field's pump or valve puts on the field (firmware-sim/field-water.ts): the soil probes and AWD tubes of
 * the same field take it in their balance, as mm over the field's area.
 */
export interface FieldWaterSource {
  /** Irrigation (mm over the field) applied in (fromMs, toMs]. */
  between(fromMs: number, toMs: number): number;
  /** True while a controller's run covers ms. */
  running(ms: number): boolean;
}

/** What a scenario may change about a device's power supply. */
export interface PowerOptions {
  /** Charge at the start, %; default drawn from the seed (60–95 %). */
  readonly initialPct?: number | undefined;
  /** The solar panel's yield: 1 clean, 0.3 dusty or shaded, 0 broken; default 1. */
  readonly solar?: number | undefined;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Physics substep: 10 min keeps the explicit soil and tube balances stable and tracks the diurnal cycle. */
export const SUBSTEP_MS = 600_000;

/** Integrates fn over (from, to] in substeps of at most SUBSTEP_MS. */
export function createIntegrator(fn: (fromMs: number, toMs: number) => void): (ms: number) => void {
  let last: number | undefined;
  return (ms) => {
    if (last === undefined) {
      last = ms;
      return;
    }
    while (last < ms) {
      const next = Math.min(last + SUBSTEP_MS, ms);
      fn(last, next);
      last = next;
    }
  };
}

/** Writes a reading rounded to `decimals`, clamped to the catalogue's bounds for its metric. */
export function put(out: Readings, key: string, value: number, decimals: number): void {
  const spec = parseMetricKey(key)?.spec;
  if (!spec) throw new Error(`metric ${key} is not in the catalogue`);
  const f = 10 ** decimals;
  const rounded = Math.round(clamp(value, spec.min, spec.max) * f) / f;
  out[key] = Object.is(rounded, -0) ? 0 : rounded;
}

export interface BatteryOptions {
  readonly initial: number; // %
  readonly power?: PowerOptions | undefined; // a scenario's overrides of `initial` and the panel
  readonly loadPctPerH: number; // sleep current + sensors
  readonly panelPctPerHAt1000: number; // charge rate under 1000 W/m²
  readonly txCostPct: number; // per report (radio on)
}

export interface Battery {
  step(hours: number, solarWm2: number): void;
  transmit(): void;
  level(): number;
  /** False from the moment the cell is flat until the panel has recharged it to RESTART_PCT. */
  powered(): boolean;
}

/** Charge at which a browned-out device boots again (its regulator's restart threshold) [judg]. */
export const RESTART_PCT = 5;

/**
 * A solar-charged cell: charge ∝ irradiance, constant drain, a cost per report; 0…100 %. [judg]
 * At 0 % the device browns out: it draws nothing more, and boots again once the panel has brought the
 * cell back to RESTART_PCT.
 */
export function createBattery(o: BatteryOptions): Battery {
  let level = clamp(o.power?.initialPct ?? o.initial, 0, 100);
  let on = level > 0;
  const panel = o.panelPctPerHAt1000 * clamp(o.power?.solar ?? 1, 0, 2);
  const settle = (): void => {
    if (level <= 0) on = false;
    else if (!on && level >= RESTART_PCT) on = true;
  };
  return {
    step(hours, solar) {
      level = clamp(level + ((panel * Math.max(0, solar)) / 1000) * hours - (on ? o.loadPctPerH * hours : 0), 0, 100);
      settle();
    },
    transmit() {
      level = clamp(level - o.txCostPct, 0, 100);
      settle();
    },
    level: () => level,
    powered: () => on,
  };
}

export interface WaterSchedule {
  /** Water (mm) applied evenly over [fromMs, fromMs + durationMs). */
  add(mm: number, fromMs: number, durationMs: number): void;
  /** The scheduled water that falls in (fromMs, toMs]; finished pulses are forgotten. */
  take(fromMs: number, toMs: number): number;
  /** Water still to come after ms. */
  pending(ms: number): number;
}

export function createWaterSchedule(): WaterSchedule {
  let pulses: { from: number; to: number; mm: number }[] = [];
  return {
    add(mm, fromMs, durationMs) {
      if (mm > 0) pulses.push({ from: fromMs, to: fromMs + Math.max(60_000, durationMs), mm });
    },
    take(fromMs, toMs) {
      let mm = 0;
      for (const p of pulses) {
        const overlap = Math.min(toMs, p.to) - Math.max(fromMs, p.from);
        if (overlap > 0) mm += (p.mm * overlap) / (p.to - p.from);
      }
      pulses = pulses.filter((p) => p.to > toMs);
      return mm;
    },
    pending(ms) {
      return pulses.reduce((sum, p) => sum + (p.mm * (p.to - Math.max(ms, p.from))) / (p.to - p.from), 0);
    },
  };
}

/** Converts a command into scheduled water: `irrigate` at `mmPerHour`, `valve` at `valveMmPerMin`. */
export function scheduleCommand(water: WaterSchedule, cmd: WaterCommand, ms: number, mmPerHour: number, valveMmPerMin: number): void {
  if (cmd.cmd === 'irrigate') water.add(cmd.mm, ms, (cmd.mm / mmPerHour) * HOUR_MS);
  else water.add(cmd.minutes * valveMmPerMin, ms, cmd.minutes * 60_000);
}
