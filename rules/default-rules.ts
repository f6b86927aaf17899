// The rules every cooperative starts with, as data (validated by rules/rule-schema.ts when seeded and when
// loaded). Per crop: the soil-water balance for upland crops, AWD for rice, salinity limits per crop (from
// each field's crop), heat at rice flowering, coffee frost; per device kind: offline after 6 missed reports
// of 10 min, battery, stuck sensors (docs/agronomy.md §6 flags); acid-sulfate canal water (pH < 4, §4).
// A field overrides its crop's default with a rule of the same `key` scoped to the field.
// Cadence (docs/agronomy.md §7, issue 15): every rule has a duration (`for`), a hysteresis and a cooldown long
// enough that one cause gives at most one alert per field per local day (README, "Rules and alerts").
import { parseRule, type Rule, type RuleInput } from './rule-schema.js';

/** Upland crops watered from the root-zone balance, with a typical application efficiency [judg]. */
const UPLAND: readonly (readonly [crop: string, efficiency: number])[] = [
  ['coffee', 0.75], // hose and sprinkler rounds in the Central Highlands
  ['black_pepper', 0.75], ['maize', 0.6], ['sugarcane', 0.6], ['tomato', 0.9], ['cabbage', 0.9],
  ['sweet_pepper', 0.9], ['banana', 0.75], ['dragon_fruit', 0.9],
];

const offline = (kind: 'soil_probe' | 'weather_station' | 'canal_sensor' | 'awd_tube'): RuleInput => ({
  version: 1, id: `offline.${kind}`, key: 'offline', kind: 'missing_data', scope: { deviceKind: kind },
  expectedInterval: '10m', factor: 6,
});

export const DEFAULT_RULES: readonly RuleInput[] = [
  ...UPLAND.map(([crop, efficiency]): RuleInput => ({
    version: 1, id: `soil_water.${crop}`, key: 'soil_water', kind: 'soil_water', scope: { crop },
    applicationEfficiency: efficiency, for: '30m', clearFor: '1h', cooldown: '12h',
  })),
  { version: 1, id: 'awd.rice', key: 'awd', kind: 'awd', scope: { crop: 'rice' }, for: '30m', clearFor: '1h', cooldown: '12h' },
  {
    version: 1, id: 'awd_fast_drop.rice', key: 'awd_fast_drop', kind: 'rate_of_change', scope: { crop: 'rice', deviceKind: 'awd_tube' },
    metric: 'awd_level', direction: 'fall', maxChange: 5, per: '2h', clearFor: '2h', cooldown: '12h',
    note: { vi: 'nước ruộng rút nhanh: kiểm tra bờ, hang chuột, cống', en: 'the field is losing water fast: check the bunds, rat holes and the outlet' },
  },
  // Tides: open at the day's first crossing, resolve only after a whole tidal cycle (M2, 12 h 25 min) under
  // the limit — the intrusion receded, not just the ebb — so a tide-day gives one alert, not one per dip.
  { version: 1, id: 'canal_salinity', key: 'canal_salinity', kind: 'canal_salinity', for: '15m', clearFor: '13h', cooldown: '12h', hysteresisPermil: 0.2 },
  {
    version: 1, id: 'acid_water', key: 'acid_water', kind: 'threshold', alertKind: 'acid_water', scope: { deviceKind: 'canal_sensor' },
    metric: 'water_ph', below: 4, hysteresis: 0.3, for: '30m', clearFor: '1h', cooldown: '12h',
    note: { vi: 'nước nhiễm phèn, không lấy vào ruộng', en: 'acid-sulfate water, do not let it into the fields' },
  },
  { version: 1, id: 'rice_heat', key: 'rice_heat', kind: 'rice_heat', scope: { crop: 'rice' }, for: '30m', clearFor: '3h', cooldown: '12h' },
  { version: 1, id: 'coffee_frost', key: 'coffee_frost', kind: 'coffee_frost', scope: { crop: 'coffee' }, for: '20m', clearFor: '2h', cooldown: '12h' },
  { version: 1, id: 'cold_spell', key: 'cold_spell', kind: 'cold_spell', scope: { deviceKind: 'weather_station' } },
  offline('soil_probe'), offline('weather_station'), offline('canal_sensor'), offline('awd_tube'),
  // Solar batteries swing daily: resolved after 6 h recovered, at most one alert a day.
  { version: 1, id: 'battery_low', key: 'battery_low', kind: 'battery_low', below: 20, hysteresis: 5, for: '30m', clearFor: '6h', cooldown: '24h' },
  {
    version: 1, id: 'stuck.air_humidity', key: 'stuck.air_humidity', kind: 'flatline', scope: { deviceKind: 'weather_station' },
    metric: 'air_humidity', stuckFor: '24h', severity: 'info', cooldown: '24h',
  },
  {
    version: 1, id: 'stuck.wind_speed', key: 'stuck.wind_speed', kind: 'flatline', scope: { deviceKind: 'weather_station' },
    metric: 'wind_speed', stuckFor: '12h', severity: 'info', cooldown: '24h',
  },
  ...[20, 50].map((d): RuleInput => ({
    version: 1, id: `stuck.soil_moisture@${d}cm`, key: `stuck.soil_moisture@${d}cm`, kind: 'flatline', scope: { deviceKind: 'soil_probe' },
    metric: `soil_moisture@${d}cm`, stuckFor: '24h', severity: 'info', cooldown: '24h',
  })),
];

/** The defaults for one cooperative: ids prefixed with the cooperative's, validated. */
export function defaultRulesFor(cooperativeId: string): { id: string; definition: RuleInput; rule: Rule }[] {
  return DEFAULT_RULES.map((r) => {
    const definition = { ...r, id: `${cooperativeId}:${r.id}` } as RuleInput;
    return { id: definition.id, definition, rule: parseRule(definition) };
  });
}
