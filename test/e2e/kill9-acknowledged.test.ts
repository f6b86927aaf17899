// "Nothing lost" in the embedded default (README, issue 14): `ruong start` with no Redis, SIGKILLed again and
// again while a device publishes QoS 1 readings. The oracle is the device: every reading whose PUBACK it
// received (and so deleted from its buffer) must be in the store after each kill — checked before the
// platform comes back — and at the end every reading is stored and the gaps endpoint reports none missing.
// KILL_ROUNDS sets the number of kills (default 5; the acceptance run used 20).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../core/registry/registry.js';
import { BufferingDevice, deadLetterReasons, missingFrom, pastStart, storedSeqs } from '../helpers/buffering-device.js';
import { startChildPlatform, type ChildPlatform } from '../helpers/child-platform.js';
import { eventually, getJson, login } from '../helpers/platform.js';

const ROUNDS = Number(process.env.KILL_ROUNDS ?? 5);
const WINDOW = 100;
/** 3,000 readings (the run), more for many kills so that every kill lands mid-run. */
const TOTAL = Math.max(3000, ROUNDS * 250);
const PASSWORD = 'demo-kill-test';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ruong start, SIGKILLed while a device publishes (no Redis)', () => {
  let p: ChildPlatform | undefined;
  let dataDir: string | undefined;
  afterAll(() => {
    if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses no acknowledged reading over ${ROUNDS} kills and reports no false gaps`, async () => {
    // Default settings: batching, acknowledgement and the per-device publish rate (the device replays its backlog
    // faster than that after each restart and is slowed, not cut off).
    const env = { DEMO_PASSWORD: PASSWORD, SIM: 'false' };
    p = await startChildPlatform(env);
    dataDir = p.dataDir;
    const registry = createRegistry(join(dataDir, 'registry.db'));
    const { secret } = await registry.provisionDevice({ id: 'dur-1', fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'durability' });
    await registry.close();
    const device = new BufferingDevice({ id: 'dur-1', secret, total: TOTAL, window: WINDOW, t0: pastStart(TOTAL) });

    const lostPerRound: number[] = [];
    for (let round = 0; round < ROUNDS && !device.done; round++) {
      await device.connect(p.mqttUrl);
      const before = device.acked.size;
      // Kill at a moment the device has had some PUBACKs this round (a different number each round).
      // A round advances at most share + WINDOW (PUBACKs already on their way): readings are left for every round.
      const share = Math.floor(TOTAL / (ROUNDS + 1)) - WINDOW;
      const target = before + Math.floor(share / 2) + Math.floor(Math.random() * (share / 2));
      await eventually(() => device.until(p!.mqttUrl, () => device.acked.size >= target), 30_000, 'PUBACKs').catch((err: unknown) => {
        throw new Error(`round ${round + 1}: ${String(err)}: ${device.describe()}\n${p!.output().slice(-3000)}`);
      });
      await sleep(Math.floor(Math.random() * 100));
      p.child.kill('SIGKILL');
      await p.exited;
      device.disconnect();
      const missing = missingFrom(storedSeqs(dataDir, 'dur-1'), device.acked);
      lostPerRound.push(missing.length);
      expect(missing, `round ${round + 1}: acknowledged to the device but not stored (dead letters: ${deadLetterReasons(dataDir, 'dur-1').slice(0, 3).join('; ')})`).toEqual([]);
      p = await startChildPlatform(env, dataDir);
    }
    expect(lostPerRound).toHaveLength(ROUNDS); // every round killed the platform mid-run

    // The device comes back and sends what it still holds; everything ends up stored, once.
    await device.connect(p.mqttUrl);
    await eventually(() => device.until(p!.mqttUrl, () => false), 60_000, 'every reading acknowledged').catch((err: unknown) => {
      throw new Error(`${String(err)}: ${device.describe()}\n${p!.output().slice(-3000)}`);
    });
    expect(missingFrom(storedSeqs(dataDir, 'dur-1'), device.acked)).toEqual([]);

    // Sequence truth survives the crashes: no gap that is not a real gap.
    const token = await login(p.baseUrl, 'demo', PASSWORD);
    const gaps = await eventually(async () => {
      const { status, body } = await getJson<{ missing: number }>(p!.baseUrl, '/api/v1/devices/dur-1/gaps', token);
      return status === 200 && body.missing === 0 ? body : undefined;
    }, 15_000, 'gaps endpoint to report 0 missing');
    expect(gaps.missing).toBe(0);
  }, 300_000);
});
