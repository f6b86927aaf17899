// Irrigation events derived from pump and valve telemetry (issue 17, rules/irrigation-from-telemetry.ts): one event
// per run (state 1 → 0) with the flow meter's volume (Σ flow_l / 1000 m³) or the run's hours × the field's pump flow,
// recorded once (externalId `${deviceId}:${runStartTs}`) — whatever order the readings arrive in, across a restart,
// and when a device replays its buffer after hours offline. A real SQLite store and registry; the readings reach
// the module the way the ingest hands them to the rules (stored, then published as a batch).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { createRegistry, type Registry } from '../../../core/registry/registry.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import { createSqliteStore } from '../../../core/store/sqlite-store.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { irrigationSink, wireIrrigationFromTelemetry } from '../../../cli/irrigation-telemetry-wiring.js';
import { createIrrigationFromTelemetry, runsOf } from '../../../rules/irrigation-from-telemetry.js';
import type { ReadingSource } from '../../../rules/reading-source.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 2, 2, 0); // 07:00 local

const pts = (xs: [number, number][]) => xs.map(([m, value]) => ({ ts: T0 + m * MIN, value }));

describe('runsOf: runs in a controller\'s reports', () => {
  it('a run from its first 1 to its first 0, the litres of its reports; one open at the end; one whose start is unknown skipped', () => {
    const states = pts([[0, 1], [10, 0], [20, 0], [25, 1], [30, 1], [40, 1], [45, 0], [50, 0], [60, 1], [70, 1]]);
    const flows = pts([[0, 500], [10, 300], [20, 0], [25, 0], [30, 1000], [40, 2000], [45, 1000], [50, 0], [60, 0], [70, 2000]]);
    expect(runsOf(states, flows)).toEqual([
      { startTs: T0 + 25 * MIN, endTs: T0 + 45 * MIN, litres: 4000, complete: true },
      { startTs: T0 + 60 * MIN, endTs: undefined, litres: 2000, complete: true },
    ]);
  });

  it('a report interval missing inside a run leaves it incomplete', () => {
    const states = pts([[0, 0], [10, 0], [20, 0], [30, 1], [40, 1], [80, 1], [90, 0], [100, 0]]);
    const [run] = runsOf(states, []);
    expect(run).toMatchObject({ startTs: T0 + 30 * MIN, endTs: T0 + 90 * MIN, complete: false });
    expect(runsOf(pts([[0, 0], [10, 0], [20, 0], [30, 1], [40, 1], [50, 1], [60, 1], [70, 1], [80, 1], [90, 0]]), [])[0]?.complete).toBe(true);
  });
});

describe('irrigation events from telemetry', () => {
  let dir: string;
  let registry: Registry;
  let store: ReadingStore;
  let listeners: Set<(b: readonly StoredReading[]) => void>;
  let source: ReadingSource;
  let now: number;
  const coop = { cooperativeId: 'coop-a', role: 'technician' as const, farmIds: [] };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruong-irr-tel-'));
    registry = createRegistry(join(dir, 'registry.db'));
    await registry.createCooperative({ id: 'coop-a', name: 'A' });
    await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Farm A' });
    await registry.createField({ id: 'coffee', farmId: 'farm-a', name: 'Lô A', crop: 'coffee', areaHa: 1.2, pumpFlowM3h: 18 });
    await registry.createField({ id: 'rice', farmId: 'farm-a', name: 'Ruộng 1', crop: 'rice', areaHa: 2, pumpFlowM3h: 120 });
    await registry.provisionDevice({ id: 'pump-1', fieldId: 'coffee', kind: 'pump_controller', name: 'Bơm lô A' });
    await registry.provisionDevice({ id: 'valve-1', fieldId: 'rice', kind: 'valve_controller', name: 'Cống 1' });
    store = createSqliteStore({ path: join(dir, 'readings.db') });
    await store.setup();
    listeners = new Set();
    source = { subscribe: (l) => { listeners.add(l); return () => { listeners.delete(l); }; } };
    now = T0 + 12 * HOUR;
  });
  afterEach(async () => {
    await store.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const derived = () => wireIrrigationFromTelemetry({ registry, store, source, log: silentLogger(), now: () => now });

  /** Readings of one device: [minute, state, litres?] → stored, then handed over as one batch. */
  async function deliver(deviceId: string, state: 'pump_on' | 'valve_open', rows: [number, number, number?][], opts: { stored?: boolean; published?: boolean } = {}): Promise<void> {
    const fieldId = deviceId === 'pump-1' ? 'coffee' : 'rice';
    const batch: StoredReading[] = rows.flatMap(([m, s, l]) => [
      { deviceId, metric: state, ts: T0 + m * MIN, value: s, fieldId, farmId: 'farm-a', cooperativeId: 'coop-a' },
      ...(l === undefined ? [] : [{ deviceId, metric: 'flow_l', ts: T0 + m * MIN, value: l, fieldId, farmId: 'farm-a', cooperativeId: 'coop-a' }]),
    ]);
    if (opts.stored !== false) await store.write(batch);
    if (opts.published !== false) for (const l of listeners) l(batch);
  }

  const events = (fieldId: string) => registry.irrigationsOfField('coop-a', fieldId, 0, Number.MAX_SAFE_INTEGER);

  it('one event per run with the flow meter\'s volume and the depth on the field\'s area', async () => {
    const d = derived();
    await d.start();
    await deliver('pump-1', 'pump_on', [[0, 0, 0], [10, 0, 0], [12, 1, 0], [20, 1, 2_400], [30, 1, 3_000], [40, 1, 3_000], [42, 0, 600], [50, 0, 0]]);
    await d.idle();
    const [e, ...more] = await events('coffee');
    expect(more).toEqual([]);
    // 9,000 L = 9 m³ on 1.2 ha = 0.75 mm
    expect(e).toMatchObject({ startAt: T0 + 12 * MIN, durationMin: 30, volumeM3: 9, source: 'flow_meter', externalId: `pump-1:${T0 + 12 * MIN}`, recordedBy: 'device:pump-1' });
    expect(e?.depthMm).toBeCloseTo(0.75, 6);
    expect(e?.note).toContain('flow meter 9 m³');
    await deliver('pump-1', 'pump_on', [[0, 0, 0], [10, 0, 0], [12, 1, 0], [20, 1, 2_400], [42, 0, 600]]); // sent again
    await d.idle();
    expect(await events('coffee')).toHaveLength(1);
    await d.stop();
  });

  it('without a flow meter: the run\'s hours × the field\'s pump flow, source valve_telemetry', async () => {
    const d = derived();
    await d.start();
    await deliver('valve-1', 'valve_open', [[0, 0], [10, 0], [15, 1], [20, 1], [30, 1], [135, 0], [140, 0]]);
    await d.idle();
    expect(await events('rice')).toEqual([]); // reports every 5–10 min, then none from 30 to 135: the run waits for them
    await deliver('valve-1', 'valve_open', Array.from({ length: 10 }, (_, i) => [40 + 10 * i, 1] as [number, number]));
    await d.idle();
    const [e] = await events('rice');
    // 2 h × 120 m³/h = 240 m³ on 2 ha = 12 mm
    expect(e).toMatchObject({ startAt: T0 + 15 * MIN, durationMin: 120, volumeM3: 240, depthMm: 12, source: 'valve_telemetry' });
    await d.stop();
  });

  it('a device back from hours offline replays its buffer newest-first: the run is recorded once, whole', async () => {
    const d = derived();
    await d.start();
    await deliver('pump-1', 'pump_on', [[0, 0, 0], [10, 0, 0], [20, 0, 0]]);
    // offline from 25 min to 6 h; it ran 30..90 min; the live report comes first, then the backlog, last chunk first
    await deliver('pump-1', 'pump_on', [[360, 0, 0]]);
    await deliver('pump-1', 'pump_on', [[90, 0, 0], [100, 0, 0], [110, 0, 0]]);
    await d.idle();
    expect(await events('coffee')).toEqual([]); // 30..80 not here yet: the run's start is not even known
    await deliver('pump-1', 'pump_on', [[60, 1, 3_000], [70, 1, 3_000], [80, 1, 3_000]]);
    await d.idle();
    expect(await events('coffee')).toEqual([]); // 30..50 still missing: a hole before its end
    await deliver('pump-1', 'pump_on', [[30, 1, 0], [40, 1, 3_000], [50, 1, 3_000]]);
    await deliver('pump-1', 'pump_on', [[90, 0, 3_000]]); // a duplicate of a report already stored
    await d.idle();
    const all = await events('coffee');
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ startAt: T0 + 30 * MIN, durationMin: 60, volumeM3: 18 });
    await d.stop();
  });

  it('an incomplete run is recorded with what arrived once it waited settleMs (1 h) — the rest is lost', async () => {
    const d = derived();
    await d.start();
    await deliver('pump-1', 'pump_on', [[0, 0, 0], [10, 0, 0], [20, 1, 0], [30, 1, 3_000], [80, 0, 3_000], [90, 0, 0], [100, 0, 0]]);
    await d.idle();
    expect(await events('coffee')).toEqual([]);
    now += 61 * MIN;
    await deliver('pump-1', 'pump_on', [[110, 0, 0]]);
    await d.idle();
    expect(await events('coffee')).toEqual([expect.objectContaining({ startAt: T0 + 20 * MIN, volumeM3: 6 })]);
    await d.stop();
  });

  it('after a restart: the runs that ended while it was down are recorded, none twice', async () => {
    const first = derived();
    await first.start();
    await deliver('pump-1', 'pump_on', [[0, 0, 0], [10, 1, 0], [20, 0, 3_000]]);
    await first.idle();
    await first.stop();
    expect(await events('coffee')).toHaveLength(1);
    // while it is down the ingest stores a second run (nobody publishes it to the stopped process)
    await deliver('pump-1', 'pump_on', [[30, 0, 0], [40, 1, 0], [50, 1, 3_000], [60, 0, 3_000]], { published: false });
    // and a run in progress: its start stored now, its end delivered after the restart
    await deliver('pump-1', 'pump_on', [[70, 0, 0], [80, 1, 0]], { published: false });
    const second = derived();
    await second.start();
    await second.idle();
    expect((await events('coffee')).map((e) => e.startAt).sort()).toEqual([T0 + 10 * MIN, T0 + 40 * MIN]);
    await deliver('pump-1', 'pump_on', [[90, 1, 3_000], [100, 0, 3_000]]);
    await second.idle();
    expect((await events('coffee')).map((e) => [e.startAt, e.volumeM3]).sort()).toEqual([[T0 + 10 * MIN, 3], [T0 + 40 * MIN, 6], [T0 + 80 * MIN, 6]]);
    await second.stop();
  });

  it('ruong rules hears readings before the ingest stored them: what it heard counts, and nothing twice once stored', async () => {
    const d = derived();
    await d.start();
    await deliver('valve-1', 'valve_open', [[0, 0, 0], [10, 1, 0], [20, 1, 20_000], [30, 0, 20_000]], { stored: false });
    await d.idle();
    expect((await events('rice')).map((e) => [e.startAt, e.volumeM3, e.depthMm])).toEqual([[T0 + 10 * MIN, 40, 2]]); // 40 m³ on 2 ha
    await deliver('valve-1', 'valve_open', [[0, 0, 0], [10, 1, 0], [20, 1, 20_000], [30, 0, 20_000]], { published: false });
    await d.stop();
    const again = derived(); // a restart reads the stored history back
    await again.start();
    await again.idle();
    expect(await events('rice')).toHaveLength(1);
    await again.stop();
  });

  it('a registry read that throws once: logged, nothing rejects, and the run is recorded with the device\'s next readings', async () => {
    let failNext = false;
    const d = createIrrigationFromTelemetry({
      source, store, sink: irrigationSink(registry), log: silentLogger(), now: () => now,
      directory: {
        cooperativeIds: () => Promise.resolve(['coop-a']),
        fields: (id) => registry.fields({ ...coop, cooperativeId: id }),
        devices: async (id) => {
          if (failNext) { failNext = false; throw new Error('SQLITE_BUSY: database is locked'); }
          return registry.devicesOfCooperative(id);
        },
      },
    });
    await d.start();
    await d.idle();
    failNext = true;
    await deliver('pump-1', 'pump_on', [[0, 0, 0], [10, 1, 0], [20, 0, 3_000]]);
    await d.idle(); // resolves: the failure does not reject the queue
    expect(await events('coffee')).toEqual([]);
    await deliver('pump-1', 'pump_on', [[30, 0, 0]]);
    await d.idle();
    expect((await events('coffee')).map((e) => [e.startAt, e.volumeM3])).toEqual([[T0 + 10 * MIN, 3]]);
    await deliver('valve-1', 'valve_open', [[0, 0, 0], [10, 1, 0], [20, 1, 20_000], [30, 0, 20_000]]);
    await d.idle();
    expect(await events('rice')).toHaveLength(1); // later batches still reconciled
    await d.stop();
  });

  it('the sink finds the device\'s event starting within a run under any source, and only that device\'s', async () => {
    const sink = irrigationSink(registry);
    const startAt = T0 + 10 * MIN;
    expect(await sink.has('coop-a', 'coffee', 'pump-1', startAt, startAt)).toBe(false);
    await sink.record('coop-a', 'coffee', { startAt, volumeM3: 3, source: 'pump_telemetry', recordedBy: 'device:pump-1', externalId: `pump-1:${startAt}` }, now);
    await sink.record('coop-a', 'coffee', { startAt: T0, depthMm: 5, source: 'farmer_report', recordedBy: 'farmer' }, now);
    expect(await sink.has('coop-a', 'coffee', 'pump-1', startAt, startAt)).toBe(true);
    expect(await sink.has('coop-a', 'coffee', 'pump-1', T0, startAt + HOUR)).toBe(true); // the run's start moved earlier
    expect(await sink.has('coop-a', 'coffee', 'pump-1', T0, startAt - 1)).toBe(false); // the farmer's report is not the pump's
    expect(await sink.has('coop-a', 'coffee', 'pump-10', startAt, startAt)).toBe(false);
    expect((await registry.fields(coop)).map((f) => f.id).sort()).toEqual(['coffee', 'rice']);
  });
});
