// The ReadingStore contract against a real influxd (started once per run by test/helpers/global-setup.ts).
// Skipped only when influxd is not installed and REQUIRE_INFLUX is not set; CI sets it, so CI cannot skip.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { isRuongError } from '../../core/errors.js';
import { createInfluxStore } from '../../core/store/influx-store.js';
import { freePort } from '../helpers/influxd.js';
import { readingStoreContract } from './reading-store.contract.js';

const influxUrl = inject('influxUrl');

describe.skipIf(influxUrl === '')('InfluxStore', () => {
  // A fresh database per store: every test starts empty.
  readingStoreContract('InfluxStore', () =>
    Promise.resolve(createInfluxStore({ url: `${influxUrl}/ruong_test_${randomUUID().replace(/-/g, '')}` })),
  );

  it('has kind "influx"', () => {
    expect(createInfluxStore({ url: `${influxUrl}/ruong` }).kind).toBe('influx');
  });

  it('reports an unreachable server as STORE_UNAVAILABLE and ping() false, without throwing', async () => {
    const store = createInfluxStore({ url: `http://127.0.0.1:${await freePort()}/ruong`, timeoutMs: 2_000 });
    expect(await store.ping()).toBe(false);
    const reading = { deviceId: 'd', metric: 'm', ts: 0, value: 1, fieldId: 'f', farmId: 'fa', cooperativeId: 'c' };
    for (const op of [() => store.setup(), () => store.write([reading]), () => store.latest({ cooperativeId: 'c' })]) {
      const err: unknown = await op().then(() => undefined, (e: unknown) => e);
      expect(isRuongError(err) && err.code).toBe('STORE_UNAVAILABLE');
    }
    await store.close();
  });

  it('keeps raw readings in a retention policy of the raw retention (the default) and rollups in an infinite one', async () => {
    const url = `${influxUrl}/ruong_test_${randomUUID().replace(/-/g, '')}`;
    const policies = async () => {
      const res = await fetch(`${influxUrl}/query`, { method: 'POST', body: new URLSearchParams({ q: `SHOW RETENTION POLICIES ON "${new URL(url).pathname.slice(1)}"` }) });
      const json = (await res.json()) as { results: { series: { values: [string, string, string, number, boolean][] }[] }[] };
      return Object.fromEntries(json.results[0]!.series[0]!.values.map((v) => [v[0], { duration: v[1], default: v[4] }]));
    };
    const store = createInfluxStore({ url, rawRetentionMs: 2 * 86_400_000 });
    await store.setup();
    expect(await policies()).toMatchObject({ ruong_raw: { duration: '48h0m0s', default: true }, ruong_rollups: { duration: '0s', default: false } });
    const now = Date.now();
    const reading = { deviceId: 'd', metric: 'battery', value: 50, fieldId: 'f', farmId: 'fa', cooperativeId: 'c' };
    // Older than the policy: InfluxDB drops it (that is what retention means) and the write still succeeds.
    await store.write([{ ...reading, ts: now - 3 * 86_400_000 }, { ...reading, ts: now - 60_000 }]);
    expect(await store.query({ cooperativeId: 'c', metric: 'battery', from: now - 4 * 86_400_000, to: now })).toEqual([{ deviceId: 'd', ts: now - 60_000, value: 50 }]);
    await store.close();
    const longer = createInfluxStore({ url, rawRetentionMs: 90 * 86_400_000 });
    await longer.setup(); // a changed RAW_RETENTION_DAYS alters the policy
    expect((await policies()).ruong_raw).toEqual({ duration: '2160h0m0s', default: true });
    await longer.close();
  });

  it('refuses tag values line protocol 1.x cannot carry, before writing anything', async () => {
    const store = createInfluxStore({ url: `${influxUrl}/ruong_test_${randomUUID().replace(/-/g, '')}` });
    await store.setup();
    const ok = { deviceId: 'ok', metric: 'm', ts: 1000, value: 1, fieldId: 'f', farmId: 'fa', cooperativeId: 'c' };
    await expect(store.write([ok, { ...ok, deviceId: 'ends-with\\' }])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(store.write([ok, { ...ok, deviceId: 'two\nlines' }])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await store.latest({ cooperativeId: 'c' })).toEqual([]);
    await store.close();
  });
});
