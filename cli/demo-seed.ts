// The demo cooperative seeded on a new DATA_DIR: a Mekong Delta rice farm (AWD tubes, a canal
// salinity + level sensor, a weather station, a canal intake valve on Ruộng 1) and a Central Highlands coffee farm
// (soil probes at two depths, a weather station, an electric pump on Lô A). The simulated pump and valve water the
// sensors of their own field (issue 17). Device secrets go to DATA_DIR/sim-devices.json — the simulated
// firmware's flash — and the demo logins to DATA_DIR/demo-credentials.txt, both mode 0600. Two logins with
// the same password, each the role it says (issue 16): `ky-thuat`, a technician (devices, fields, rules), and
// `demo`, the cooperative's admin (also users and API keys).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '../core/registry/registry.js';
import type { DeviceKind } from '../core/registry/types.js';
import { seedDemoContacts } from './demo-contacts.js';

export interface SimDeviceRecord {
  readonly deviceId: string;
  readonly secret: string;
  readonly kind: DeviceKind;
  readonly lat: number;
  readonly elevationM: number;
  readonly depthsCm?: number[];
  readonly soilTexture?: string;
  readonly crop?: string;
  /** The field's planting date (epoch ms): the simulated farmer's crop calendar (AWD flowering hold). */
  readonly plantingMs?: number;
  readonly seed: number;
  /** The device's field and its area: a simulated pump or valve waters the sensors of its field (issue 17). */
  readonly fieldId?: string;
  readonly fieldAreaHa?: number;
  /** Pump and valve controllers: nominal flow, m³/h (the field's pump flow). */
  readonly flowM3h?: number;
}

const DAY = 86_400_000;
/** The demo's logins (same password): a technician, and the cooperative's admin. */
export const DEMO_TECHNICIAN = 'ky-thuat';
export const DEMO_ADMIN = 'demo';
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function seedDemo(registry: Registry, dataDir: string, demoPassword: string | undefined, now = Date.now()): Promise<{ password: string; generated: boolean; devices: SimDeviceRecord[] }> {
  const coop = await registry.createCooperative({ id: 'coop-demo', name: 'HTX Nông nghiệp Ruộng (demo)', province: 'Sóc Trăng' });
  const mekong = await registry.createFarm({ id: 'farm-mekong', cooperativeId: coop, name: 'Trang trại lúa Mỹ Xuyên', province: 'Sóc Trăng', lat: 9.55, lon: 105.98, elevationM: 1 });
  const highlands = await registry.createFarm({ id: 'farm-highlands', cooperativeId: coop, name: 'Vườn cà phê Cư M’gar', province: 'Đắk Lắk', lat: 12.82, lon: 108.08, elevationM: 520 });
  const rice1 = await registry.createField({ id: 'field-rice-1', farmId: mekong, name: 'Ruộng 1', crop: 'rice', plantingDate: isoDate(now - 35 * DAY), soilTexture: 'silty clay', areaHa: 2.0, pumpFlowM3h: 120, lat: 9.551, lon: 105.981 });
  const rice2 = await registry.createField({ id: 'field-rice-2', farmId: mekong, name: 'Ruộng 2', crop: 'rice', plantingDate: isoDate(now - 50 * DAY), soilTexture: 'clay', areaHa: 1.5, pumpFlowM3h: 120, lat: 9.553, lon: 105.979 });
  const coffeeA = await registry.createField({ id: 'field-coffee-a', farmId: highlands, name: 'Lô cà phê A', crop: 'coffee', plantingDate: '2019-06-01', soilTexture: 'clay', areaHa: 1.2, pumpFlowM3h: 18, lat: 12.821, lon: 108.081 });
  const coffeeB = await registry.createField({ id: 'field-coffee-b', farmId: highlands, name: 'Lô cà phê B', crop: 'coffee', plantingDate: '2021-05-15', soilTexture: 'clay', areaHa: 0.8, pumpFlowM3h: 18, lat: 12.823, lon: 108.083 });

  const areaHa: Record<string, number> = { [rice1]: 2.0, [rice2]: 1.5, [coffeeA]: 1.2, [coffeeB]: 0.8 };
  const plan: { id: string; field: string; kind: DeviceKind; name: string; lat: number; elevationM: number; depthsCm?: number[]; soilTexture?: string; crop?: string; plantingMs?: number; flowM3h?: number }[] = [
    { id: 'awd-rice-1', field: rice1, kind: 'awd_tube', name: 'Ống AWD ruộng 1', lat: 9.55, elevationM: 1, crop: 'rice', plantingMs: now - 35 * DAY },
    { id: 'awd-rice-2', field: rice2, kind: 'awd_tube', name: 'Ống AWD ruộng 2', lat: 9.55, elevationM: 1, crop: 'rice', plantingMs: now - 50 * DAY },
    { id: 'canal-mekong', field: rice1, kind: 'canal_sensor', name: 'Cảm biến kênh (mực nước, độ mặn)', lat: 9.55, elevationM: 1 },
    { id: 'wx-mekong', field: rice1, kind: 'weather_station', name: 'Trạm thời tiết Mỹ Xuyên', lat: 9.55, elevationM: 1 },
    { id: 'soil-coffee-a', field: coffeeA, kind: 'soil_probe', name: 'Đầu dò đất lô A', lat: 12.82, elevationM: 520, depthsCm: [20, 50], soilTexture: 'clay', crop: 'coffee' },
    { id: 'soil-coffee-b', field: coffeeB, kind: 'soil_probe', name: 'Đầu dò đất lô B', lat: 12.82, elevationM: 520, depthsCm: [20, 50], soilTexture: 'clay', crop: 'coffee' },
    { id: 'wx-highlands', field: coffeeA, kind: 'weather_station', name: 'Trạm thời tiết Cư M’gar', lat: 12.82, elevationM: 520 },
    // issue 17: appended, so the devices above keep their seeds
    { id: 'pump-coffee-a', field: coffeeA, kind: 'pump_controller', name: 'Bơm tưới lô A', lat: 12.82, elevationM: 520, flowM3h: 18 },
    { id: 'valve-rice-1', field: rice1, kind: 'valve_controller', name: 'Cống lấy nước ruộng 1', lat: 9.55, elevationM: 1, flowM3h: 120 },
  ];
  const devices: SimDeviceRecord[] = [];
  for (const [i, d] of plan.entries()) {
    const { secret } = await registry.provisionDevice({ id: d.id, fieldId: d.field, kind: d.kind, name: d.name });
    devices.push({
      deviceId: d.id, secret, kind: d.kind, lat: d.lat, elevationM: d.elevationM, depthsCm: d.depthsCm, soilTexture: d.soilTexture, crop: d.crop, plantingMs: d.plantingMs,
      seed: 1000 + i, fieldId: d.field, fieldAreaHa: areaHa[d.field], flowM3h: d.flowM3h,
    });
  }
  writeFileSync(join(dataDir, 'sim-devices.json'), JSON.stringify(devices, null, 2), { mode: 0o600 });

  const generated = demoPassword === undefined;
  const password = demoPassword ?? randomBytes(9).toString('base64url');
  await registry.createUser({ cooperativeId: coop, username: DEMO_TECHNICIAN, password, role: 'technician', displayName: 'Cán bộ kỹ thuật (demo)' });
  await registry.createUser({ cooperativeId: coop, username: DEMO_ADMIN, password, role: 'admin', displayName: 'Quản trị HTX (demo)' });
  await seedDemoContacts(registry, coop);
  if (generated) writeFileSync(join(dataDir, 'demo-credentials.txt'), `technician: ${DEMO_TECHNICIAN}\nadmin: ${DEMO_ADMIN}\npassword: ${password}\n`, { mode: 0o600 });
  return { password, generated, devices };
}
