// Opens the registry a process is configured for (issue 18): PostgreSQL when REGISTRY_URL is set — the registry
// every process of a multi-host deployment shares — else the embedded SQLite file DATA_DIR/registry.db.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { createRegistry, openRegistry, type Registry } from '../core/registry/registry.js';

export type RegistryConfig = Pick<Config, 'DATA_DIR' | 'REGISTRY_URL' | 'REGISTRY_POOL_MAX'>;

/** `process` names the connections on the PostgreSQL server (application_name), e.g. `ruong api`. */
export async function openConfiguredRegistry(config: RegistryConfig, process = 'ruong'): Promise<Registry> {
  if (config.REGISTRY_URL) {
    // The PostgreSQL client (pg) is loaded only for a PostgreSQL registry (issue 19, base memory: docs/benchmarks.md).
    const { openPostgresSql } = await import('../core/db/postgres-sql.js');
    const sql = openPostgresSql(config.REGISTRY_URL, { max: config.REGISTRY_POOL_MAX, applicationName: process });
    try {
      return await openRegistry(sql);
    } catch (err) {
      await sql.close();
      throw new Error(`cannot open the registry at REGISTRY_URL (${redacted(config.REGISTRY_URL)}): ${(err as Error).message}`, { cause: err });
    }
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  return createRegistry(join(config.DATA_DIR, 'registry.db'));
}

/** Where the registry is, for start-up lines and errors: the URL without its password. */
export function registryLocation(config: RegistryConfig): string {
  return config.REGISTRY_URL ? redacted(config.REGISTRY_URL) : join(config.DATA_DIR, 'registry.db');
}

function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // pg also reads a password (or a key or certificate file's passphrase) from the query string
    for (const name of [...u.searchParams.keys()]) if (/pass|secret|key/i.test(name)) u.searchParams.set(name, '***');
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
