// Cooperatives, farms and fields. Reads that serve a user are scoped by cooperative id (and, for a
// farmer, by the farms granted to them): an object of another tenant is simply not found.
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Cooperative, Device, Farm, Field, User } from './types.js';

export interface NewFarm {
  readonly id?: string | undefined;
  readonly cooperativeId: string;
  readonly name: string;
  readonly province?: string | undefined;
  readonly lat?: number | undefined;
  readonly lon?: number | undefined;
  readonly elevationM?: number | undefined;
}

export interface NewField {
  readonly id?: string | undefined;
  readonly farmId: string;
  readonly name: string;
  readonly crop: string;
  readonly plantingDate?: string | undefined;
  readonly soilTexture?: string | undefined;
  readonly areaHa?: number | undefined;
  readonly pumpFlowM3h?: number | undefined;
  readonly lat?: number | undefined;
  readonly lon?: number | undefined;
}

const fieldColumns = `f.id, f.farm_id AS farmId, fa.cooperative_id AS cooperativeId, fa.name AS farmName, f.name, f.crop,
  f.planting_date AS plantingDate, f.soil_texture AS soilTexture, f.area_ha AS areaHa, f.pump_flow_m3h AS pumpFlowM3h,
  f.lat, f.lon`;

/** Farmers see their own farms only; every other role sees the whole cooperative. */
function farmScope(user: Pick<User, 'role' | 'farmIds'>): string[] | undefined {
  return user.role === 'farmer' ? [...user.farmIds] : undefined;
}

export function createDirectory(db: Database) {
  const stmt = {
    insertCoop: db.prepare('INSERT INTO cooperatives (id, name, province, created_at) VALUES (?, ?, ?, ?)'),
    coop: db.prepare('SELECT id, name, province FROM cooperatives WHERE id = ?'),
    insertFarm: db.prepare(
      'INSERT INTO farms (id, cooperative_id, name, province, lat, lon, elevation_m, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    farms: db.prepare(
      `SELECT id, cooperative_id AS cooperativeId, name, province, lat, lon, elevation_m AS elevationM
         FROM farms WHERE cooperative_id = ? ORDER BY name`,
    ),
    insertField: db.prepare(
      `INSERT INTO fields (id, farm_id, name, crop, planting_date, soil_texture, area_ha, pump_flow_m3h, lat, lon, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    fields: db.prepare(
      `SELECT ${fieldColumns} FROM fields f JOIN farms fa ON fa.id = f.farm_id
        WHERE fa.cooperative_id = ? ORDER BY fa.name, f.name`,
    ),
    field: db.prepare(
      `SELECT ${fieldColumns} FROM fields f JOIN farms fa ON fa.id = f.farm_id WHERE f.id = ? AND fa.cooperative_id = ?`,
    ),
    devicesOfField: db.prepare(
      `SELECT id, field_id AS fieldId, kind, name, dev_eui AS devEui, revoked_at AS revokedAt FROM devices WHERE field_id = ? ORDER BY id`,
    ),
    devicesOfCoop: db.prepare(
      `SELECT d.id, d.field_id AS fieldId, d.kind, d.name, d.dev_eui AS devEui, d.revoked_at AS revokedAt
         FROM devices d JOIN fields f ON f.id = d.field_id JOIN farms fa ON fa.id = f.farm_id
        WHERE fa.cooperative_id = ? ORDER BY d.id`,
    ),
    countCoops: db.prepare('SELECT count(*) AS n FROM cooperatives'),
  };

  return {
    createCooperative(input: { id?: string; name: string; province?: string }): string {
      const id = input.id ?? `coop-${randomUUID().slice(0, 8)}`;
      stmt.insertCoop.run(id, input.name, input.province ?? null, Date.now());
      return id;
    },

    cooperative(id: string): Cooperative | undefined {
      return stmt.coop.get(id) as Cooperative | undefined;
    },

    isEmpty(): boolean {
      return (stmt.countCoops.get() as { n: number }).n === 0;
    },

    createFarm(input: NewFarm): string {
      const id = input.id ?? `farm-${randomUUID().slice(0, 8)}`;
      stmt.insertFarm.run(id, input.cooperativeId, input.name, input.province ?? null, input.lat ?? null, input.lon ?? null, input.elevationM ?? null, Date.now());
      return id;
    },

    farms(user: Pick<User, 'cooperativeId' | 'role' | 'farmIds'>): Farm[] {
      const scope = farmScope(user);
      const all = stmt.farms.all(user.cooperativeId) as Farm[];
      return scope ? all.filter((f) => scope.includes(f.id)) : all;
    },

    createField(input: NewField): string {
      const id = input.id ?? `field-${randomUUID().slice(0, 8)}`;
      stmt.insertField.run(id, input.farmId, input.name, input.crop, input.plantingDate ?? null, input.soilTexture ?? null, input.areaHa ?? null, input.pumpFlowM3h ?? null, input.lat ?? null, input.lon ?? null, Date.now());
      return id;
    },

    /** Fields the user may see. */
    fields(user: Pick<User, 'cooperativeId' | 'role' | 'farmIds'>): Field[] {
      const scope = farmScope(user);
      const all = stmt.fields.all(user.cooperativeId) as Field[];
      return scope ? all.filter((f) => scope.includes(f.farmId)) : all;
    },

    /** One field, or undefined when it does not exist or the user may not see it. */
    field(user: Pick<User, 'cooperativeId' | 'role' | 'farmIds'>, fieldId: string): Field | undefined {
      const field = stmt.field.get(fieldId, user.cooperativeId) as Field | undefined;
      const scope = farmScope(user);
      if (!field || (scope && !scope.includes(field.farmId))) return undefined;
      return field;
    },

    devicesOfField(fieldId: string): Device[] {
      return stmt.devicesOfField.all(fieldId) as Device[];
    },

    devicesOfCooperative(cooperativeId: string): Device[] {
      return stmt.devicesOfCoop.all(cooperativeId) as Device[];
    },
  };
}
