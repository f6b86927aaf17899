// Every dead-letter reason the ingest can give is kept in the registry with its code, its reason, the
// device (when known) and the cooperative it belongs to — and counted by code. On both registry engines
// (PostgreSQL skipped only when it is not installed, as in test/unit/core/registry.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { createMetrics } from '../../../core/metrics.js';
import type { Registry } from '../../../core/registry/registry.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import { createIngestService, type IngestService } from '../../../ingest/ingest-service.js';
import { loadFixture } from '../../fixtures/interop/fixtures.js';
import { registryEngines } from '../../helpers/registry-engines.js';

const DAY = 86_400_000;
const now = Date.parse('2026-03-10T03:00:00Z');

const engines = registryEngines('dead_letters');

for (const engine of engines) describe.skipIf(engine.skip)(`ingest dead letters, registry on ${engine.name}`, () => {
  let dir: string;
  let registry: Registry;
  let ingest: IngestService;
  let metrics: ReturnType<typeof createMetrics>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruong-dead-letters-'));
    registry = await engine.open(dir);
    await registry.createCooperative({ id: 'coop-a', name: 'A' });
    await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'farm' });
    await registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'field', crop: 'rice' });
    await registry.provisionDevice({ id: 'probe-1', fieldId: 'field-a', kind: 'soil_probe', name: 'p', devEui: 'a84041000181c061' });
    await registry.provisionDevice({ id: 'probe-old', fieldId: 'field-a', kind: 'soil_probe', name: 'p' });
    await registry.revokeDevice('probe-old');
    metrics = createMetrics();
    const store = {} as ReadingStore; // never reached: every message below is rejected whole or value by value
    ingest = createIngestService({
      broker: { host: '127.0.0.1', port: 1, username: 'x', password: 'y' }, store, registry, metrics, log: silentLogger(),
      batchSize: 10, batchDelayMs: 10, spoolDir: join(dir, 'spool'), rawRetentionMs: 90 * DAY, now: () => now,
    });
  });
  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (topic: string, payload: unknown) => ingest.handle(topic, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)));

  it('keeps each reason with its device and cooperative, and counts it', async () => {
    const up = loadFixture('chirpstack-up-dragino-lse01');
    await send('devices/probe-1/telemetry', { readings: { battery: 1 } });
    await send('devices/probe-1/up', 'not json');
    await send('devices/probe-1/up', { ts: 'yesterday', readings: { battery: 1 } });
    await send('devices/ghost/up', { readings: { battery: 1 } });
    await send('devices/probe-old/up', { readings: { battery: 1 } });
    await send(up.topic.replace('a84041000181c061', '70b3d57ed0001234'), { ...(up.payload as object), deviceInfo: {} });
    await send('devices/probe-1/up', [
      { ts: now, readings: { soil_wetness: 20, soil_moisture: 75 } },
      { ts: now + 10 * 60_000, readings: { battery: 80 } },
      { ts: now - 91 * DAY, readings: { battery: 80 } },
    ]);
    await send('devices/probe-1/up', [{ bt: now / 1000, n: 'air_temperature', u: 'lx', v: 30 }]);

    // Dead letters are written without holding up the message's acknowledgement: wait until all 11 are kept.
    await vi.waitFor(async () => expect(await registry.deadLetterCount()).toBe(11), { timeout: 5000, interval: 10 });
    const letters = (await registry.deadLetters('coop-a', 100)).reverse();
    expect(letters.map((l) => [l.deviceId, l.code])).toEqual([
      ['probe-1', 'PAYLOAD_NOT_JSON'], ['probe-1', 'PAYLOAD_INVALID'], ['probe-old', 'DEVICE_REVOKED'],
      ['probe-1', 'METRIC_UNKNOWN'], ['probe-1', 'VALUE_OUT_OF_BOUNDS'], ['probe-1', 'TIMESTAMP_IN_FUTURE'], ['probe-1', 'TIMESTAMP_TOO_OLD'],
      ['probe-1', 'UNIT_INVALID'],
    ]);
    expect(letters[1]?.reason).toMatch(/native schema — ts/);
    expect(letters[4]?.payload).toBe(JSON.stringify({ ts: now, metric: 'soil_moisture', value: 75 }));
    // A topic naming no device and an unknown device belong to no cooperative: kept, counted, shown to no tenant.
    expect(await registry.deadLetterCount()).toBe(letters.length + 3);
    const text = await metrics.registry.metrics();
    for (const code of ['TOPIC_INVALID', 'DEVICE_UNKNOWN', 'UNIT_INVALID']) expect(text).toMatch(new RegExp(`ruong_dead_letters_total\\{code="${code}"\\} [12]`));
    expect(text).toMatch(/ruong_dead_letters_total\{code="DEVICE_UNKNOWN"\} 2/);
  });
});
