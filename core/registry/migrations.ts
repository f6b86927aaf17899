// Registry schema, versioned with PRAGMA user_version. Add a migration under a new number; never edit
// a shipped one. Numbers are reserved per area so parallel work does not collide:
// 1 skeleton · 2 broker · 3 ingest · 4 rules/alerts · 5 api/accounts · 6 notifications · 7+ next.
// Gaps are allowed: migrations run in ascending order, each once.
import type { Database } from 'better-sqlite3';

export const migrations: ReadonlyMap<number, string> = new Map([
  // 1: the walking skeleton's registry
  [1, `
  CREATE TABLE cooperatives (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    province TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE farms (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    province TEXT,
    lat REAL, lon REAL, elevation_m REAL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX farms_by_cooperative ON farms(cooperative_id);
  CREATE TABLE fields (
    id TEXT PRIMARY KEY,
    farm_id TEXT NOT NULL REFERENCES farms(id),
    name TEXT NOT NULL,
    crop TEXT NOT NULL,
    planting_date TEXT,
    soil_texture TEXT,
    area_ha REAL,
    pump_flow_m3h REAL,
    lat REAL, lon REAL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX fields_by_farm ON fields(farm_id);
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    field_id TEXT NOT NULL REFERENCES fields(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    dev_eui TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX devices_by_field ON devices(field_id);
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'farmer', 'viewer')),
    language TEXT NOT NULL DEFAULT 'vi',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE user_farms (
    user_id TEXT NOT NULL REFERENCES users(id),
    farm_id TEXT NOT NULL REFERENCES farms(id),
    PRIMARY KEY (user_id, farm_id)
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE service_credentials (
    name TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at INTEGER NOT NULL,
    device_id TEXT,
    cooperative_id TEXT,
    topic TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT
  );
  CREATE INDEX dead_letters_by_cooperative ON dead_letters(cooperative_id, received_at);
  `],
]);

/** Applies every migration above the database's user_version, in order; returns the new version. */
export function migrate(db: Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = [...migrations.keys()].filter((v) => v > current).sort((a, b) => a - b);
  for (const version of pending) {
    db.transaction(() => {
      db.exec(migrations.get(version) ?? '');
      db.pragma(`user_version = ${version}`);
    })();
  }
  return Math.max(current, ...pending);
}
