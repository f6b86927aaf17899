// The Sql contract (./sql.contract.ts) on both engines: SQLite on a temporary file, PostgreSQL on a fresh database
// of the cluster the global setup starts (test/helpers/global-setup.ts). The PostgreSQL half is skipped only when
// PostgreSQL is not installed and REQUIRE_POSTGRES is not set; CI sets it, so CI cannot skip it.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
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

describe.skipIf(postgresUrl === '')('PostgreSQL engine', () => {
  const freshUrl = () => createPostgresDatabase(postgresUrl, `ruong_pg_${randomUUID().replace(/-/g, '')}`);

  it('reads int8 beyond 2^53 as a bigint, and leaves pg\'s global type parsers alone', async () => {
    const sql = openPostgresSql(await freshUrl());
    try {
      expect(await sql.one('SELECT 9007199254740993::bigint AS big, 9007199254740991::bigint AS safe')).toEqual({ big: 9007199254740993n, safe: 9007199254740991 });
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        expect((await client.query('SELECT 5::bigint AS n')).rows).toEqual([{ n: '5' }]);
      } finally {
        await client.end();
      }
    } finally {
      await sql.close();
    }
  });

  it('survives an idle pooled connection being terminated: reported to onIdleError, the next statement gets a new one', async () => {
    const url = await freshUrl();
    const idleErrors: Error[] = [];
    const sql = openPostgresSql(url, { applicationName: 'ruong-idle-victim', onIdleError: (err) => idleErrors.push(err) });
    const admin = openPostgresSql(url, { max: 1 });
    try {
      expect(await sql.one('SELECT 1 AS one')).toEqual({ one: 1 });
      const killed = await admin.all("SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'ruong-idle-victim'");
      expect(killed).toHaveLength(1);
      for (let i = 0; i < 100 && idleErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(idleErrors).toHaveLength(1);
      expect(await sql.one('SELECT 2 AS two')).toEqual({ two: 2 });
    } finally {
      await admin.close();
      await sql.close();
    }
  });

  it('a transaction whose connection is terminated fails with the error; its client is not reused', async () => {
    const url = await freshUrl();
    const sql = openPostgresSql(url, { max: 1, applicationName: 'ruong-tx-victim' });
    const admin = openPostgresSql(url, { max: 1 });
    try {
      await expect(sql.tx(async (tx) => {
        await tx.one('SELECT 1 AS one');
        await admin.all("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ruong-tx-victim'");
        await tx.one('SELECT 2 AS two');
      })).rejects.toThrow();
      expect(await sql.one('SELECT 3 AS three')).toEqual({ three: 3 });
    } finally {
      await admin.close();
      await sql.close();
    }
  });

  it('the registry schema matches SQLite\'s: the same tables, columns, nullability, types, indexes and triggers', async () => {
    const sqlite = openSqliteSql(join(dir, `${randomUUID()}.db`));
    const postgres = openPostgresSql(await freshUrl());
    try {
      migrate(sqlite.db);
      await migratePostgres(postgres);
      const sqliteColumns = await sqlite.all<{ t: string; c: string; notnull: number; pk: number }>(
        "SELECT m.name AS t, p.name AS c, p.\"notnull\" AS \"notnull\", p.pk AS pk FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
      const postgresColumns = await postgres.all<{ t: string; c: string; nullable: string }>(
        "SELECT table_name AS t, column_name AS c, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = 'public'");
      // A primary key column is NOT NULL in PostgreSQL; SQLite allows NULL in a non-INTEGER one unless declared.
      const norm = (rows: { t: string; c: string; notNull: boolean }[]) => rows.map((r) => `${r.t}.${r.c}${r.notNull ? ' NOT NULL' : ''}`).sort();
      expect(norm(postgresColumns.map((r) => ({ t: r.t, c: r.c, notNull: r.nullable === 'NO' }))))
        .toEqual(norm(sqliteColumns.map((r) => ({ t: r.t, c: r.c, notNull: r.notnull === 1 || r.pk > 0 }))));

      // Types: TEXT → text, REAL → double precision, INTEGER → bigint (times, counters, keys), except the 0/1 flags
      // and schema_migrations.version, which stay integer.
      const integerColumns = new Set(['device_profiles.builtin', 'contacts.sms_unaccented', 'field_control.automatic', 'schema_migrations.version']);
      const sqliteTypes = await sqlite.all<{ t: string; c: string; type: string }>(
        "SELECT m.name AS t, p.name AS c, p.type AS type FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
      const expectedType = (r: { t: string; c: string; type: string }): string =>
        r.type === 'TEXT' ? 'text' : r.type === 'REAL' ? 'double precision' : integerColumns.has(`${r.t}.${r.c}`) ? 'integer' : 'bigint';
      const postgresTypes = await postgres.all<{ t: string; c: string; type: string }>(
        "SELECT table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns WHERE table_schema = 'public'");
      const typed = (rows: { t: string; c: string; type: string }[]) => rows.map((r) => `${r.t}.${r.c} ${r.type}`).sort();
      expect(typed(postgresTypes)).toEqual(typed(sqliteTypes.map((r) => ({ ...r, type: expectedType(r) }))));

      const sqliteIndexes = await sqlite.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL");
      const postgresIndexes = await postgres.all<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'");
      expect(postgresIndexes.map((r) => r.name).sort()).toEqual(sqliteIndexes.map((r) => r.name).sort());

      const sqliteTriggers = await sqlite.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger'");
      const postgresTriggers = await postgres.all<{ name: string }>('SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal');
      expect(postgresTriggers.map((r) => r.name).sort()).toEqual(sqliteTriggers.map((r) => r.name).sort());
    } finally {
      await postgres.close();
      await sqlite.close();
    }
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
    expect(numberPlaceholders("SELECT E'it\\'s ?', e'\\\\', ?, name'?' FROM t")).toBe("SELECT E'it\\'s ?', e'\\\\', $1, name'?' FROM t");
    expect(numberPlaceholders('SELECT 1')).toBe('SELECT 1');
  });
});
