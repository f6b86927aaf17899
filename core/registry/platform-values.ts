// Platform values (migration 13, issue 18): small named values the platform's processes share through the registry
// instead of files in one DATA_DIR — the ingest's and the LoRaWAN network server's MQTT secrets, the broker URLs
// printed in device credentials. With the registry on PostgreSQL, a process on another host finds them here.
// The registry's database is therefore as sensitive as those secrets: restrict who can read it.
import type { Sql } from '../db/sql.js';

export function createPlatformValues(sql: Sql) {
  return {
    /** The stored value, or undefined. */
    async platformValue(name: string): Promise<string | undefined> {
      return (await sql.one<{ value: string }>('SELECT value FROM platform_values WHERE name = ?', [name]))?.value;
    },

    /** Stores (or replaces) a value. */
    async setPlatformValue(name: string, value: string, now = Date.now()): Promise<void> {
      await sql.run(
        'INSERT INTO platform_values (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [name, value, now],
      );
    },

    /**
     * The value, created with `make()` if there is none yet. When several processes (on any host) call this at
     * once, the first insert wins and every caller gets that one value: the others' inserts do nothing.
     */
    async platformValueOnce(name: string, make: () => string, now = Date.now()): Promise<string> {
      await sql.run('INSERT INTO platform_values (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [name, make(), now]);
      const row = await sql.one<{ value: string }>('SELECT value FROM platform_values WHERE name = ?', [name]);
      if (!row) throw new Error(`platform value ${name} vanished after it was written`);
      return row.value;
    },
  };
}
