// Sensor faults the way field sensors fail: a value that stops changing (stuck), isolated wild values
// (spikes: a loose connector, EMI from a pump), a slow drift (a fouled EC electrode, a soil probe losing
// contact as the soil shrinks), and a dead probe (a cut cable: the channel disappears, or reads a fixed
// value such as 0 the way many soil probes do). Faults apply to what the sensor reports, never to the
// physics behind it. Times are absolute epoch ms of simulated time; a scenario converts its hours.
import { z } from 'zod';
import { mulberry32, hashInts, hashString, type Rng } from './random.js';

const Window = { metric: z.string().min(1).max(64), fromMs: z.number(), toMs: z.number().optional() };

export const SensorFault = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('stuck'), ...Window }),
  z.strictObject({ kind: z.literal('spike'), ...Window, probability: z.number().min(0).max(1), magnitude: z.number() }),
  z.strictObject({ kind: z.literal('drift'), ...Window, perDay: z.number() }),
  z.strictObject({ kind: z.literal('dead'), ...Window, reads: z.number().optional() }),
]);
export type SensorFault = z.infer<typeof SensorFault>;

export type Readings = Record<string, number>;

export interface FaultInjector {
  /** The readings the faulty sensors report at ms (the input is left as it is). */
  apply(ms: number, readings: Readings): Readings;
}

/** `soil_moisture` names every depth of it (`soil_moisture@20cm`…); `soil_moisture@20cm` just that one; `*` all. */
export function faultMatches(fault: Pick<SensorFault, 'metric'>, key: string): boolean {
  return fault.metric === '*' || key === fault.metric || key.startsWith(`${fault.metric}@`);
}

const active = (f: SensorFault, ms: number): boolean => ms >= f.fromMs && (f.toMs === undefined || ms < f.toMs);

export function createFaultInjector(faults: readonly SensorFault[], seed: number): FaultInjector {
  const stuckAt = new Map<string, number>(); // `${fault index}|${key}` → the value it froze at
  const rngs = faults.map((f, i): Rng => mulberry32(hashInts(seed, 0xfa17, i, hashString(f.metric))));
  const apply = (ms: number, readings: Readings): Readings => {
    if (faults.length === 0) return readings;
    const out: Readings = { ...readings };
    faults.forEach((f, i) => {
      const on = active(f, ms);
      for (const key of Object.keys(out)) {
        if (!faultMatches(f, key)) continue;
        const v = out[key] as number;
        const slot = `${i}|${key}`;
        if (!on) {
          stuckAt.delete(slot);
          continue;
        }
        switch (f.kind) {
          case 'stuck':
            if (!stuckAt.has(slot)) stuckAt.set(slot, v);
            out[key] = stuckAt.get(slot) as number;
            break;
          case 'spike': {
            const r = rngs[i] as Rng;
            if (r() < f.probability) out[key] = round(v + f.magnitude * (r() < 0.5 ? -1 : 1));
            break;
          }
          case 'drift':
            out[key] = round(v + (f.perDay * (ms - f.fromMs)) / 86_400_000);
            break;
          case 'dead':
            if (f.reads === undefined) delete out[key];
            else out[key] = f.reads;
            break;
        }
      }
    });
    return out;
  };
  return { apply };
}

const round = (v: number): number => Math.round(v * 100) / 100;
