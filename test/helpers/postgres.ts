// Starts a private PostgreSQL cluster (Debian's `postgresql` package: /usr/lib/postgresql/<major>/bin) for the test
// run: initdb into a temporary directory, trust authentication, no fsync, a free loopback port, the socket in the
// same directory. Without the binaries the PostgreSQL suites are skipped, unless REQUIRE_POSTGRES=1 (CI), where a
// missing binary fails the run.
// Facts this relies on (PostgreSQL 15 on Debian, checked on this machine):
// - initdb and postgres refuse to run as root ("cannot be run as root"): as root, the cluster runs as the
//   `postgres` system user (spawn's uid/gid, so the spawned pid is the postmaster itself) in a directory it owns.
// - SIGQUIT is "immediate shutdown": the postmaster stops its backends and removes its shared memory; SIGKILL
//   would leave the backends and a System V segment behind.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './influxd.js';

const superuser = 'postgres';
const readyTimeoutMs = 30_000;
const stopGraceMs = 5_000;
const stderrKeep = 8_000;

/** The directory of initdb/postgres: $POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  if (process.env.POSTGRES_BIN_DIR) return process.env.POSTGRES_BIN_DIR;
  let majors: string[] = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  } catch { /* not installed */ }
  return `/usr/lib/postgresql/${majors[0] ?? '15'}/bin`;
}

/** True when initdb and postgres are there; with REQUIRE_POSTGRES=1 a missing binary throws instead. */
export function postgresAvailable(): boolean {
  try {
    for (const bin of ['initdb', 'postgres']) accessSync(join(postgresBinDir(), bin), constants.X_OK);
    return true;
  } catch {
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`REQUIRE_POSTGRES=1 but initdb/postgres were not found in ${postgresBinDir()}; apt-get install -y postgresql`);
    }
    return false;
  }
}

export interface PostgresServer {
  /** URL of the cluster's `postgres` database as the superuser (trust authentication, no password). */
  readonly url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Creates an empty database `name` (lower-case letters, digits, _) on the cluster of `url`; returns its URL. */
export async function createPostgresDatabase(url: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return dbUrl.toString();
}

interface RunAs {
  uid: number;
  gid: number;
}

/** As root: the `postgres` system user's ids; otherwise undefined (run as the current user). */
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, superuser], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function run(bin: string, args: string[], as: RunAs | undefined, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' }, ...as });
    let output = '';
    const keep = (d: Buffer): void => { output = (output + d.toString()).slice(-stderrKeep); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited with ${code}: ${output}`))));
  });
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function startOnce(dir: string, as: RunAs | undefined): Promise<PostgresServer> {
  const data = join(dir, 'data');
  const port = await freePort();
  const child: ChildProcess = spawn(join(postgresBinDir(), 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=200',
  ], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' }, ...as });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-stderrKeep); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const onExit = (): void => {
    if (running()) child.kill('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stopServer = async (): Promise<void> => {
    if (running()) {
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(timer);
    }
  };
  const url = `postgresql://${superuser}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!running()) {
      process.removeListener('exit', onExit);
      throw new Error(`postgres exited: ${stderr}`);
    }
    if (await accepts(url)) break;
    if (Date.now() > deadline) {
      process.removeListener('exit', onExit);
      await stopServer();
      throw new Error(`postgres did not accept connections within ${readyTimeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    createDatabase: (name) => createPostgresDatabase(url, name),
    async stop() {
      process.removeListener('exit', onExit);
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * initdb + postgres on a free port; resolves once it accepts connections. Retries with a new port if the one
 * picked was taken before postgres bound it.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ruong-pg-'));
  try {
    const as = runAs();
    if (as) chownSync(dir, as.uid, as.gid);
    await run(join(postgresBinDir(), 'initdb'), [
      '-D', join(dir, 'data'), '-U', superuser, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ], as, dir);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await startOnce(dir, as);
      } catch (err) {
        lastError = err;
        if (!(err instanceof Error && /could not bind|address already in use/i.test(err.message))) break;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
