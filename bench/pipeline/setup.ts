// The benchmark's registry: one cooperative, farm and field holding N devices (inserted in one transaction:
// provisioning 10,000 devices through scrypt would take minutes), and the spawning of the child processes.
import Database from 'better-sqlite3';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createRegistry } from '../../core/registry/registry.js';

export const BENCH_SECRET = 'bench-device-secret';
export const BENCH_INGEST_SECRET = 'bench-ingest-secret';
export const benchDeviceId = (i: number) => `pipe-${String(i).padStart(5, '0')}`;

export async function createBenchRegistry(dir: string, devices: number): Promise<void> {
  const registry = createRegistry(join(dir, 'registry.db'));
  const coop = await registry.createCooperative({ id: 'coop-bench', name: 'Bench' });
  const farm = await registry.createFarm({ id: 'farm-bench', cooperativeId: coop, name: 'Bench farm' });
  const field = await registry.createField({ id: 'field-bench', farmId: farm, name: 'Bench field', crop: 'rice' });
  await registry.close();
  const db = new Database(join(dir, 'registry.db'));
  const insert = db.prepare('INSERT OR IGNORE INTO devices (id, field_id, kind, name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => { for (let i = 0; i < devices; i++) insert.run(benchDeviceId(i), field, 'soil_probe', benchDeviceId(i), 'bench', Date.now()); })();
  db.close();
}

export interface ChildStats { cpuUs: number; stored: number; received: number; acked: number; duplicates: number; rssMb: number }

export interface Child {
  readonly proc: ChildProcess;
  readonly port: number | undefined;
  stats(): Promise<ChildStats>;
  stop(): Promise<void>;
}

export function startChild(role: 'broker' | 'ingest', env: Record<string, string>): Promise<Child> {
  const proc = fork(join(import.meta.dirname, 'child.ts'), [role], {
    // BENCH_CPU_PROF=dir writes a V8 CPU profile of each child there (node --cpu-prof) when it stops.
    // BENCH_NODE_FLAGS: node flags of both children; BENCH_NODE_FLAGS_BROKER / _INGEST: of one of them (in the
    // bench's environment, or a variant's: `--variant semi64:BENCH_NODE_FLAGS_BROKER=--max-semi-space-size=64`).
    execArgv: ['--import', 'tsx', ...`${process.env.BENCH_NODE_FLAGS ?? ''} ${process.env[`BENCH_NODE_FLAGS_${role.toUpperCase()}`] ?? ''} ${env[`BENCH_NODE_FLAGS_${role.toUpperCase()}`] ?? ''}`.split(' ').filter(Boolean), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${role}`] : [])], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`bench ${role} exited (${code}) before it was ready`)));
    proc.once('message', (m: { type: string; port?: number }) => {
      if (m.type !== 'ready') return;
      resolve({
        proc,
        port: m.port,
        stats: () => new Promise((res) => {
          const on = (x: { type: string } & ChildStats) => { if (x.type === 'stats') { proc.off('message', on); res(x); } };
          proc.on('message', on);
          proc.send({ type: 'stats' });
        }),
        stop: () => new Promise((res) => {
          if (proc.exitCode !== null) { res(); return; }
          proc.removeAllListeners('exit');
          proc.once('exit', () => res());
          proc.kill('SIGTERM');
        }),
      });
    });
  });
}
