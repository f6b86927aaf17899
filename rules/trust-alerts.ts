// The device-health alerts of sensor trust (rules/sensor-trust.ts), written for the cooperative's technicians —
// like the device rules (offline, battery, stuck: rules/kinds/device-rules.ts, missing-data.ts) they name the
// device, not the field, say what to check, and carry `audience: 'technician'` in their numbers. One alert per
// device channel (subject `device:<id>:<metric>`), or per station day (`device:<id>:et0_day`), under the
// cooperative's `sensor_trust` rule id.
import type { AlertText, AlertValues } from '../core/alerts/alert-types.js';
import type { DeviceInfo } from './evaluation.js';
import { duration, num, type Lang } from './text-format.js';
import type { ChannelTrust, SoilLimits, Verdict } from './sensor-trust.js';
import { depthOf } from './sensor-trust.js';

export const TRUST_RULE = 'sensor_trust';
export const trustRuleId = (cooperativeId: string): string => `${cooperativeId}:${TRUST_RULE}`;
export const channelSubject = (deviceId: string, metric: string): string => `device:${deviceId}:${metric}`;
export const stationDaySubject = (deviceId: string): string => `device:${deviceId}:et0_day`;

const pct = (x: number, lang: Lang) => `${num(x, 1, lang)} %`;

function detail(v: Verdict, c: ChannelTrust, limits: SoilLimits, lastSampleTs: number, lang: Lang): string {
  const vi = lang === 'vi';
  switch (v.reason) {
    case 'dead': return vi ? `đọc ${pct(v.value ?? 0, lang)} (đầu dò chết hoặc đứt cáp)` : `reads ${pct(v.value ?? 0, lang)} (a dead sensor or a cut cable)`;
    case 'below_dry': return vi
      ? `đọc ${pct(v.value ?? 0, lang)}, thấp hơn đất khô kiệt (${pct(limits.lowPct, lang)})`
      : `reads ${pct(v.value ?? 0, lang)}, drier than air-dry soil (${pct(limits.lowPct, lang)})`;
    case 'above_saturation': return vi
      ? `đọc ${pct(v.value ?? 0, lang)}, cao hơn mức bão hòa của đất (${pct(limits.highPct, lang)})`
      : `reads ${pct(v.value ?? 0, lang)}, above the soil's saturation (${pct(limits.highPct, lang)})`;
    case 'stuck': return vi
      ? `đứng yên ở ${pct(c.ref.value, lang)} suốt ${duration(c.lastTs - c.ref.since, lang)}`
      : `stuck at ${pct(c.ref.value, lang)} for ${duration(c.lastTs - c.ref.since, lang)}`;
    case 'silent': return vi
      ? `không gửi số liệu ${duration(lastSampleTs - c.lastTs, lang)} trong khi thiết bị vẫn gửi các kênh khác`
      : `has sent nothing for ${duration(lastSampleTs - c.lastTs, lang)} while the device still reports its other channels`;
  }
}

/** "Đầu dò đất lô A: đầu dò 20 cm có thể hỏng — đọc 0 % …; đã loại khỏi khuyến cáo tưới, cần kiểm tra". */
export function channelAlert(
  device: DeviceInfo, metric: string, v: Verdict, c: ChannelTrust, limits: SoilLimits, lastSampleTs: number,
): { text: AlertText; values: AlertValues } {
  const d = depthOf(metric);
  const text = (lang: Lang) => (lang === 'vi'
    ? `${device.name}: đầu dò ${d === undefined ? '' : `${num(d, 0, lang)} cm `}có thể hỏng — ${detail(v, c, limits, lastSampleTs, lang)}; đã loại khỏi khuyến cáo tưới, kỹ thuật viên cần kiểm tra đầu dò`
    : `${device.name}: the ${d === undefined ? '' : `${num(d, 0, lang)} cm `}sensor may be broken — ${detail(v, c, limits, lastSampleTs, lang)}; left out of the irrigation advice, a technician should check the probe`);
  return {
    text: { vi: text('vi'), en: text('en') },
    values: {
      audience: 'technician', metric, depthCm: d ?? null, reason: v.reason, reading: v.value, readingTs: c.lastTs, suspectSince: v.since,
      lowPct: limits.lowPct, highPct: limits.highPct, stuckSince: v.reason === 'stuck' ? c.ref.since : null,
    },
  };
}

const dayMonth = (date: string) => `${Number(date.slice(8, 10))}/${Number(date.slice(5, 7))}`;

/**
 * "Trạm thời tiết: ngày 5/12 chỉ có 4 % số liệu …— không tính ET0 từ ngày này": the station's day could not give
 * an ET0 (core/agronomy/station-day.ts: no air temperature in the afternoon or before dawn).
 */
export function stationDayAlert(
  station: DeviceInfo, date: string, coverage: number, carried: { date: string; mm: number } | undefined,
): { text: AlertText; values: AlertValues } {
  const use = (lang: Lang) => (carried
    ? (lang === 'vi' ? `dùng ET0 ngày ${dayMonth(carried.date)} (${num(carried.mm, 1, lang)} mm)` : `using the ET0 of ${dayMonth(carried.date)} (${num(carried.mm, 1, lang)} mm)`)
    : (lang === 'vi' ? 'khuyến cáo tưới không có ET0 hôm qua' : 'the irrigation advice goes without yesterday\'s ET0'));
  const text = (lang: Lang) => (lang === 'vi'
    ? `${station.name}: ngày ${dayMonth(date)} chỉ có ${num(coverage * 100, 0, lang)} % số liệu, thiếu nhiệt độ buổi chiều hoặc rạng sáng — không tính ET0 từ ngày này, ${use(lang)}; kỹ thuật viên cần kiểm tra trạm (nguồn, sóng, bộ ghi)`
    : `${station.name}: ${dayMonth(date)} has only ${num(coverage * 100, 0, lang)} % of its records, no afternoon or pre-dawn temperature — no ET0 from this day, ${use(lang)}; a technician should check the station (power, signal, logger)`);
  return {
    text: { vi: text('vi'), en: text('en') },
    values: { audience: 'technician', date, coverage, carriedEt0Date: carried?.date ?? null, carriedEt0Mm: carried?.mm ?? null },
  };
}
