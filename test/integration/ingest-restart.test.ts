// The ingest killed (-9) mid-stream and started again, as its own process (`ruong ingest`) beside a
// `ruong broker`: messages it had not acknowledged stay queued in the broker's session for it (QoS 1,
// clean = false) and come again; what it had stored is re-written idempotently. Counting by the device's
// sequence numbers, every reading is stored exactly once — and the device's sequence state, stored with the
// readings (issue 14), shows no gap: nothing the killed ingest had stored is reported missing.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../core/registry/registry.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import { freePort } from '../helpers/influxd.js';
import { connectDevice, eventually } from '../helpers/platform.js';

const TOTAL = 1500;
const children: ChildProcess[] = [];
/** What each child printed (LOG_LEVEL=warn), shown when the test fails. */
const outputs: string[] = [];

function ruong(command: string, env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', command], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const k = outputs.push('') - 1;
  const keep = (d: Buffer) => { out += d.toString(); outputs[k] = `ruong ${command} (pid ${child.pid ?? '?'}):\n${out.slice(-4000)}`; };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return eventually(() => {
    if (child.exitCode !== null) return Promise.reject(new Error(`ruong ${command} exited:\n${out}`));
    return Promise.resolve(out.includes(ready) ? child : undefined);
  }, 30_000, `ruong ${command} to start`);
}

async function kill9(child: ChildProcess): Promise<void> {
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

function storedSeqs(dataDir: string): { seq: number; n: number }[] {
  const db = new Database(join(dataDir, 'readings.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT seq, count(*) AS n FROM readings WHERE device_id = 'probe-restart' AND metric = 'battery' GROUP BY seq ORDER BY seq").all() as { seq: number; n: number }[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

describe('the ingest killed mid-stream and restarted', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ruong-ingest-restart-'));
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every reading exactly once', async () => {
    const registry = createRegistry(join(dataDir, 'registry.db'));
    await registry.createCooperative({ id: 'coop-r', name: 'HTX restart' });
    await registry.createFarm({ id: 'farm-r', cooperativeId: 'coop-r', name: 'farm' });
    await registry.createField({ id: 'field-r', farmId: 'farm-r', name: 'field', crop: 'rice' });
    const { secret } = await registry.provisionDevice({ id: 'probe-restart', fieldId: 'field-r', kind: 'soil_probe', name: 'restart test' });
    await registry.close();

    const port = await freePort();
    const env = { DATA_DIR: dataDir, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), MQTT_WS_PORT: '0', MQTT_PUBLISH_RATE: '0', INGEST_BATCH_MS: '20', DEMO: 'false' };
    await ruong('broker', env, 'Ruộng broker is running');
    let ingest = await ruong('ingest', env, 'Ruộng ingest is running');

    const device = await connectDevice(`mqtt://127.0.0.1:${port}`, 'probe-restart', secret);
    const t0 = Date.now() - 3_600_000;
    const acks: Promise<unknown>[] = [];
    for (let seq = 1; seq <= TOTAL; seq++) {
      acks.push(device.publishAsync('devices/probe-restart/up', JSON.stringify({ ts: t0 + seq * 1000, seq, readings: { battery: seq % 100, 'soil_moisture@20cm': 25 } }), { qos: 1 }));
      if (seq % 100 === 0) await new Promise((r) => setTimeout(r, 10));
      if (seq === TOTAL / 3) {
        await eventually(() => Promise.resolve(storedSeqs(dataDir).length > 0 ? true : undefined), 20_000, 'the first readings stored');
        await kill9(ingest); // mid-stream: some messages stored but not yet acknowledged, some not yet read
        ingest = await ruong('ingest', env, 'Ruộng ingest is running');
      }
    }
    await Promise.all(acks);
    const rows = await eventually(() => {
      const r = storedSeqs(dataDir);
      return Promise.resolve(r.length >= TOTAL ? r : undefined);
    }, 30_000, 'every reading stored').catch(async (err: unknown) => {
      // Every PUBACK came, so every reading should be stored: say which are not, and what the processes said.
      const have = new Set(storedSeqs(dataDir).map((r) => r.seq));
      const missing = Array.from({ length: TOTAL }, (_, i) => i + 1).filter((seq) => !have.has(seq));
      const check = createRegistry(join(dataDir, 'registry.db'));
      const dead = await check.deadLetters('coop-r', 20);
      await check.close();
      throw new Error(`${(err as Error).message}: ${missing.length} missing (first ${missing.slice(0, 20).join(', ')}); dead letters ${JSON.stringify(dead.map((d) => [d.code, d.reason]))}\n${outputs.join('\n')}`);
    });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const store = createSqliteStore({ path: join(dataDir, 'readings.db') });
    await store.setup();
    const state = (await store.sequenceStates(['probe-restart'])).get('probe-restart');
    await store.close();
    // No gap is left open. A restarted ingest may get live messages before the broker's redelivered backlog, so a
    // gap can open for a moment; every one of them must have been filled by a late arrival, none invented.
    expect(state).toMatchObject({ nextSeq: TOTAL + 1, missing: [], missingCount: 0 });
    expect(state!.filledTotal).toBe(state!.gapsTotal);
    await device.endAsync();
  }, 90_000);
});
