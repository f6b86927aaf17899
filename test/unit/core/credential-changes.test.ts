// The credential change feed (registry migration 7): every revocation and secret rotation, once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createRegistry, type Registry } from '../../../core/registry/registry.js';

let dir: string | undefined;
let registry: Registry | undefined;
afterEach(async () => {
  await registry?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('records each revocation and rotation once, after the point a watcher started from', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ruong-cred-'));
  registry = createRegistry(join(dir, 'registry.db'));
  const coop = await registry.createCooperative({ id: 'c', name: 'C' });
  const field = await registry.createField({ farmId: await registry.createFarm({ cooperativeId: coop, name: 'F' }), name: 'F', crop: 'rice' });
  await registry.provisionDevice({ id: 'a', fieldId: field, kind: 'soil_probe', name: 'a' });
  await registry.provisionDevice({ id: 'b', fieldId: field, kind: 'soil_probe', name: 'b' });
  const start = await registry.lastCredentialChange();
  await registry.rotateDeviceSecret('a');
  await registry.revokeDevice('b');
  await registry.revokeDevice('b'); // already revoked: no second change
  const changes = await registry.credentialChangesAfter(start);
  expect(changes.map((c) => [c.deviceId, c.change])).toEqual([['a', 'rotated'], ['b', 'revoked']]);
  expect((await registry.credentialChangesAfter(changes[0]!.seq)).map((c) => c.deviceId)).toEqual(['b']);
  expect(await registry.pruneCredentialChanges(Date.now() + 1)).toBe(2);
  expect(await registry.credentialChangesAfter(0)).toEqual([]);
});
