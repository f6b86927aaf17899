// Changes to farms and fields (create, update, delete) and the field record with its outline (a GeoJSON
// Polygon kept as text). Reads are scoped like directory.ts: by cooperative, and for a farmer by their farms.
// A farm with fields, or a field with devices, is not deleted (409): its history would lose its owner.
import { randomUUID } from 'node:crypto';
import { truthy, type Sql, type SqlValue } from '../db/sql.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/sql-errors.js';
import { RuongError } from '../errors.js';
import type { Farm, Field, User } from './types.js';

export interface FieldRecord extends Field {
  /** GeoJSON Polygon coordinates, as stored; null when the outline is not drawn. */
  readonly outline: unknown;
}

export interface FarmPatch {
  readonly name?: string | undefined;
  readonly province?: string | null | undefined;
  readonly lat?: number | null | undefined;
  readonly lon?: number | null | undefined;
  readonly elevationM?: number | null | undefined;
}

export interface FieldPatch {
  readonly farmId?: string | undefined;
  readonly name?: string | undefined;
  readonly crop?: string | undefined;
  readonly plantingDate?: string | null | undefined;
  readonly soilTexture?: string | null | undefined;
  readonly areaHa?: number | null | undefined;
  readonly pumpFlowM3h?: number | null | undefined;
  readonly lat?: number | null | undefined;
  readonly lon?: number | null | undefined;
  readonly outline?: unknown;
}

type Scope = Pick<User, 'cooperativeId' | 'role' | 'farmIds'>;
type FieldRow = Omit<FieldRecord, 'outline'> & { outline: string | null };

const farmColumns: Record<keyof FarmPatch, string> = { name: 'name', province: 'province', lat: 'lat', lon: 'lon', elevationM: 'elevation_m' };
const fieldColumnsByKey: Record<keyof FieldPatch, string> = {
  farmId: 'farm_id', name: 'name', crop: 'crop', plantingDate: 'planting_date', soilTexture: 'soil_texture', areaHa: 'area_ha',
  pumpFlowM3h: 'pump_flow_m3h', lat: 'lat', lon: 'lon', outline: 'outline',
};
const selectField = `SELECT f.id, f.farm_id AS "farmId", fa.cooperative_id AS "cooperativeId", fa.name AS "farmName", f.name, f.crop,
  f.planting_date AS "plantingDate", f.soil_texture AS "soilTexture", f.area_ha AS "areaHa", f.pump_flow_m3h AS "pumpFlowM3h",
  f.lat, f.lon, f.outline FROM fields f JOIN farms fa ON fa.id = f.farm_id`;

const visible = (user: Scope, farmId: string) => user.role !== 'farmer' || user.farmIds.includes(farmId);

function toRecord(row: FieldRow): FieldRecord {
  return { ...row, outline: row.outline === null ? null : (JSON.parse(row.outline) as unknown) };
}

function assignments<P extends object>(patch: P, columns: Record<keyof P, string>): { sets: string[]; params: SqlValue[] } {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const column = columns[key as keyof P];
    if (value === undefined || column === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(key === 'outline' && value !== null ? JSON.stringify(value) : (value as SqlValue));
  }
  return { sets, params };
}

function mapConstraint(err: unknown, what: string): never {
  if (isForeignKeyViolation(err)) throw new RuongError('CONFLICT', `${what} is still referenced (devices, fields or users); remove them first`);
  throw err;
}

export function createDirectoryWrites(sql: Sql, hooks: { fieldMoved?: () => void } = {}) {
  async function farm(user: Scope, farmId: string): Promise<Farm | undefined> {
    const row = await sql.one<Farm>(
      `SELECT id, cooperative_id AS "cooperativeId", name, province, lat, lon, elevation_m AS "elevationM" FROM farms WHERE id = ? AND cooperative_id = ?`,
      [farmId, user.cooperativeId],
    );
    return row && visible(user, row.id) ? row : undefined;
  }

  async function fieldRecord(user: Scope, fieldId: string): Promise<FieldRecord | undefined> {
    const row = await sql.one<FieldRow>(`${selectField} WHERE f.id = ? AND fa.cooperative_id = ?`, [fieldId, user.cooperativeId]);
    return row && visible(user, row.farmId) ? toRecord(row) : undefined;
  }

  async function count(query: string, params: SqlValue[]): Promise<number> {
    return Number((await sql.one<{ n: number }>(query, params))?.n ?? 0);
  }

  return {
    farm,
    fieldRecord,

    async fieldRecords(user: Scope): Promise<FieldRecord[]> {
      const rows = await sql.all<FieldRow>(`${selectField} WHERE fa.cooperative_id = ? ORDER BY fa.name, f.name, f.id`, [user.cooperativeId]);
      return rows.filter((r) => visible(user, r.farmId)).map(toRecord);
    },

    async updateFarm(user: Scope, farmId: string, patch: FarmPatch): Promise<Farm | undefined> {
      if (!(await farm(user, farmId))) return undefined;
      const { sets, params } = assignments(patch, farmColumns);
      if (sets.length) await sql.run(`UPDATE farms SET ${sets.join(', ')} WHERE id = ? AND cooperative_id = ?`, [...params, farmId, user.cooperativeId]);
      return farm(user, farmId);
    },

    /** Deletes an empty farm; false when not found for this user, CONFLICT while it has fields. */
    async deleteFarm(user: Scope, farmId: string): Promise<boolean> {
      if (!(await farm(user, farmId))) return false;
      if (await count('SELECT count(*) AS n FROM fields WHERE farm_id = ?', [farmId]) > 0) {
        throw new RuongError('CONFLICT', `farm ${farmId} still has fields; delete or move them first`);
      }
      try {
        await sql.tx(async (tx) => {
          await tx.run('DELETE FROM user_farms WHERE farm_id = ?', [farmId]);
          await tx.run('DELETE FROM farms WHERE id = ? AND cooperative_id = ?', [farmId, user.cooperativeId]);
        });
      } catch (err) {
        mapConstraint(err, `farm ${farmId}`);
      }
      return true;
    },

    async createFieldRecord(input: Required<Pick<FieldPatch, 'farmId' | 'name' | 'crop'>> & FieldPatch & { id?: string | undefined }): Promise<string> {
      const id = input.id ?? `field-${randomUUID().slice(0, 8)}`;
      try {
        await sql.run(
          `INSERT INTO fields (id, farm_id, name, crop, planting_date, soil_texture, area_ha, pump_flow_m3h, lat, lon, outline, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [id, input.farmId, input.name, input.crop, input.plantingDate ?? null, input.soilTexture ?? null, input.areaHa ?? null,
            input.pumpFlowM3h ?? null, input.lat ?? null, input.lon ?? null, input.outline == null ? null : JSON.stringify(input.outline), Date.now()],
        );
      } catch (err) {
        // The fields table has no UNIQUE column besides its primary key, so a unique violation is the id.
        if (isUniqueViolation(err)) throw new RuongError('CONFLICT', `field ${id} already exists`);
        throw err;
      }
      return id;
    },

    async updateField(user: Scope, fieldId: string, patch: FieldPatch): Promise<FieldRecord | undefined> {
      if (!(await fieldRecord(user, fieldId))) return undefined;
      const { sets, params } = assignments(patch, fieldColumnsByKey);
      if (sets.length) await sql.run(`UPDATE fields SET ${sets.join(', ')} WHERE id = ?`, [...params, fieldId]);
      if (patch.farmId !== undefined) hooks.fieldMoved?.();
      return fieldRecord(user, fieldId);
    },

    /**
     * Deletes a field without devices, with its pump and valve settings and schedules; false when not found for this
     * user, CONFLICT while devices remain or when it has a command history (kept as the field's record).
     */
    async deleteField(user: Scope, fieldId: string): Promise<boolean> {
      if (!(await fieldRecord(user, fieldId))) return false;
      if (await count('SELECT count(*) AS n FROM devices WHERE field_id = ?', [fieldId]) > 0) {
        throw new RuongError('CONFLICT', `field ${fieldId} still has devices; move or revoke them first`);
      }
      // A field's pump and valve settings and schedules go with it (migrations 11/12); its commands and their audit
      // log are its history and are kept, so a field that has them is not deleted.
      const history = await sql.one<{ yes: unknown }>(
        'SELECT EXISTS (SELECT 1 FROM device_commands WHERE field_id = ?) OR EXISTS (SELECT 1 FROM command_audit WHERE field_id = ?) AS yes',
        [fieldId, fieldId],
      );
      if (truthy(history?.yes)) {
        throw new RuongError('CONFLICT', `field ${fieldId} has a command history (pump and valve commands are kept as its record); it cannot be deleted`);
      }
      try {
        await sql.tx(async (tx) => {
          await tx.run('DELETE FROM field_control WHERE field_id = ?', [fieldId]);
          await tx.run('DELETE FROM command_schedules WHERE field_id = ?', [fieldId]);
          await tx.run('DELETE FROM fields WHERE id = ?', [fieldId]);
        });
      } catch (err) {
        mapConstraint(err, `field ${fieldId}`);
      }
      return true;
    },
  };
}
