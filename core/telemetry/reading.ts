// A Reading is one value of one metric from one device at one instant (epoch ms).
// The store identifies a reading by device + metric + ts: re-writing it is idempotent.
import { z } from 'zod';

// no_device_time: stamped with the receive time; network_time: stamped by a LoRaWAN network server, not the
// device; clamped, step_change, flatline, suspect: plausibility flags (docs/agronomy.md §6, core/telemetry/plausibility.ts).
export const ReadingFlag = z.enum(['no_device_time', 'network_time', 'clamped', 'step_change', 'flatline', 'suspect']);
export type ReadingFlag = z.infer<typeof ReadingFlag>;

export interface Reading {
  readonly deviceId: string;
  readonly metric: string;
  readonly ts: number;
  readonly value: number;
  readonly seq?: number | undefined;
  readonly flags?: readonly ReadingFlag[] | undefined;
}

/** A reading enriched from the registry, as the store keeps it. */
export interface StoredReading extends Reading {
  readonly fieldId: string;
  readonly farmId: string;
  readonly cooperativeId: string;
}

export function readingKey(r: Pick<Reading, 'deviceId' | 'metric' | 'ts'>): string {
  return `${r.deviceId}\u0000${r.metric}\u0000${r.ts}`;
}
