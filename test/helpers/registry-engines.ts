// The registry engines a suite runs on (issue 18): SQLite always, PostgreSQL on a fresh database of the test run's
// cluster — skipped only when PostgreSQL is not installed and REQUIRE_POSTGRES is not set (test/helpers/global-setup.ts).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openPostgresSql } from '../../core/db/postgres-sql.js';
import { createRegistry, openRegistry, type Registry } from '../../core/registry/registry.js';
import { createPostgresDatabase } from './postgres.js';

export interface RegistryEngine {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly skip: boolean;
  /** A new, empty registry; `dir` holds the SQLite file. */
  open(dir: string): Promise<Registry>;
}

/** `label` names the PostgreSQL databases and connections, e.g. `hot_path`. */
export function registryEngines(label: string): RegistryEngine[] {
  const postgresUrl = inject('postgresUrl');
  return [
    { name: 'SQLite', skip: false, open: (dir) => Promise.resolve(createRegistry(join(dir, 'registry.db'))) },
    {
      name: 'PostgreSQL',
      skip: postgresUrl === '',
      open: async () => openRegistry(openPostgresSql(
        await createPostgresDatabase(postgresUrl, `ruong_${label}_${randomUUID().replace(/-/g, '')}`), { max: 4, applicationName: `ruong-${label.replace(/_/g, '-')}-test` },
      )),
    },
  ];
}
