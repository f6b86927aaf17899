// Changes to farms and fields (create, update, delete) and the field record with its outline (a GeoJSON
// Polygon kept as text). Reads are scoped like directory.ts: by cooperative, and for a farmer by their farms.
// A farm with fields, or a field with devices, is not deleted (409): its history would lose its owner.
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
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

const farmColumns: Record<keyof FarmPatch, string> = { name: 'name', province: 'province', lat: 'lat', lon: 'lon', elevationM: 'elevation_m' };
const fieldColumnsByKey: Record<keyof FieldPatch, string> = {
  farmId: 'farm_id', name: 'name', crop: 'crop', plantingDate: 'planting_date', soilTexture: 'soil_texture', areaHa: 'area_ha',
  pumpFlowM3h: 'pump_flow_m3h', lat: 'lat', lon: 'lon', outline: 'outline',
};
const selectField = `SELECT f.id, f.farm_id AS farmId, fa.cooperative_id AS cooperativeId, fa.name AS farmName, f.name, f.crop,
  f.planting_date AS plantingDate, f.soil_texture AS soilTexture, f.area_ha AS areaHa, f.pump_flow_m3h AS pumpFlowM3h,
  f.lat, f.lon, f.outline FROM fields f JOIN farms fa ON fa.id = f.farm_id`;

const visible = (user: Scope, farmId: string) => user.role !== 'farmer' || user.farmIds.includes(farmId);

function toRecord(row: Omit<FieldRecord, 'outline'> & { outline: string | null }): FieldRecord {
  return { ...row, outline: row.outline === null ? null : (JSON.parse(row.outline) as unknown) };
}

function assignments<P extends object>(patch: P, columns: Record<keyof P, string>): { sets: string[]; params: unknown[] } {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const column = columns[key as keyof P];
    if (value === undefined || column === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(key === 'outline' && value !== null ? JSON.stringify(value) : value);
  }
  return { sets, params };
}

function mapConstraint(err: unknown, what: string): never {
  if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new RuongError('CONFLICT', `${what} is still referenced (devices, fields or users); remove them first`);
  throw err;
}

export function createDirectoryWrites(db: Database, hooks: { fieldMoved?: () => void } = {}) {
  const stmt = {
    farm: db.prepare(
      `SELECT id, cooperative_id AS cooperativeId, name, province, lat, lon, elevation_m AS elevationM FROM farms WHERE id = ? AND cooperative_id = ?`,
    ),
    fieldsOfCoop: db.prepare(`${selectField} WHERE fa.cooperative_id = ? ORDER BY fa.name, f.name, f.id`),
    field: db.prepare(`${selectField} WHERE f.id = ? AND fa.cooperative_id = ?`),
    insertField: db.prepare(
      `INSERT INTO fields (id, farm_id, name, crop, planting_date, soil_texture, area_ha, pump_flow_m3h, lat, lon, outline, created_at)
       VALUES (@id, @farmId, @name, @crop, @plantingDate, @soilTexture, @areaHa, @pumpFlowM3h, @lat, @lon, @outline, @createdAt)`,
    ),
    countFields: db.prepare('SELECT count(*) AS n FROM fields WHERE farm_id = ?'),
    countDevices: db.prepare('SELECT count(*) AS n FROM devices WHERE field_id = ?'),
    deleteFarmUsers: db.prepare('DELETE FROM user_farms WHERE farm_id = ?'),
    deleteFarm: db.prepare('DELETE FROM farms WHERE id = ? AND cooperative_id = ?'),
    deleteField: db.prepare('DELETE FROM fields WHERE id = ?'),
    // A field's pump and valve settings and schedules go with it (migrations 11/12); its commands and their audit
    // log are its history and are kept, so a field that has them is not deleted.
    hasCommandHistory: db.prepare(
      'SELECT EXISTS (SELECT 1 FROM device_commands WHERE field_id = ?) OR EXISTS (SELECT 1 FROM command_audit WHERE field_id = ?) AS yes',
    ),
    deleteFieldControl: db.prepare('DELETE FROM field_control WHERE field_id = ?'),
    deleteFieldSchedules: db.prepare('DELETE FROM command_schedules WHERE field_id = ?'),
  };

  function farm(user: Scope, farmId: string): Farm | undefined {
    const row = stmt.farm.get(farmId, user.cooperativeId) as Farm | undefined;
    return row && visible(user, row.id) ? row : undefined;
  }

  function fieldRecord(user: Scope, fieldId: string): FieldRecord | undefined {
    const row = stmt.field.get(fieldId, user.cooperativeId) as (Omit<FieldRecord, 'outline'> & { outline: string | null }) | undefined;
    return row && visible(user, row.farmId) ? toRecord(row) : undefined;
  }

  return {
    farm,
    fieldRecord,

    fieldRecords(user: Scope): FieldRecord[] {
      const rows = stmt.fieldsOfCoop.all(user.cooperativeId) as (Omit<FieldRecord, 'outline'> & { outline: string | null })[];
      return rows.filter((r) => visible(user, r.farmId)).map(toRecord);
    },

    updateFarm(user: Scope, farmId: string, patch: FarmPatch): Farm | undefined {
      if (!farm(user, farmId)) return undefined;
      const { sets, params } = assignments(patch, farmColumns);
      if (sets.length) db.prepare(`UPDATE farms SET ${sets.join(', ')} WHERE id = ? AND cooperative_id = ?`).run(...params, farmId, user.cooperativeId);
      return farm(user, farmId);
    },

    /** Deletes an empty farm; false when not found for this user, CONFLICT while it has fields. */
    deleteFarm(user: Scope, farmId: string): boolean {
      if (!farm(user, farmId)) return false;
      if ((stmt.countFields.get(farmId) as { n: number }).n > 0) throw new RuongError('CONFLICT', `farm ${farmId} still has fields; delete or move them first`);
      try {
        db.transaction(() => {
          stmt.deleteFarmUsers.run(farmId);
          stmt.deleteFarm.run(farmId, user.cooperativeId);
        })();
      } catch (err) {
        mapConstraint(err, `farm ${farmId}`);
      }
      return true;
    },

    createFieldRecord(input: Required<Pick<FieldPatch, 'farmId' | 'name' | 'crop'>> & FieldPatch & { id?: string | undefined }): string {
      const id = input.id ?? `field-${randomUUID().slice(0, 8)}`;
      try {
        stmt.insertField.run({
          id, farmId: input.farmId, name: input.name, crop: input.crop, plantingDate: input.plantingDate ?? null,
          soilTexture: input.soilTexture ?? null, areaHa: input.areaHa ?? null, pumpFlowM3h: input.pumpFlowM3h ?? null,
          lat: input.lat ?? null, lon: input.lon ?? null, outline: input.outline == null ? null : JSON.stringify(input.outline), createdAt: Date.now(),
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new RuongError('CONFLICT', `field ${id} already exists`);
        throw err;
      }
      return id;
    },

    updateField(user: Scope, fieldId: string, patch: FieldPatch): FieldRecord | undefined {
      if (!fieldRecord(user, fieldId)) return undefined;
      const { sets, params } = assignments(patch, fieldColumnsByKey);
      if (sets.length) db.prepare(`UPDATE fields SET ${sets.join(', ')} WHERE id = ?`).run(...params, fieldId);
      if (patch.farmId !== undefined) hooks.fieldMoved?.();
      return fieldRecord(user, fieldId);
    },

    /**
     * Deletes a field without devices, with its pump and valve settings and schedules; false when not found for this
     * user, CONFLICT while devices remain or when it has a command history (kept as the field's record).
     */
    deleteField(user: Scope, fieldId: string): boolean {
      if (!fieldRecord(user, fieldId)) return false;
      if ((stmt.countDevices.get(fieldId) as { n: number }).n > 0) throw new RuongError('CONFLICT', `field ${fieldId} still has devices; move or revoke them first`);
      if ((stmt.hasCommandHistory.get(fieldId, fieldId) as { yes: number }).yes === 1) {
        throw new RuongError('CONFLICT', `field ${fieldId} has a command history (pump and valve commands are kept as its record); it cannot be deleted`);
      }
      try {
        db.transaction(() => {
          stmt.deleteFieldControl.run(fieldId);
          stmt.deleteFieldSchedules.run(fieldId);
          stmt.deleteField.run(fieldId);
        })();
      } catch (err) {
        mapConstraint(err, `field ${fieldId}`);
      }
      return true;
    },
  };
}
