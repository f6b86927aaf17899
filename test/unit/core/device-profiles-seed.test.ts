// The shipped device profiles are written at every registry open without the zod schema (core/registry/device-profiles.ts
// seedProfileRow, issue 19: zod off `ruong broker`'s start path): each must already be the row the schema gives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { profileRow, seedProfileRow } from '../../../core/registry/device-profiles.js';
import { createRegistry } from '../../../core/registry/registry.js';
import { seedProfiles } from '../../../core/registry/seed-profiles.js';

describe('shipped device profiles', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('are written as the schema would write them', async () => {
    expect(seedProfiles.length).toBeGreaterThan(0);
    for (const p of seedProfiles) expect(seedProfileRow(p, 1234)).toEqual((await profileRow(p, true, 1234)).params);
  });

  it('read back through the schema from a new registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ruong-seed-'));
    dirs.push(dir);
    const registry = createRegistry(join(dir, 'registry.db'));
    try {
      expect((await registry.deviceProfiles()).filter((p) => seedProfiles.some((s) => s.id === p.id))).toEqual([...seedProfiles].sort((a, b) => a.id.localeCompare(b.id)));
    } finally {
      await registry.close();
    }
  });
});
