// `ruong start` on a new DATA_DIR: seeds the demo cooperative, runs the simulated farm, and every
// demo field shows latest readings in the API; SIGTERM shuts it down cleanly.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildPlatform, type ChildPlatform } from '../helpers/child-platform.js';
import { eventually, getJson, login } from '../helpers/platform.js';

describe('ruong start (demo)', () => {
  let p: ChildPlatform | undefined;
  afterAll(() => {
    if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    if (p) rmSync(p.dataDir, { recursive: true, force: true });
  });

  it('fills every demo field with readings from its simulated devices, then stops on SIGTERM', async () => {
    p = await startChildPlatform({ DEMO_PASSWORD: 'demo-start-test', SIM_SPEED: '600' });
    expect(p.output()).toMatch(/Demo logins: ky-thuat \(technician\), demo \(admin\)/);
    const token = await login(p.baseUrl, 'demo', 'demo-start-test');
    const { body } = await getJson<{ fields: { id: string }[] }>(p.baseUrl, '/api/v1/fields', token);
    expect(body.fields.map((f) => f.id).sort()).toEqual(['field-coffee-a', 'field-coffee-b', 'field-rice-1', 'field-rice-2']);
    for (const field of body.fields) {
      const readings = await eventually(async () => {
        const latest = await getJson<{ readings: { metric: string }[] }>(p!.baseUrl, `/api/v1/fields/${field.id}/latest`, token);
        return latest.body.readings.length > 0 ? latest.body.readings : undefined;
      }, 30_000, `readings in ${field.id}`);
      expect(readings.length).toBeGreaterThan(0);
    }
    const rice = await getJson<{ readings: { metric: string }[] }>(p.baseUrl, '/api/v1/fields/field-rice-1/latest', token);
    expect(rice.body.readings.map((r) => r.metric)).toEqual(expect.arrayContaining(['awd_level', 'water_ec', 'air_temperature']));
    const page = await fetch(p.baseUrl);
    expect(page.status).toBe(200);

    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
