// The demo's simulated devices inside `ruong start` (issue 16: a first run that looks alive within a minute).
// On a new DATA_DIR they back-fill DEMO_HISTORY_DAYS of history before reporting in real time; on a restart
// each device resumes after its newest stored reading (only the gap since the last stop, at most that long).
// The history goes the normal way — each device publishes with its own credentials, QoS 1, through the broker
// and the ingest's validation, acknowledged once stored — in backlog messages as large as the broker accepts,
// each step as soon as the last is acknowledged (firmware-sim/simulator.ts, catchUp 'delivery'), so it goes as
// fast as the machine stores it. Once it has caught up, the rules' daily run (yesterday's ET0 and rain, the
// water balance, today's advice) is redone on the complete history instead of waiting for 05:30.
import type { Config } from '../core/config.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../core/registry/registry.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { createSimulator, type Simulator } from '../firmware-sim/simulator.js';
import type { SimDeviceRecord } from './demo-seed.js';
import type { RulesWiring } from './rules-wiring.js';

/** History the demo devices back-fill on a new DATA_DIR (the dashboard's longest range is 30 days). */
export const DEMO_HISTORY_DAYS = 30;
/** Entries per backlog message: the simulated device still splits a message that would exceed the broker's packet limit. */
const BACKLOG_CHUNK = 500;
/** A catch-up longer than this (a new DATA_DIR, a long stop) is followed by the daily run. */
const DAILY_RERUN_AFTER_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The newest stored report of each demo device: where it resumes after a restart. */
async function newestReports(registry: Registry, store: ReadingStore, deviceIds: readonly string[]): Promise<Map<string, number>> {
  const byCoop = new Map<string, string[]>();
  for (const id of deviceIds) {
    const ctx = await registry.deviceContext(id);
    if (ctx) byCoop.set(ctx.cooperativeId, [...(byCoop.get(ctx.cooperativeId) ?? []), id]);
  }
  const newest = new Map<string, number>();
  for (const [cooperativeId, ids] of byCoop) {
    for (const r of await store.latest({ cooperativeId, deviceIds: ids })) newest.set(r.deviceId, Math.max(newest.get(r.deviceId) ?? 0, r.ts));
  }
  return newest;
}

export function demoSimulator(deps: {
  devices: SimDeviceRecord[]; config: Config; registry: Registry; store: ReadingStore; rules: RulesWiring['rules']; log: Logger;
  brokerPort: () => number; startMs?: number | undefined; now?: () => number;
}): Service {
  const now = deps.now ?? Date.now;
  let sim: Simulator | undefined;
  let stopped = false;
  return {
    name: 'simulator',
    // Built at start, once the broker's port is known (port 0 in tests) and the store can be read.
    async start() {
      const resumeAfterMs = await newestReports(deps.registry, deps.store, deps.devices.map((d) => d.deviceId));
      sim = createSimulator({
        brokerUrl: `mqtt://127.0.0.1:${deps.brokerPort()}`,
        devices: deps.devices, speed: deps.config.SIM_SPEED, intervalS: deps.config.SIM_INTERVAL_S, catchUp: 'delivery',
        startMs: deps.startMs ?? now() - DEMO_HISTORY_DAYS * DAY_MS, resumeAfterMs, backlogChunk: BACKLOG_CHUNK, log: deps.log,
      });
      await sim.start();
      void sim.caughtUp().then(async (done) => {
        if (stopped || done.toMs - done.fromMs < DAILY_RERUN_AFTER_MS) return;
        await deps.rules.runDaily();
        deps.log.info({ days: Math.round((done.toMs - done.fromMs) / DAY_MS) }, 'daily ET0, water balance and advice computed on the back-filled history');
      });
    },
    stop() {
      stopped = true;
      return sim?.stop() ?? Promise.resolve();
    },
  };
}
