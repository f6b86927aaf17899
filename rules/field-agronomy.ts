// A field's agronomic facts for the rules, from its registry record: crop spec, soil water limits, local
// day, days since planting, and the rice calendar (flowering and harvest) derived from the planting date
// and the crop's stage lengths. Vietnam keeps UTC+7 all year (Asia/Ho_Chi_Minh, no daylight saving).
import { seasonLengthDays, type CropSpec } from '../core/agronomy/crops.js';
import { localDate } from '../core/agronomy/daily-aggregation.js';
import { cropSpecOf, fieldSoilWater, soilTextureOf as textureOf } from '../core/agronomy/field-soil-water.js';
import type { SoilTexture, SoilWater } from '../core/agronomy/soil.js';
import { daysBetween, isIsoDate } from '../core/agronomy/units.js';
import type { FieldInfo } from './evaluation.js';

export const VIETNAM_UTC_OFFSET_MIN = 420;
export const TIMEZONE = 'Asia/Ho_Chi_Minh';

/** The local (Asia/Ho_Chi_Minh) calendar date of an instant. */
export const localDay = (ts: number): string => localDate(ts, VIETNAM_UTC_OFFSET_MIN);

/** Epoch ms of local midnight starting a date. */
export const localMidnight = (date: string): number => Date.parse(`${date}T00:00:00Z`) - VIETNAM_UTC_OFFSET_MIN * 60_000;

export function cropSpec(crop: string): CropSpec | undefined {
  return cropSpecOf(crop);
}

/** 'silty clay', 'Silty-Clay' and 'silty_clay' all name the FAO-56 Table 19 texture. */
export function soilTextureOf(text: string | null): SoilTexture | undefined {
  return textureOf(text);
}

/** θFC/θWP: the rule's values (% by volume) win, else the field's texture (Table 19 midpoints) — core/agronomy. */
export function soilWaterOf(field: FieldInfo, override: { thetaFcPct?: number | undefined; thetaWpPct?: number | undefined }): SoilWater | undefined {
  return fieldSoilWater(field, override);
}

/** Whole days from planting to the local date of `ts`; undefined without a valid planting date. */
export function daysSincePlanting(field: FieldInfo, ts: number): number | undefined {
  if (!field.plantingDate || !isIsoDate(field.plantingDate)) return undefined;
  return daysBetween(field.plantingDate, localDay(ts));
}

export interface RiceCalendar {
  readonly daysSincePlanting: number;
  readonly floweringDay: number;
  readonly seasonDays: number;
  /** Today minus the flowering day: negative before flowering. */
  readonly daysFromFlowering: number;
  readonly daysToHarvest: number;
}

/**
 * The rice calendar: harvest at the season length (default: the sum of the FAO-56 Table 11 stages,
 * 150 days in the tropics), flowering `ripeningDays` before it — the ripening phase lasts about 30 days
 * in every variety (IRRI) [rec] — unless the rule gives the flowering day. Short Mekong varieties
 * (95–110 days) set `seasonDays`.
 */
export function riceCalendar(
  field: FieldInfo, ts: number, p: { floweringDay?: number | undefined; seasonDays?: number | undefined; ripeningDays: number },
): RiceCalendar | undefined {
  const days = daysSincePlanting(field, ts);
  const spec = cropSpec(field.crop);
  const seasonDays = p.seasonDays ?? (spec ? seasonLengthDays(spec) : undefined);
  if (days === undefined || seasonDays === undefined) return undefined;
  const floweringDay = p.floweringDay ?? seasonDays - p.ripeningDays;
  return { daysSincePlanting: days, floweringDay, seasonDays, daysFromFlowering: days - floweringDay, daysToHarvest: seasonDays - days };
}
