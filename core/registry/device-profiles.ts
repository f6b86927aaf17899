// Device profiles in the registry (migration 3): the mapping from a codec's field names to our metrics,
// a device's profile, and the device a LoRaWAN DevEUI names. The ingest resolves every message through
// here, so lookups are cached for a short while (a change made by another process shows within ttlMs).
import type { Sql, SqlValue } from '../db/sql.js';
import { isForeignKeyViolation } from '../db/sql-errors.js';
import { RuongError } from '../errors.js';
import type { DeviceProfile } from '../telemetry/device-profile.js';
import { seedProfiles } from './seed-profiles.js';

/**
 * The zod schema of profiles, loaded when a profile is first written or read: the registry is on `ruong broker`'s
 * start path, which neither reads nor writes one, and zod is kept off it (issue 19, docs/benchmarks.md "Broker base
 * memory without zod"). The shipped profiles are written at every open without it (seedProfileRow).
 */
let schema: Promise<typeof DeviceProfile> | undefined;
const profileSchema = (): Promise<typeof DeviceProfile> =>
  (schema ??= import('../telemetry/device-profile.js').then((m) => m.DeviceProfile));

const DEFAULT_TTL_MS = 30_000;

interface Cached<T> { readonly value: T; readonly at: number }

/** Writes one profile (insert or replace); its parameters come from profileRow. */
export const UPSERT_PROFILE = `INSERT INTO device_profiles (id, name, spec, builtin, created_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, spec = excluded.spec, builtin = excluded.builtin`;

/** Validates a profile and returns it with UPSERT_PROFILE's parameters; BAD_REQUEST when it is invalid. */
export async function profileRow(input: unknown, builtin: boolean, at: number): Promise<{ profile: DeviceProfile; params: SqlValue[] }> {
  const parsed = (await profileSchema()).safeParse(input);
  if (!parsed.success) throw new RuongError('BAD_REQUEST', `device profile is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  // builtin is bound as 0/1: an INTEGER column on SQLite, and PostgreSQL does not take a JS boolean for an integer.
  return { profile: parsed.data, params: [parsed.data.id, parsed.data.name, JSON.stringify(parsed.data), builtin ? 1 : 0, at] };
}

/**
 * UPSERT_PROFILE's parameters for a shipped profile (core/registry/seed-profiles.ts), without the schema: they are
 * code, each already what profileRow returns for it — the same row, checked for every one of them by
 * test/unit/core/registry.test.ts.
 */
export function seedProfileRow(profile: DeviceProfile, at: number): SqlValue[] {
  return [profile.id, profile.name, JSON.stringify(profile), 1, at];
}

export function createDeviceProfiles(sql: Sql, opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  const now = opts.now ?? Date.now;
  const profileCache = new Map<string, Cached<DeviceProfile | undefined>>();
  const euiCache = new Map<string, Cached<string | undefined>>();
  // Bumped by every change made here: a lookup that began before the change does not cache what it read.
  let profileGeneration = 0;

  const parse = async (row: { spec: string } | undefined): Promise<DeviceProfile | undefined> => (row ? (await profileSchema()).parse(JSON.parse(row.spec)) : undefined);

  function fresh<T>(cache: Map<string, Cached<T>>, key: string): Cached<T> | undefined {
    const hit = cache.get(key);
    return hit && now() - hit.at < ttlMs ? hit : undefined;
  }

  function remember<T>(cache: Map<string, Cached<T>>, key: string, value: T): void {
    if (cache.size > 100_000) cache.clear(); // bounded: one entry per device
    cache.set(key, { value, at: now() });
  }

  async function saveDeviceProfile(input: unknown, builtin = false): Promise<DeviceProfile> {
    const { profile, params } = await profileRow(input, builtin, now());
    await sql.run(UPSERT_PROFILE, params);
    profileGeneration += 1;
    profileCache.clear();
    return profile;
  }

  return {
    saveDeviceProfile,
    /**
     * (Re)writes the shipped profiles: they are data, written at start so a new release's corrections arrive.
     * openRegistry calls it; createRegistry writes them synchronously with the same statement.
     */
    async seedDeviceProfiles(): Promise<void> {
      await sql.tx(async () => { for (const p of seedProfiles) await sql.run(UPSERT_PROFILE, seedProfileRow(p, now())); });
      profileGeneration += 1;
      profileCache.clear();
    },
    deviceProfiles: async (): Promise<DeviceProfile[]> =>
      Promise.all((await sql.all<{ spec: string }>('SELECT spec FROM device_profiles ORDER BY id')).map(async (r) => (await parse(r))!)),
    deviceProfile: async (id: string): Promise<DeviceProfile | undefined> =>
      parse(await sql.one<{ spec: string }>('SELECT spec FROM device_profiles WHERE id = ?', [id])),
    /** The profile a device's codec output is mapped with; undefined = field names are metric names. */
    async profileOfDevice(deviceId: string): Promise<DeviceProfile | undefined> {
      const hit = fresh(profileCache, deviceId);
      if (hit) return hit.value;
      const generation = profileGeneration;
      const value = await parse(await sql.one<{ spec: string }>(
        'SELECT p.spec FROM devices d JOIN device_profiles p ON p.id = d.profile_id WHERE d.id = ?', [deviceId],
      ));
      if (generation === profileGeneration) remember(profileCache, deviceId, value);
      return value;
    },
    async setDeviceProfile(deviceId: string, profileId: string | null): Promise<void> {
      let changes: number;
      try {
        changes = (await sql.run('UPDATE devices SET profile_id = ? WHERE id = ?', [profileId, deviceId])).changes;
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new RuongError('NOT_FOUND', `device profile ${profileId} does not exist`);
        throw err;
      }
      if (changes === 0) throw new RuongError('NOT_FOUND', `device ${deviceId} does not exist`);
      profileGeneration += 1;
      profileCache.delete(deviceId);
    },
    /** The device id a DevEUI (any case) belongs to. Only hits are cached: a new device is seen at once. */
    async deviceIdByDevEui(devEui: string): Promise<string | undefined> {
      const key = devEui.toLowerCase();
      const hit = fresh(euiCache, key);
      if (hit) return hit.value;
      const id = (await sql.one<{ id: string }>('SELECT id FROM devices WHERE lower(dev_eui) = lower(?)', [key]))?.id;
      if (id !== undefined) remember(euiCache, key, id);
      return id;
    },
  };
}
export type DeviceProfiles = ReturnType<typeof createDeviceProfiles>;
