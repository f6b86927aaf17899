// Units on the wire → the catalogue's canonical units (core/telemetry/metrics.ts).
// SenML units are RFC 8428 §12.1 plus the RFC 8798 secondary units (docs/interop.md); EC never arrives as
// mS/cm in SenML: it is S/m, and 1 dS/m = 1 mS/cm = 0.1 S/m, so S/m × 10 = dS/m.

type Convert = (v: number) => number;

const same: Convert = (v) => v;

/** For each canonical unit, the wire units that can express it and how to convert. */
const conversions: Readonly<Record<string, Readonly<Record<string, Convert>>>> = {
  '%': { '%': same, '%RH': same, '%EL': same, '/': (v) => v * 100 },
  '°C': { Cel: same, K: (v) => v - 273.15 },
  'dS/m': { 'S/m': (v) => v * 10, 'dS/m': same, 'mS/cm': same, 'uS/cm': (v) => v / 1000 },
  kPa: { Pa: (v) => v / 1000, hPa: (v) => v / 10, kPa: same },
  mm: { mm: same, m: (v) => v * 1000 },
  'W/m²': { W: same, 'W/m2': same },
  'm/s': { 'm/s': same, 'km/h': (v) => v / 3.6 },
  cm: { cm: same, m: (v) => v * 100, mm: (v) => v / 10 },
  pH: { pH: same },
  dBm: { dBm: same },
  L: { L: same, l: same, m3: (v) => v * 1000 },
};

/** The canonical value of `value` given in `unit` for a metric whose canonical unit is `canonical`;
 * undefined when that unit cannot express the metric. A missing unit means the canonical one. */
export function toCanonical(canonical: string, unit: string | undefined, value: number): number | undefined {
  if (unit === undefined || unit === canonical) return value;
  const convert = conversions[canonical]?.[unit];
  return convert ? round(convert(value)) : undefined;
}

/** Rounds away binary noise from a conversion (0.1 × 10 = 1.0000000000000002) without losing precision. */
function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
}

/** The wire units accepted for a canonical unit (for error messages and docs). */
export function unitsFor(canonical: string): string[] {
  return [canonical, ...Object.keys(conversions[canonical] ?? {}).filter((u) => u !== canonical)];
}
