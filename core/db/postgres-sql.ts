// The PostgreSQL engine of core/db/sql.ts: `pg` (8.x) with a pool. Statements are written once for both engines
// (the rules in core/db/sql.ts); this engine numbers the `?` placeholders $1, $2, … and reads int8 (BIGINT,
// count(*)) and numeric (sum of BIGINT, avg) results as JS numbers, the way SQLite returns them.
// A transaction holds one pooled client from BEGIN ISOLATION LEVEL SERIALIZABLE to COMMIT. Statements from the
// transaction's own async context (AsyncLocalStorage) run on that client; statements from other async work use
// the pool and see only committed rows. A serialization failure (SQLSTATE 40001 serialization_failure,
// 40P01 deadlock_detected — PostgreSQL "Transaction Isolation", 13.2.3: "applications using this level must be
// prepared to retry transactions due to serialization failures") runs the whole callback again, up to 5 times.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { bindable, type RunResult, type Sql, type SqlParams, type SqlSession } from './sql.js';

export interface PostgresSqlOptions {
  /** Most connections the pool opens (pg's default: 10). */
  max?: number;
  /** `application_name` of the connections, shown in pg_stat_activity. */
  applicationName?: string;
  /** Told about errors of idle pooled connections (the pool drops the connection and goes on). */
  onIdleError?: (err: Error) => void;
}

export interface PostgresSql extends Sql {
  readonly dialect: 'postgres';
  /** The pool, for tests of the engine itself. */
  readonly pool: pg.Pool;
}

/** Retries of a transaction after a serialization failure or a deadlock (so at most 6 runs of `work`). */
export const maxTxRetries = 5;
const retryableCodes = new Set(['40001', '40P01']);

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** int8 and numeric text as a JS number; an integer beyond 2^53 as a bigint rather than a rounded number. */
function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

// Per-pool type parsers: pg's global parsers (pg.types) stay as they are for other users of `pg`.
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((text: string) => unknown) => {
    if (format !== 'binary') {
      if (oid === INT8_OID) return parseInt8;
      if (oid === NUMERIC_OID) return Number;
    }
    return pg.types.getTypeParser(oid, format) as (text: string) => unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

const translations = new Map<string, string>();
const maxCachedTranslations = 2000;

/**
 * `?` → `$1…$n`, left to right. A `?` inside a single-quoted string (E'…' too), a double-quoted name, a dollar-quoted
 * string ($$…$$, $tag$…$tag$) or a comment is not a placeholder. Cached per query text.
 */
export function numberPlaceholders(query: string): string {
  const cached = translations.get(query);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  let i = 0;
  const len = query.length;
  while (i < len) {
    const c = query[i]!;
    if (c === '?') {
      out += `$${++n}`;
      i++;
      continue;
    }
    let end = i + 1;
    if (c === "'" && /(?:^|[^A-Za-z0-9_$])[Ee]$/.test(query.slice(Math.max(0, i - 2), i))) {
      // E'…' escape string: a backslash escapes the next character, \' included
      end = i + 1;
      while (end < len && query[end] !== "'") end += query[end] === '\\' ? 2 : 1;
      end = Math.min(len, end + 1);
    } else if (c === "'" || c === '"') {
      // '' inside a string (and "" inside a name) closes and reopens: the next iteration reads it as a new quote
      const close = query.indexOf(c, i + 1);
      end = close < 0 ? len : close + 1;
    } else if (c === '-' && query[i + 1] === '-') {
      const close = query.indexOf('\n', i + 2);
      end = close < 0 ? len : close + 1;
    } else if (c === '/' && query[i + 1] === '*') {
      const close = query.indexOf('*/', i + 2);
      end = close < 0 ? len : close + 2;
    } else if (c === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(query.slice(i));
      // `$` after an identifier character is part of the identifier, not a dollar quote
      if (tag && !(i > 0 && /[A-Za-z0-9_]/.test(query[i - 1]!))) {
        const close = query.indexOf(tag[0], i + tag[0].length);
        end = close < 0 ? len : close + tag[0].length;
      }
    }
    out += query.slice(i, end);
    i = end;
  }
  if (translations.size >= maxCachedTranslations) translations.clear(); // queries built per call (IN (?, ?, …))
  translations.set(query, out);
  return out;
}

interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

interface TxState {
  readonly client: pg.PoolClient;
  done: boolean;
}

function lastResult(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  // A parameterless query text with several statements is sent with the simple protocol: one result each.
  return Array.isArray(result) ? (result[result.length - 1] as pg.QueryResult) : result;
}

function sqlstate(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

export function openPostgresSql(url: string, opts: PostgresSqlOptions = {}): PostgresSql {
  const pool = new pg.Pool({
    connectionString: url,
    types: typeParsers,
    ...(opts.max !== undefined ? { max: opts.max } : {}),
    ...(opts.applicationName !== undefined ? { application_name: opts.applicationName } : {}),
  });
  // An idle client's error (the server restarted, a connection was terminated) is emitted on the pool; without a
  // listener it would crash the process. The pool has already dropped that client.
  pool.on('error', (err) => opts.onIdleError?.(err));

  const inTx = new AsyncLocalStorage<TxState>();

  /** The open transaction's client when called from its async context, else the pool. */
  const target = (): Queryable => {
    const state = inTx.getStore();
    return state && !state.done ? state.client : pool;
  };
  const exec = async (on: Queryable, query: string, params?: SqlParams): Promise<pg.QueryResult> =>
    lastResult(await on.query({ text: numberPlaceholders(query), values: bindable(params) }) as pg.QueryResult | pg.QueryResult[]);

  const sessionOn = (on: () => Queryable): SqlSession => ({
    dialect: 'postgres',
    async all<T>(query: string, params?: SqlParams): Promise<T[]> {
      return (await exec(on(), query, params)).rows as T[];
    },
    async one<T>(query: string, params?: SqlParams): Promise<T | undefined> {
      return (await exec(on(), query, params)).rows[0] as T | undefined;
    },
    async run(query: string, params?: SqlParams): Promise<RunResult> {
      return { changes: (await exec(on(), query, params)).rowCount ?? 0 };
    },
  });
  const session = sessionOn(target);

  const attempt = async <T>(work: (tx: SqlSession) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A checked-out client has no pool listener: its connection errors reach the running query (or the next one).
    const onClientError = (): void => {};
    client.on('error', onClientError);
    const state: TxState = { client, done: false };
    // The session handed to `work` stays on this client while the transaction is open (then on the pool, as
    // sqlite-sql.ts's does: a statement after the end runs on its own).
    const txSession = sessionOn(() => (state.done ? pool : client));
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE').catch((err: unknown) => {
        broken = err instanceof Error ? err : new Error(String(err));
        throw err;
      });
      try {
        const result = await inTx.run(state, () => work(txSession));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        });
        throw err;
      }
    } finally {
      state.done = true;
      client.removeListener('error', onClientError);
      client.release(broken); // a client whose ROLLBACK failed is closed, not reused
    }
  };

  return {
    ...session,
    dialect: 'postgres',
    pool,
    async tx<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
      const outer = inTx.getStore();
      if (outer && !outer.done) return work(session); // nested: join the outer transaction
      for (let retry = 0; ; retry++) {
        try {
          return await attempt(work);
        } catch (err) {
          if (retry >= maxTxRetries || !retryableCodes.has(sqlstate(err) as string)) throw err;
          await new Promise((r) => setTimeout(r, Math.random() * 10 * (retry + 1) + 2));
        }
      }
    },
    async close() {
      if (!pool.ended && !pool.ending) await pool.end();
    },
  };
}
