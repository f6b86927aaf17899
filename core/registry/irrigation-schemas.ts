// The zod schemas of irrigation records (core/registry/irrigation-events.ts), for what validates input (the API).
// Apart from the registry module: the registry is on `ruong broker`'s start path, and zod is not (issue 19,
// docs/benchmarks.md "Broker base memory without zod"). `satisfies` keeps each schema's output the registry's type.
import { z } from 'zod';
import { IRRIGATION_BOUNDS, IRRIGATION_SOURCES, type IrrigationInput as IrrigationInputType } from './irrigation-events.js';

export const IrrigationSource = z.enum(IRRIGATION_SOURCES);

/** An irrigation as given: depth and/or volume (at least one), numbers within IRRIGATION_BOUNDS. */
export const IrrigationInput = z.strictObject({
  startAt: z.number().int().describe('epoch ms'),
  durationMin: z.number().positive().max(IRRIGATION_BOUNDS.maxDurationMin).nullable().optional(),
  depthMm: z.number().positive().max(IRRIGATION_BOUNDS.maxDepthMm).optional(),
  volumeM3: z.number().positive().max(IRRIGATION_BOUNDS.maxVolumeM3).optional(),
  source: IrrigationSource,
  recordedBy: z.string().min(1).max(100),
  note: z.string().max(300).nullable().optional(),
  externalId: z.string().min(1).max(200).nullable().optional(),
}).refine((i) => i.depthMm !== undefined || i.volumeM3 !== undefined, { message: 'give depthMm or volumeM3 (or both)', path: ['depthMm'] }) satisfies z.ZodType<IrrigationInputType>;
