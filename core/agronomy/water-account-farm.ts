// The season's water account of a farm (issue 17; docs/water-account.md): the sum over its fields' accounts of
// the same days. Counts, m³ and pump hours add; a depth in mm does not (25 mm on 2 ha and 25 mm on 1 ha are 25 mm
// of the farm, not 50), so each mm figure — irrigation, rain, ET0, crop ET — is the mean over the fields weighted by
// their area, among the fields with an area and a value that day. A field without an area counts in the counts and
// hours but not in the mm means (nor in m³ unless its events carry a volume).
import { totalsOf, type WaterAccount, type WaterAccountDay, type WaterAccountTotals } from './water-account.js';

export interface FarmFieldAccount {
  readonly fieldId: string;
  readonly areaHa: number | null;
  readonly account: WaterAccount;
}

export interface FarmWaterAccount {
  readonly days: readonly WaterAccountDay[];
  readonly totals: WaterAccountTotals;
  /** Area of the fields the mm means weigh (ha), and the fields left out of them for want of an area. */
  readonly weightedAreaHa: number;
  readonly unweightedFields: readonly string[];
}

type MmKey = 'irrigationMm' | 'rainMm' | 'et0Mm' | 'etcMm';

/** Area-weighted mean of one mm figure of one day over the fields with an area and a value; null when none. */
function weightedMm(days: readonly { areaHa: number; day: WaterAccountDay | undefined }[], key: MmKey): number | null {
  let area = 0;
  let sum = 0;
  for (const { areaHa, day } of days) {
    const v = day?.[key];
    if (v === null || v === undefined) continue;
    area += areaHa;
    sum += v * areaHa;
  }
  return area > 0 ? sum / area : null;
}

const sumOf = (values: readonly (number | null | undefined)[]): number | null =>
  values.some((v) => v === null || v === undefined) ? null : values.reduce<number>((s, v) => s + (v ?? 0), 0);

/** The farm's account: the fields' accounts must cover the same dates (the farm's range). */
export function farmWaterAccount(fields: readonly FarmFieldAccount[]): FarmWaterAccount {
  const withArea = fields.filter((f) => f.areaHa !== null && f.areaHa > 0);
  const dates = fields[0]?.account.days.map((d) => d.date) ?? [];
  const days = dates.map((date, i): WaterAccountDay => {
    const of = fields.map((f) => f.account.days[i]);
    if (of.some((d) => d?.date !== date)) throw new RangeError(`the fields' accounts do not cover the same days (${date})`);
    const weighted = withArea.map((f) => ({ areaHa: f.areaHa as number, day: f.account.days[i] }));
    return {
      date,
      irrigations: of.reduce((s, d) => s + (d?.irrigations ?? 0), 0),
      irrigationMm: weightedMm(weighted, 'irrigationMm') ?? 0,
      irrigationM3: sumOf(of.map((d) => d?.irrigationM3)),
      pumpHours: of.reduce((s, d) => s + (d?.pumpHours ?? 0), 0),
      rainMm: weightedMm(weighted, 'rainMm'),
      et0Mm: weightedMm(weighted, 'et0Mm'),
      kc: null, // a farm has no one crop coefficient
      etcMm: weightedMm(weighted, 'etcMm'),
      advised: sumOf(of.map((d) => d?.advised)),
    };
  });
  const pumps = fields.reduce((s, f) => s + f.account.totals.pumps, 0);
  return {
    days, totals: totalsOf(days, pumps),
    weightedAreaHa: withArea.reduce((s, f) => s + (f.areaHa as number), 0),
    unweightedFields: fields.filter((f) => !withArea.includes(f)).map((f) => f.fieldId),
  };
}
