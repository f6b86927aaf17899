// One broker under test, in its own process so its CPU time and memory are its own (bench/broker/run.ts
// forks it). Modes:
//   aedes           stock Aedes 1.2 with its defaults (mqemitter 7.1, aedes-persistence 11 memory), no hooks
//   aedes-mq        stock Aedes with broker/emitter.ts as `mq`, no hooks
//   aedes-mq-store  stock Aedes with broker/emitter.ts and broker/memory-persistence.ts, no hooks
//   ours            createBrokerService (both of the above, our hooks and connection guard), anonymous allowed
//   ours-auth      createBrokerService against a real registry: device credentials, stored as provisioning stores them
//                  (salted SHA-256, core/registry/secrets.ts hashGeneratedSecret), verified at each device's first login
// Protocol (IPC): → {type:'ready', port}; ← {type:'gc'} → {type:'gc-done'};
// ← {type:'snapshot', path?} → {type:'snapshot-done', memory} (full GC, a V8 heap snapshot when a path is given,
// process.memoryUsage()). Stopped by SIGTERM.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import type { BrokerAuth } from '../../broker/broker-service.js';
import { createEmitter } from '../../broker/emitter.js';
import { createMemoryPersistence } from '../../broker/memory-persistence.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createRegistry } from '../../core/registry/registry.js';
import { hashGeneratedSecret } from '../../core/registry/secrets.js';
import { BENCH_INGEST_SECRET, BENCH_SECRET, benchDeviceId } from './brokers.js';


type Mode = 'aedes' | 'aedes-mq' | 'aedes-mq-store' | 'ours' | 'ours-auth';

// Aedes and our broker are imported only in their own modes: broker-service.ts changes how mqtt-packet loads
// (broker/quiet-packet-debug.ts), which the stock Aedes modes must not get.
async function startAedes(mode: 'aedes' | 'aedes-mq' | 'aedes-mq-store'): Promise<{ port: number; stop(): Promise<void> }> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    // BENCH_EMITTER_CONCURRENCY: try other bounds than the default (bench only).
    ...(mode !== 'aedes' ? { mq: createEmitter({ concurrency: Number(process.env.BENCH_EMITTER_CONCURRENCY) || undefined }) } : {}),
    ...(mode === 'aedes-mq-store' ? { persistence: createMemoryPersistence() } : {}),
  });
  const server = createServer((socket) => {
    if (process.env.BENCH_COALESCE_WRITES === '1') coalesceWrites(socket);
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => { server.close(); broker.close(() => resolve()); }),
  };
}

/**
 * Experiment (BENCH_COALESCE_WRITES=1, aedes modes): hold the socket corked from its first write in an
 * event-loop turn until the next check phase, so the packets of one turn leave in one writev syscall.
 */
function coalesceWrites(socket: Socket): void {
  let corked = false;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => { corked = false; socket.uncork(); });
    }
    return write(...args);
  });
}

/** A registry in a temp dir holding `devices` bench devices, all with one secret hashed like provisioning does (hashed once, inserted in one transaction). */
async function benchRegistry(devices: number): Promise<{ auth: BrokerAuth; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-broker-'));
  const registry = createRegistry(join(dir, 'registry.db'));
  const coop = await registry.createCooperative({ name: 'Bench' });
  const farm = await registry.createFarm({ cooperativeId: coop, name: 'Bench farm' });
  const field = await registry.createField({ farmId: farm, name: 'Bench field', crop: 'rice' });
  await registry.setServiceSecret('ruong-ingest', BENCH_INGEST_SECRET);
  const hash = hashGeneratedSecret(BENCH_SECRET);
  const db = new Database(join(dir, 'registry.db'));
  const insert = db.prepare('INSERT INTO devices (id, field_id, kind, name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => { for (let i = 0; i < devices; i++) insert.run(benchDeviceId(i), field, 'soil', benchDeviceId(i), hash, Date.now()); })();
  db.close();
  return { auth: registry, cleanup: async () => { await registry.close(); rmSync(dir, { recursive: true, force: true }); } };
}

async function startOurs(mode: 'ours' | 'ours-auth', devices: number): Promise<{ port: number; stop(): Promise<void> }> {
  const { createBrokerService } = await import('../../broker/broker-service.js');
  const denyAll: BrokerAuth = { verifyDevice: () => Promise.resolve(false), verifyService: () => Promise.resolve(false) };
  const reg = mode === 'ours-auth' ? await benchRegistry(devices) : undefined;
  const service = createBrokerService({
    auth: reg?.auth ?? denyAll, log: silentLogger(), metrics: createMetrics(), host: '127.0.0.1', port: 0,
    allowAnonymous: mode === 'ours',
  });
  await service.start();
  return { port: service.addresses().tcp, stop: async () => { await service.stop(); await reg?.cleanup(); } };
}

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'ours') as Mode;
  const devices = Number(process.argv[3] ?? 0);
  const broker = mode === 'ours' || mode === 'ours-auth' ? await startOurs(mode, devices) : await startAedes(mode);
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (msg: { type: string; path?: string }) => {
    if (msg.type === 'gc') {
      gc?.();
      process.send?.({ type: 'gc-done' });
    } else if (msg.type === 'snapshot') {
      gc?.();
      if (msg.path) {
        writeHeapSnapshot(msg.path);
        gc?.();
      }
      process.send?.({ type: 'snapshot-done', memory: process.memoryUsage(), spaces: getHeapSpaceStatistics() });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0)); // exit (not die) so --cpu-prof can write its profile
  process.send?.({ type: 'ready', port: broker.port });
}

await main();
