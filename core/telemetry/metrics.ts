// The metric catalogue: every metric Ruộng stores, its canonical unit and its hard plausibility
// bounds (docs/agronomy.md §6). A value outside [min, max] is rejected as a dead letter, never stored.
// A metric may carry a depth qualifier: `soil_moisture@30cm` is soil_moisture measured at 30 cm.

export type MetricGroup = 'soil' | 'water' | 'weather' | 'awd' | 'device' | 'irrigation';

export interface MetricSpec {
  readonly name: string;
  readonly group: MetricGroup;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly label: { readonly vi: string; readonly en: string };
  readonly depth?: boolean; // may carry a depth qualifier
}

const spec = (
  name: string,
  group: MetricGroup,
  unit: string,
  min: number,
  max: number,
  en: string,
  vi: string,
  depth = false,
): MetricSpec => ({ name, group, unit, min, max, label: { en, vi }, depth });

export const metricCatalogue: readonly MetricSpec[] = [
  // soil — §6: VWC 0…60 %, temperature −20…70 °C, bulk EC 0…23 dS/m
  spec('soil_moisture', 'soil', '%', 0, 60, 'Soil moisture', 'Độ ẩm đất', true),
  spec('soil_temperature', 'soil', '°C', -20, 70, 'Soil temperature', 'Nhiệt độ đất', true),
  spec('soil_ec', 'soil', 'dS/m', 0, 23, 'Soil EC (bulk)', 'EC đất', true),
  // water — §6: EC 0…60 mS/cm (= dS/m, normalised to 25 °C), pH 0…14; level is the canal stage
  spec('water_level', 'water', 'cm', -500, 1000, 'Canal water level', 'Mực nước kênh'),
  spec('water_ec', 'water', 'dS/m', 0, 60, 'Water EC (25 °C)', 'EC nước (25 °C)'),
  spec('water_ph', 'water', 'pH', 0, 14, 'Water pH', 'pH nước'),
  spec('water_temperature', 'water', '°C', -5, 50, 'Water temperature', 'Nhiệt độ nước'),
  // weather — §6
  spec('air_temperature', 'weather', '°C', -40, 60, 'Air temperature', 'Nhiệt độ không khí'),
  spec('air_humidity', 'weather', '%', 0, 103, 'Relative humidity', 'Độ ẩm không khí'),
  spec('wind_speed', 'weather', 'm/s', 0, 60, 'Wind speed', 'Tốc độ gió'),
  spec('solar_radiation', 'weather', 'W/m²', -10, 1500, 'Solar radiation', 'Bức xạ mặt trời'),
  spec('rain', 'weather', 'mm', 0, 60, 'Rain (per report)', 'Lượng mưa'),
  spec('air_pressure', 'weather', 'kPa', 80, 110, 'Air pressure', 'Áp suất không khí'),
  // rice AWD field tube — §6: −30…+20 cm (negative = below the soil surface)
  spec('awd_level', 'awd', 'cm', -30, 20, 'Field water level (AWD tube)', 'Mực nước ruộng (ống AWD)'),
  // device health
  spec('battery', 'device', '%', 0, 100, 'Battery', 'Pin'),
  spec('rssi', 'device', 'dBm', -150, 0, 'Signal (RSSI)', 'Tín hiệu (RSSI)'),
  // pump and valve controllers (issue 17, docs/architecture.md "Pumps and valves"): the state as the controller
  // reports it (0 off/closed, 1 on/open) and the litres its flow meter counted since its previous report. Appended
  // last: a LoRaWAN ruong-v1 payload names a metric by its place in this list.
  spec('pump_on', 'irrigation', '', 0, 1, 'Pump running', 'Bơm đang chạy'),
  spec('valve_open', 'irrigation', '', 0, 1, 'Valve open', 'Van đang mở'),
  spec('flow_l', 'irrigation', 'L', 0, 1_000_000, 'Water through the meter since the last report', 'Lượng nước qua đồng hồ từ lần báo trước'),
];

const byName = new Map(metricCatalogue.map((m) => [m.name, m]));

const qualifiedPattern = /^([a-z][a-z0-9_]*)(?:@(\d{1,4})cm)?$/;

export interface ParsedMetricKey {
  readonly spec: MetricSpec;
  readonly depthCm: number | undefined;
}

/** Looks up `soil_moisture` or `soil_moisture@30cm`; undefined when not in the catalogue. */
export function parseMetricKey(key: string): ParsedMetricKey | undefined {
  const m = qualifiedPattern.exec(key);
  if (!m) return undefined;
  const found = byName.get(m[1] ?? '');
  if (!found) return undefined;
  if (m[2] !== undefined && !found.depth) return undefined;
  return { spec: found, depthCm: m[2] === undefined ? undefined : Number(m[2]) };
}

export function metricSpec(name: string): MetricSpec | undefined {
  return parseMetricKey(name)?.spec;
}

export function isWithinBounds(spec: MetricSpec, value: number): boolean {
  return Number.isFinite(value) && value >= spec.min && value <= spec.max;
}
