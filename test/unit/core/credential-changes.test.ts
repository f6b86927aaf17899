// The credential change feed (registry migration 7): every revocation and secret rotation, once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createRegistry, type Registry } from '../../../core/registry/registry.js';

let dir: string | undefined;
let registry: Registry | undefined;
afterEach(() => {
  registry?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('records each revocation and rotation once, after the point a watcher started from', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ruong-cred-'));
  registry = createRegistry(join(dir, 'registry.db'));
  const coop = registry.createCooperative({ id: 'c', name: 'C' });
  const field = registry.createField({ farmId: registry.createFarm({ cooperativeId: coop, name: 'F' }), name: 'F', crop: 'rice' });
  await registry.provisionDevice({ id: 'a', fieldId: field, kind: 'soil_probe', name: 'a' });
  await registry.provisionDevice({ id: 'b', fieldId: field, kind: 'soil_probe', name: 'b' });
  const start = registry.lastCredentialChange();
  await registry.rotateDeviceSecret('a');
  registry.revokeDevice('b');
  registry.revokeDevice('b'); // already revoked: no second change
  const changes = registry.credentialChangesAfter(start);
  expect(changes.map((c) => [c.deviceId, c.change])).toEqual([['a', 'rotated'], ['b', 'revoked']]);
  expect(registry.credentialChangesAfter(changes[0]!.seq).map((c) => c.deviceId)).toEqual(['b']);
  expect(registry.pruneCredentialChanges(Date.now() + 1)).toBe(2);
  expect(registry.credentialChangesAfter(0)).toEqual([]);
});
