// The SQLite engine of core/db/sql.ts: better-sqlite3 (v12 on Node 20), WAL, statements prepared once and kept.
// better-sqlite3 is synchronous; the promises it returns are already settled. A transaction holds the one
// connection from BEGIN IMMEDIATE to COMMIT across awaits. Statements from the transaction's own async context
// (AsyncLocalStorage) run inside it; statements from other async work in this process wait for it to end,
// instead of joining it by accident.
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { bindable, type RunResult, type Sql, type SqlParams, type SqlSession } from './sql.js';

export interface SqliteSql extends Sql {
  /** The better-sqlite3 handle, for migrations and tests of the SQLite engine itself. */
  readonly db: Database.Database;
}

export function openSqliteSql(path: string): SqliteSql {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return sqliteSqlOf(db);
}

/** Prepared statements kept per database (the PostgreSQL engine caps its translations the same way). */
const MAX_STATEMENTS = 2000;

/** Wraps an open better-sqlite3 database. */
export function sqliteSqlOf(db: Database.Database): SqliteSql {
  const statements = new Map<string, Database.Statement>();
  const prepared = (query: string): Database.Statement => {
    let statement = statements.get(query);
    if (!statement) {
      if (statements.size >= MAX_STATEMENTS) statements.clear(); // query text built per call must not grow it for ever
      statement = db.prepare(query);
      statements.set(query, statement);
    }
    return statement;
  };
  // The transaction an async context belongs to; `open` turns false at COMMIT/ROLLBACK, so a timer or promise chain
  // started inside a transaction and still running after it neither skips the queue nor "joins" a later one.
  const inTx = new AsyncLocalStorage<{ open: boolean }>();
  let busy: Promise<void> | undefined; // settles when the open transaction ends
  const ready = async (): Promise<void> => {
    if (inTx.getStore()?.open) return;
    while (busy) await busy;
  };

  const session: SqlSession = {
    dialect: 'sqlite',
    async all<T>(query: string, params?: SqlParams): Promise<T[]> {
      if (busy) await ready();
      return prepared(query).all(...bindable(params)) as T[];
    },
    async one<T>(query: string, params?: SqlParams): Promise<T | undefined> {
      if (busy) await ready();
      return prepared(query).get(...bindable(params)) as T | undefined;
    },
    async run(query: string, params?: SqlParams): Promise<RunResult> {
      if (busy) await ready();
      return { changes: prepared(query).run(...bindable(params)).changes };
    },
  };

  return {
    ...session,
    db,
    async tx<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
      if (inTx.getStore()?.open) return work(session); // nested: join the outer transaction
      while (busy) await busy; // checked again right before taking it: no await between the check and the take
      let release!: () => void;
      busy = new Promise<void>((resolve) => { release = resolve; });
      try {
        db.exec('BEGIN IMMEDIATE');
        const scope = { open: true };
        try {
          const result = await inTx.run(scope, () => work(session));
          scope.open = false;
          db.exec('COMMIT');
          return result;
        } catch (err) {
          scope.open = false;
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        busy = undefined;
        release();
      }
    },
    close() {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
