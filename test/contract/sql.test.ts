// The Sql contract (./sql.contract.ts) on both engines: SQLite on a temporary file, PostgreSQL on a fresh database
// of the cluster the global setup starts (test/helpers/global-setup.ts). The PostgreSQL half is skipped only when
// PostgreSQL is not installed and REQUIRE_POSTGRES is not set; CI sets it, so CI cannot skip it.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { numberPlaceholders, openPostgresSql } from '../../core/db/postgres-sql.js';
import type { Sql } from '../../core/db/sql.js';
import { openSqliteSql, type SqliteSql } from '../../core/db/sqlite-sql.js';
import { migrate, migrations } from '../../core/registry/migrations.js';
import { migratePostgres, postgresMigrations } from '../../core/registry/postgres-migrations.js';
import { createPostgresDatabase } from '../helpers/postgres.js';
import { sqlContract } from './sql.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'ruong-sql-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sqlitePaths = new WeakMap<Sql, string>();
sqlContract('SQLite', {
  dialect: 'sqlite',
  open: () => {
    const path = join(dir, `${randomUUID()}.db`);
    const sql = openSqliteSql(path);
    sqlitePaths.set(sql, path);
    return Promise.resolve(sql);
  },
  reopen: (sql) => Promise.resolve(openSqliteSql(sqlitePaths.get(sql) ?? '')),
  migrate: (sql) => Promise.resolve(migrate((sql as SqliteSql).db)),
  versions: [...migrations.keys()],
});

const postgresUrl = inject('postgresUrl');
const postgresUrls = new WeakMap<Sql, string>();
describe.skipIf(postgresUrl === '')('PostgreSQL', () => {
  sqlContract('PostgreSQL', {
    dialect: 'postgres',
    open: async () => {
      const url = await createPostgresDatabase(postgresUrl, `ruong_sql_${randomUUID().replace(/-/g, '')}`);
      const sql = openPostgresSql(url, { max: 4, applicationName: 'ruong-sql-contract' });
      postgresUrls.set(sql, url);
      return sql;
    },
    reopen: (sql) => Promise.resolve(openPostgresSql(postgresUrls.get(sql) ?? '', { max: 4 })),
    migrate: migratePostgres,
    versions: [...postgresMigrations.keys()],
  });
});

describe('registry migrations on both engines', () => {
  it('have the same version numbers: a new migration needs a SQLite and a PostgreSQL form', () => {
    expect([...postgresMigrations.keys()].sort((a, b) => a - b)).toEqual([...migrations.keys()].sort((a, b) => a - b));
  });
});

describe('numberPlaceholders', () => {
  it('numbers ? as $1…$n outside string literals, quoted names, dollar quotes and comments', () => {
    expect(numberPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toBe('SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)');
    expect(numberPlaceholders("SELECT '?', 'it''s ?', \"a?\" FROM t WHERE x = ?")).toBe("SELECT '?', 'it''s ?', \"a?\" FROM t WHERE x = $1");
    expect(numberPlaceholders('SELECT $$ ? $$, $f$ ? $f$ -- ?\n, ? /* ? */, ?')).toBe('SELECT $$ ? $$, $f$ ? $f$ -- ?\n, $1 /* ? */, $2');
    expect(numberPlaceholders('SELECT 1')).toBe('SELECT 1');
  });
});
