// Irrigation events (issue 17, migration 9): what was irrigated, as data — the field, the start, the duration,
// the depth applied (mm) and/or the volume (m³), the source and who recorded it. Depth and volume convert with
// the field's area (1 mm over 1 ha = 10 m³, docs/agronomy.md §2). Every read and write that serves a user takes
// the cooperative id: another tenant's field or event is not found. The rules engine reads the events of a field
// (the daily water balance) and the feed of new events (to re-evaluate at once) through the same module.
import { randomUUID } from 'node:crypto';
import { RuongError } from '../errors.js';
import type { Sql } from '../db/sql.js';
import { FEED_LOCKS } from './postgres-migrations.js';

/** Where an irrigation record comes from (its zod schema, for the API: core/registry/irrigation-schemas.ts). */
export const IRRIGATION_SOURCES = ['farmer_report', 'api', 'sms', 'pump_telemetry', 'valve_telemetry', 'flow_meter', 'command'] as const;
export type IrrigationSource = (typeof IRRIGATION_SOURCES)[number];

/** Bounds of one recorded irrigation [judg]: more than 300 mm at once is a typo (a flood basin takes ~100 mm). */
export const IRRIGATION_BOUNDS = { maxDepthMm: 300, maxDurationMin: 24 * 60, maxVolumeM3: 1_000_000, maxAgeDays: 60, maxFutureMs: 10 * 60_000 } as const;

/**
 * An irrigation as given: depth and/or volume (at least one), numbers within IRRIGATION_BOUNDS — checked by the
 * zod schema in core/registry/irrigation-schemas.ts, kept out of this module: the registry is on `ruong broker`'s
 * start path, and zod is not (issue 19, docs/benchmarks.md "Broker base memory without zod").
 */
export interface IrrigationInput {
  startAt: number;
  durationMin?: number | null | undefined;
  depthMm?: number | undefined;
  volumeM3?: number | undefined;
  source: IrrigationSource;
  recordedBy: string;
  note?: string | null | undefined;
  externalId?: string | null | undefined;
}

export interface IrrigationEvent {
  readonly id: string;
  readonly seq: number;
  readonly cooperativeId: string;
  readonly fieldId: string;
  readonly startAt: number;
  readonly durationMin: number | null;
  readonly depthMm: number;
  readonly volumeM3: number | null;
  readonly source: IrrigationSource;
  readonly recordedBy: string;
  readonly note: string | null;
  readonly externalId: string | null;
  readonly createdAt: number;
}

const columns = `seq, id, cooperative_id AS "cooperativeId", field_id AS "fieldId", start_at AS "startAt", duration_min AS "durationMin",
  depth_mm AS "depthMm", volume_m3 AS "volumeM3", source, recorded_by AS "recordedBy", note, external_id AS "externalId", created_at AS "createdAt"`;

/** Depth and volume of one irrigation from what was given, with the field's area; BAD_REQUEST when they cannot be. */
export function depthAndVolume(input: { depthMm?: number | undefined; volumeM3?: number | undefined }, areaHa: number | null): { depthMm: number; volumeM3: number | null } {
  const area = areaHa !== null && areaHa > 0 ? areaHa : undefined;
  if (input.depthMm === undefined) {
    if (input.volumeM3 === undefined) throw new RuongError('BAD_REQUEST', 'give depthMm or volumeM3 (or both)');
    if (area === undefined) throw new RuongError('BAD_REQUEST', 'the field has no area: give the depth in mm, not only a volume');
    const depthMm = input.volumeM3 / (area * 10); // 1 mm over 1 ha = 10 m³
    if (depthMm > IRRIGATION_BOUNDS.maxDepthMm) {
      throw new RuongError('BAD_REQUEST', `volumeM3: ${input.volumeM3} m³ on ${area} ha is ${Math.round(depthMm)} mm, above ${IRRIGATION_BOUNDS.maxDepthMm} mm`);
    }
    return { depthMm, volumeM3: input.volumeM3 };
  }
  const fromDepth = area === undefined ? null : input.depthMm * area * 10;
  if (input.volumeM3 !== undefined && fromDepth !== null && Math.abs(input.volumeM3 - fromDepth) > 0.1 * fromDepth) {
    throw new RuongError('BAD_REQUEST', `volumeM3: ${input.volumeM3} m³ does not match ${input.depthMm} mm on ${area} ha (${Math.round(fromDepth)} m³)`);
  }
  return { depthMm: input.depthMm, volumeM3: input.volumeM3 ?? fromDepth };
}

export function createIrrigationEvents(sql: Sql) {
  const q = {
    field: `SELECT f.id, f.area_ha AS "areaHa" FROM fields f JOIN farms fa ON fa.id = f.farm_id WHERE f.id = ? AND fa.cooperative_id = ?`,
    // a second delivery of the same external id loses the race at the unique index and inserts nothing
    insert: `INSERT INTO irrigation_events (id, cooperative_id, field_id, start_at, duration_min, depth_mm, volume_m3, source, recorded_by, note,
         external_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    byId: `SELECT ${columns} FROM irrigation_events WHERE id = ? AND cooperative_id = ?`,
    byExternal: `SELECT ${columns} FROM irrigation_events WHERE cooperative_id = ? AND source = ? AND external_id = ?`,
    ofField: `SELECT ${columns} FROM irrigation_events WHERE cooperative_id = ? AND field_id = ? AND start_at >= ? AND start_at < ?
        ORDER BY start_at DESC, seq DESC LIMIT ?`,
    after: `SELECT ${columns} FROM irrigation_events WHERE seq > ? ORDER BY seq LIMIT ?`,
    lastSeq: 'SELECT coalesce(max(seq), 0) AS seq FROM irrigation_events',
  };

  return {
    /**
     * Records an irrigation on a field of the cooperative (NOT_FOUND otherwise). The same `externalId` of the
     * same source records nothing twice: the first event is returned with `created: false`.
     */
    async recordIrrigation(cooperativeId: string, fieldId: string, input: IrrigationInput, now = Date.now()): Promise<{ event: IrrigationEvent; created: boolean }> {
      const field = await sql.one<{ id: string; areaHa: number | null }>(q.field, [fieldId, cooperativeId]);
      if (!field) throw new RuongError('NOT_FOUND', `field ${fieldId} not found`);
      if (input.startAt > now + IRRIGATION_BOUNDS.maxFutureMs) throw new RuongError('BAD_REQUEST', 'startAt: an irrigation cannot start in the future');
      if (input.startAt < now - IRRIGATION_BOUNDS.maxAgeDays * 86_400_000) {
        throw new RuongError('BAD_REQUEST', `startAt: older than ${IRRIGATION_BOUNDS.maxAgeDays} days`);
      }
      const seen = async () => (input.externalId ? sql.one<IrrigationEvent>(q.byExternal, [cooperativeId, input.source, input.externalId]) : undefined);
      const first = await seen();
      if (first) return { event: first, created: false };
      const { depthMm, volumeM3 } = depthAndVolume(input, field.areaHa);
      const id = `irr-${randomUUID().slice(0, 12)}`;
      const { changes } = await sql.tx(async () => {
        // PostgreSQL: events become visible in seq order, so `irrigationsAfter` never skips one (FEED_LOCKS)
        if (sql.dialect === 'postgres') await sql.run(`SELECT pg_advisory_xact_lock(${FEED_LOCKS.irrigationEvents})`);
        return sql.run(q.insert, [
          id, cooperativeId, fieldId, input.startAt, input.durationMin ?? null, depthMm, volumeM3, input.source,
          input.recordedBy, input.note ?? null, input.externalId ?? null, now,
        ]);
      });
      if (changes === 0) {
        // the same external id was recorded in between (another delivery of the same message)
        const other = await seen();
        if (other) return { event: other, created: false };
        throw new Error(`irrigation event ${id} was not recorded`);
      }
      return { event: (await sql.one<IrrigationEvent>(q.byId, [id, cooperativeId]))!, created: true };
    },

    /** A field's events that started in [from, to), newest first (tenant-scoped). */
    async irrigationsOfField(cooperativeId: string, fieldId: string, from: number, to: number, limit = 1000): Promise<IrrigationEvent[]> {
      return sql.all<IrrigationEvent>(q.ofField, [cooperativeId, fieldId, from, to, limit]);
    },

    /** The feed of every cooperative's events recorded after `seq`, oldest first (the rules engine's trigger). */
    async irrigationsAfter(seq: number, limit = 1000): Promise<IrrigationEvent[]> {
      return sql.all<IrrigationEvent>(q.after, [seq, limit]);
    },

    async lastIrrigationSeq(): Promise<number> {
      return (await sql.one<{ seq: number }>(q.lastSeq))!.seq;
    },
  };
}

export type IrrigationEvents = ReturnType<typeof createIrrigationEvents>;
