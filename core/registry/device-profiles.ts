// Device profiles in the registry (migration 3): the mapping from a codec's field names to our metrics,
// a device's profile, and the device a LoRaWAN DevEUI names. The ingest resolves every message through
// here, so lookups are cached for a short while (a change made by another process shows within ttlMs).
import type { Database } from 'better-sqlite3';
import { RuongError } from '../errors.js';
import { DeviceProfile } from '../telemetry/device-profile.js';
import { seedProfiles } from './seed-profiles.js';

const DEFAULT_TTL_MS = 30_000;

interface Cached<T> { readonly value: T; readonly at: number }

export function createDeviceProfiles(db: Database, opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  const now = opts.now ?? Date.now;
  const stmt = {
    upsert: db.prepare(
      `INSERT INTO device_profiles (id, name, spec, builtin, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, spec = excluded.spec, builtin = excluded.builtin`,
    ),
    all: db.prepare('SELECT spec FROM device_profiles ORDER BY id'),
    byId: db.prepare('SELECT spec FROM device_profiles WHERE id = ?'),
    ofDevice: db.prepare('SELECT p.spec FROM devices d JOIN device_profiles p ON p.id = d.profile_id WHERE d.id = ?'),
    setProfile: db.prepare('UPDATE devices SET profile_id = ? WHERE id = ?'),
    byDevEui: db.prepare('SELECT id FROM devices WHERE lower(dev_eui) = lower(?)'),
  };
  const profileCache = new Map<string, Cached<DeviceProfile | undefined>>();
  const euiCache = new Map<string, Cached<string | undefined>>();

  const parse = (row: { spec: string } | undefined): DeviceProfile | undefined => (row ? DeviceProfile.parse(JSON.parse(row.spec)) : undefined);

  function cached<T>(cache: Map<string, Cached<T>>, key: string, load: () => T): T {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = load();
    if (cache.size > 100_000) cache.clear(); // bounded: one entry per device
    cache.set(key, { value, at: now() });
    return value;
  }

  function saveDeviceProfile(input: unknown, builtin = false): DeviceProfile {
    const parsed = DeviceProfile.safeParse(input);
    if (!parsed.success) throw new RuongError('BAD_REQUEST', `device profile is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    stmt.upsert.run(parsed.data.id, parsed.data.name, JSON.stringify(parsed.data), builtin ? 1 : 0, now());
    profileCache.clear();
    return parsed.data;
  }

  // The shipped profiles are data: (re)written at start so a new release's corrections arrive.
  db.transaction(() => { for (const p of seedProfiles) saveDeviceProfile(p, true); })();

  return {
    saveDeviceProfile,
    deviceProfiles: (): DeviceProfile[] => (stmt.all.all() as { spec: string }[]).map((r) => parse(r)!),
    deviceProfile: (id: string): DeviceProfile | undefined => parse(stmt.byId.get(id) as { spec: string } | undefined),
    /** The profile a device's codec output is mapped with; undefined = field names are metric names. */
    profileOfDevice: (deviceId: string): DeviceProfile | undefined =>
      cached(profileCache, deviceId, () => parse(stmt.ofDevice.get(deviceId) as { spec: string } | undefined)),
    setDeviceProfile(deviceId: string, profileId: string | null): void {
      let changes: number;
      try {
        changes = stmt.setProfile.run(profileId, deviceId).changes;
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new RuongError('NOT_FOUND', `device profile ${profileId} does not exist`);
        throw err;
      }
      if (changes === 0) throw new RuongError('NOT_FOUND', `device ${deviceId} does not exist`);
      profileCache.delete(deviceId);
    },
    /** The device id a DevEUI (any case) belongs to. Only hits are cached: a new device is seen at once. */
    deviceIdByDevEui(devEui: string): string | undefined {
      const key = devEui.toLowerCase();
      const hit = euiCache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.value;
      const id = (stmt.byDevEui.get(key) as { id: string } | undefined)?.id;
      if (id !== undefined) cached(euiCache, key, () => id);
      return id;
    },
  };
}
export type DeviceProfiles = ReturnType<typeof createDeviceProfiles>;
