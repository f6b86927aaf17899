// Cooperatives, farms and fields. Reads that serve a user are scoped by cooperative id (and, for a
// farmer, by the farms granted to them): an object of another tenant is simply not found.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/sql.js';
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

const fieldColumns = `f.id, f.farm_id AS "farmId", fa.cooperative_id AS "cooperativeId", fa.name AS "farmName", f.name, f.crop,
  f.planting_date AS "plantingDate", f.soil_texture AS "soilTexture", f.area_ha AS "areaHa", f.pump_flow_m3h AS "pumpFlowM3h",
  f.lat, f.lon`;
const deviceColumns = 'd.id, d.field_id AS "fieldId", d.kind, d.name, d.dev_eui AS "devEui", d.revoked_at AS "revokedAt"';

/** Farmers see their own farms only; every other role sees the whole cooperative. */
function farmScope(user: Pick<User, 'role' | 'farmIds'>): string[] | undefined {
  return user.role === 'farmer' ? [...user.farmIds] : undefined;
}

export function createDirectory(sql: Sql) {
  return {
    async createCooperative(input: { id?: string; name: string; province?: string }): Promise<string> {
      const id = input.id ?? `coop-${randomUUID().slice(0, 8)}`;
      await sql.run('INSERT INTO cooperatives (id, name, province, created_at) VALUES (?, ?, ?, ?)', [id, input.name, input.province ?? null, Date.now()]);
      return id;
    },

    cooperative(id: string): Promise<Cooperative | undefined> {
      return sql.one<Cooperative>('SELECT id, name, province FROM cooperatives WHERE id = ?', [id]);
    },

    async isEmpty(): Promise<boolean> {
      // One row rather than count(*): PostgreSQL reads every row of a table to count it.
      const row = await sql.one<{ one: number }>('SELECT 1 AS one FROM cooperatives LIMIT 1');
      return row === undefined;
    },

    async createFarm(input: NewFarm): Promise<string> {
      const id = input.id ?? `farm-${randomUUID().slice(0, 8)}`;
      await sql.run(
        'INSERT INTO farms (id, cooperative_id, name, province, lat, lon, elevation_m, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [id, input.cooperativeId, input.name, input.province ?? null, input.lat ?? null, input.lon ?? null, input.elevationM ?? null, Date.now()],
      );
      return id;
    },

    async farms(user: Pick<User, 'cooperativeId' | 'role' | 'farmIds'>): Promise<Farm[]> {
      const scope = farmScope(user);
      const all = await sql.all<Farm>(
        `SELECT id, cooperative_id AS "cooperativeId", name, province, lat, lon, elevation_m AS "elevationM"
           FROM farms WHERE cooperative_id = ? ORDER BY name`,
        [user.cooperativeId],
      );
      return scope ? all.filter((f) => scope.includes(f.id)) : all;
    },

    async createField(input: NewField): Promise<string> {
      const id = input.id ?? `field-${randomUUID().slice(0, 8)}`;
      await sql.run(
        `INSERT INTO fields (id, farm_id, name, crop, planting_date, soil_texture, area_ha, pump_flow_m3h, lat, lon, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, input.farmId, input.name, input.crop, input.plantingDate ?? null, input.soilTexture ?? null, input.areaHa ?? null,
          input.pumpFlowM3h ?? null, input.lat ?? null, input.lon ?? null, Date.now()],
      );
      return id;
    },

    /** Fields the user may see. */
    async fields(user: Pick<User, 'cooperativeId' | 'role' | 'farmIds'>): Promise<Field[]> {
      const scope = farmScope(user);
      const all = await sql.all<Field>(
        `SELECT ${fieldColumns} FROM fields f JOIN farms fa ON fa.id = f.farm_id
          WHERE fa.cooperative_id = ? ORDER BY fa.name, f.name`,
        [user.cooperativeId],
      );
      return scope ? all.filter((f) => scope.includes(f.farmId)) : all;
    },

    /** One field, or undefined when it does not exist or the user may not see it. */
    async field(user: Pick<User, 'cooperativeId' | 'role' | 'farmIds'>, fieldId: string): Promise<Field | undefined> {
      const field = await sql.one<Field>(
        `SELECT ${fieldColumns} FROM fields f JOIN farms fa ON fa.id = f.farm_id WHERE f.id = ? AND fa.cooperative_id = ?`,
        [fieldId, user.cooperativeId],
      );
      const scope = farmScope(user);
      if (!field || (scope && !scope.includes(field.farmId))) return undefined;
      return field;
    },

    devicesOfField(fieldId: string): Promise<Device[]> {
      return sql.all<Device>(`SELECT ${deviceColumns} FROM devices d WHERE d.field_id = ? ORDER BY d.id`, [fieldId]);
    },

    devicesOfCooperative(cooperativeId: string): Promise<Device[]> {
      return sql.all<Device>(
        `SELECT ${deviceColumns}
           FROM devices d JOIN fields f ON f.id = d.field_id JOIN farms fa ON fa.id = f.farm_id
          WHERE fa.cooperative_id = ? ORDER BY d.id`,
        [cooperativeId],
      );
    },
  };
}
