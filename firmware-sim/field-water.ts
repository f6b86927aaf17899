// The link between a field's pump or valve controller and the sensors in the same field (issue 17): while a
// controller runs, its flow (m³/h) falls on the field as irrigation depth, mm = m³ / (area ha × 10), and the
// field's soil probes and AWD tubes take it in their water balance. A run is [from, to) of simulated time at a
// constant rate; the controller may move its end (an `off` command, a longer `on`). Each sensor integrates the
// same runs over its own substeps, so it does not matter which device steps first: a sensor never steps past the
// simulated clock, and a controller only starts or ends a run at the clock's present.
import type { FieldWaterSource } from './models/common.js';

/** One run of one controller: water at `m3h` over [fromMs, toMs). The controller moves `toMs`. */
export interface WaterRun {
  readonly fromMs: number;
  toMs: number;
  readonly m3h: number;
}

export interface FieldWater extends FieldWaterSource {
  readonly fieldId: string;
  readonly areaHa: number;
  /** Registers a controller's run (the same object: a later change of its end applies here too). */
  add(run: WaterRun): void;
  /** True while some controller's run covers ms. */
  running(ms: number): boolean;
}

/** Runs that ended this long before the newest one are forgotten (every sensor has stepped past them). */
const KEEP_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;
/** Without a given area a field is taken as 1 ha [judg]. */
export const DEFAULT_FIELD_AREA_HA = 1;

export function createFieldWater(fieldId: string, areaHa = DEFAULT_FIELD_AREA_HA): FieldWater {
  const area = areaHa > 0 ? areaHa : DEFAULT_FIELD_AREA_HA;
  let runs: WaterRun[] = [];
  return {
    fieldId,
    areaHa: area,
    add(run) {
      runs = runs.filter((r) => r.toMs > run.fromMs - KEEP_MS);
      runs.push(run);
    },
    between(fromMs, toMs) {
      let m3 = 0;
      for (const r of runs) {
        const overlap = Math.min(toMs, r.toMs) - Math.max(fromMs, r.fromMs);
        if (overlap > 0) m3 += (r.m3h * overlap) / HOUR_MS;
      }
      return m3 / (area * 10); // 1 mm over 1 ha = 10 m³
    },
    running: (ms) => runs.some((r) => r.fromMs <= ms && ms < r.toMs),
  };
}

/** One FieldWater per field the devices name; its area is the first `fieldAreaHa` a device of the field gives. */
export function createFieldWaters(devices: readonly { fieldId?: string | undefined; fieldAreaHa?: number | undefined }[]): (fieldId: string | undefined) => FieldWater | undefined {
  const areas = new Map<string, number | undefined>();
  for (const d of devices) {
    if (d.fieldId !== undefined && areas.get(d.fieldId) === undefined) areas.set(d.fieldId, d.fieldAreaHa);
  }
  const fields = new Map([...areas].map(([id, area]) => [id, createFieldWater(id, area)]));
  return (fieldId) => (fieldId === undefined ? undefined : fields.get(fieldId));
}
