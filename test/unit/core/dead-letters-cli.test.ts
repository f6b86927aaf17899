// `ruong dead-letters`: the operator sees the uplinks of an unknown DevEUI (no cooperative to show them to),
// grouped with a count, and nothing of a cooperative's own dead letters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runDeadLetters } from '../../../cli/dead-letters.js';
import { loadConfig } from '../../../core/config.js';
import { createRegistry } from '../../../core/registry/registry.js';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

it('groups dead letters without a cooperative by topic and reason, newest first', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ruong-dl-'));
  const registry = createRegistry(join(dir, 'registry.db'));
  const topic = 'application/7/device/a84041000181c2f9/event/up';
  const unknown = { deviceId: undefined, cooperativeId: undefined, topic, code: 'DEVICE_UNKNOWN', reason: 'no device with DevEUI a84041000181c2f9', payload: undefined };
  await registry.addDeadLetter(unknown, 1_000);
  await registry.addDeadLetter(unknown, 2_000);
  await registry.addDeadLetter({ ...unknown, topic: 'devices/ghost/up', reason: 'no device ghost' }, 500);
  await registry.addDeadLetter({ ...unknown, cooperativeId: 'coop-demo', topic: 'devices/mine/up', code: 'VALUE_OUT_OF_RANGE', reason: 'mine' }, 3_000);
  await registry.close();

  const lines: string[] = [];
  expect(await runDeadLetters(loadConfig({ DATA_DIR: dir }), [], (l) => lines.push(l))).toBe(0);
  const rows = lines.filter((l) => /^\d{4}-/.test(l));
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatch(/1970-01-01T00:00:02\.000Z\s+2\s+DEVICE_UNKNOWN\s+application\/7\/device\/a84041000181c2f9\/event\/up — no device with DevEUI/);
  expect(rows[1]).toContain('devices/ghost/up');
  expect(lines.join('\n')).not.toContain('mine');
  expect(await runDeadLetters(loadConfig({ DATA_DIR: dir }), ['--limit', '0'], () => undefined)).toBe(2);
});
