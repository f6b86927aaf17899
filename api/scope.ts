// Lookups scoped to the caller: an object of another cooperative, or outside a farmer's farms, is a 404 —
// the same answer as an object that does not exist, so ids of other tenants cannot be probed.
import { RuongError } from '../core/errors.js';
import type { FieldRecord } from '../core/registry/directory-writes.js';
import type { Registry } from '../core/registry/registry.js';
import type { Farm, User } from '../core/registry/types.js';
import type { FarmOut, FieldOut, GeoPoint } from './schemas.js';

export async function fieldOr404(registry: Registry, user: User, id: string): Promise<FieldRecord> {
  const field = await registry.fieldRecord(user, id);
  if (!field) throw new RuongError('NOT_FOUND', `field ${id} not found`);
  return field;
}

export async function farmOr404(registry: Registry, user: User, id: string): Promise<Farm> {
  const farm = await registry.farm(user, id);
  if (!farm) throw new RuongError('NOT_FOUND', `farm ${id} not found`);
  return farm;
}

export const point = (lat: number | null, lon: number | null): GeoPoint | null =>
  lat === null || lon === null ? null : { type: 'Point', coordinates: [lon, lat] };

export function farmOut(farm: Farm): FarmOut {
  return { ...farm, location: point(farm.lat, farm.lon) };
}

export async function fieldOut(registry: Registry, field: FieldRecord): Promise<FieldOut> {
  const devices = (await registry.devicesOfField(field.id)).map((d) => ({ id: d.id, kind: d.kind, name: d.name, revoked: d.revokedAt !== null }));
  return { ...field, location: point(field.lat, field.lon), devices };
}

/** Devices the user may see: the cooperative's, and for a farmer only those on their farms' fields. */
export async function visibleDevices(registry: Registry, user: User) {
  const fields = new Map((await registry.fieldRecords(user)).map((f) => [f.id, f]));
  return (await registry.devicesOfCooperative(user.cooperativeId)).flatMap((d) => {
    const field = fields.get(d.fieldId);
    return field ? [{ device: d, field }] : [];
  });
}
