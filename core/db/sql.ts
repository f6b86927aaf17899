// One asynchronous SQL interface for the registry, alerts, outbox and commands, with two engines behind it:
// SQLite (better-sqlite3, the embedded default, core/db/sqlite-sql.ts) and PostgreSQL (`pg` with a pool,
// core/db/postgres-sql.ts). Modules write their SQL once, in the subset both engines read the same way:
//  - `?` placeholders (the PostgreSQL engine numbers them $1, $2, …);
//  - camelCase result names quoted: `field_id AS "fieldId"` (PostgreSQL folds unquoted names to lower case);
//  - `INSERT … ON CONFLICT (…) DO NOTHING | DO UPDATE SET x = excluded.x`, never `INSERT OR IGNORE/REPLACE`;
//  - `RETURNING id` for generated keys; no engine functions (unixepoch, datetime, json_extract, scalar max(a, b));
//  - booleans and 0/1 both come back: read them with `truthy()`; BIGINT counts come back as numbers.
// Where a statement must differ (the outbox claim's `FOR UPDATE SKIP LOCKED`), a module asks `sql.dialect`.

export type SqlValue = string | number | bigint | boolean | null | Buffer;
export type SqlParams = readonly (SqlValue | undefined)[];

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

export interface SqlSession {
  readonly dialect: 'sqlite' | 'postgres';
  /** Every row of a query. */
  all<T>(query: string, params?: SqlParams): Promise<T[]>;
  /** The first row of a query, or undefined. */
  one<T>(query: string, params?: SqlParams): Promise<T | undefined>;
  /** A statement that returns no rows. */
  run(query: string, params?: SqlParams): Promise<RunResult>;
}

export interface Sql extends SqlSession {
  /**
   * Runs `work` in one transaction and commits it, or rolls it back if `work` throws. Writers are serialized the
   * way SQLite serializes them: SQLite takes the write lock at BEGIN IMMEDIATE; PostgreSQL runs SERIALIZABLE and
   * runs `work` again (up to 5 times) when the server reports a serialization failure — so `work` must be safe to
   * run again (no messages sent from inside it). Every statement issued in `work`'s async context — through `tx`
   * or through any module's own `sql` — belongs to the transaction (AsyncLocalStorage), and a nested `tx` joins
   * the outer one, so module functions compose into one transaction without passing a handle around.
   */
  tx<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Closes the connection or pool. */
  close(): Promise<void>;
}

/** Reads a boolean column: SQLite gives 0/1, PostgreSQL true/false. */
export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

/** Undefined parameters are bound as NULL on both engines. */
export function bindable(params: SqlParams | undefined): SqlValue[] {
  return (params ?? []).map((p) => (p === undefined ? null : p));
}
