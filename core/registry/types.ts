// Registry records as the services see them (camelCase; the columns are snake_case, on SQLite and PostgreSQL).
// The zod enums of roles and device kinds, for what validates input, are in core/registry/type-schemas.ts: this module
// is on `ruong broker`'s start path (through `ruong`'s help texts), and zod is not (issue 19, docs/benchmarks.md
// "Broker base memory without zod").

export const ROLES = ['admin', 'technician', 'farmer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** pump_controller and valve_controller (issue 17): a field's pump or canal intake, switched over devices/{id}/down. */
export const DEVICE_KINDS = ['soil_probe', 'weather_station', 'canal_sensor', 'awd_tube', 'pump_controller', 'valve_controller'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface Cooperative {
  readonly id: string;
  readonly name: string;
  readonly province: string | null;
}

export interface Farm {
  readonly id: string;
  readonly cooperativeId: string;
  readonly name: string;
  readonly province: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly elevationM: number | null;
}

export interface Field {
  readonly id: string;
  readonly farmId: string;
  readonly cooperativeId: string;
  readonly farmName: string;
  readonly name: string;
  readonly crop: string;
  readonly plantingDate: string | null;
  readonly soilTexture: string | null;
  readonly areaHa: number | null;
  readonly pumpFlowM3h: number | null;
  readonly lat: number | null;
  readonly lon: number | null;
}

export interface Device {
  readonly id: string;
  readonly fieldId: string;
  readonly kind: DeviceKind;
  readonly name: string;
  readonly devEui: string | null;
  readonly revokedAt: number | null;
}

/** Where a device's readings belong: enough to enrich a reading and scope it to a tenant. */
export interface DeviceContext {
  readonly deviceId: string;
  readonly fieldId: string;
  readonly farmId: string;
  readonly cooperativeId: string;
  readonly revoked: boolean;
}

export interface User {
  readonly id: string;
  readonly cooperativeId: string;
  readonly username: string;
  readonly displayName: string | null;
  readonly role: Role;
  readonly language: string;
  /** Farms a farmer may see; empty for other roles (they see the whole cooperative). */
  readonly farmIds: readonly string[];
}

export interface DeadLetter {
  readonly id: number;
  readonly receivedAt: number;
  readonly deviceId: string | null;
  readonly topic: string;
  readonly code: string;
  readonly reason: string;
  readonly payload: string | null;
}
