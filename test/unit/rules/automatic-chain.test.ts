// The bounds of automatic mode's chain of runs (issue 17 review, rules/control/automatic-mode.ts): it stops when a
// run did not make the advice smaller, after MAX_AUTOMATIC_RUNS_PER_DAY runs of a field in a local day, and a
// continued run without a depth is logged once, not every pass. A real registry (SQLite in memory) and commands;
// the alert service is a stand-in holding the one open irrigate alert; the clock is the test's.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertService } from '../../../core/alerts/alert-service.js';
import type { Alert } from '../../../core/alerts/alert-types.js';
import type { ControlDeps } from '../../../core/commands/command-requests.js';
import type { Logger } from '../../../core/log.js';
import { createCommands } from '../../../core/registry/commands.js';
import { createRegistry, type Registry } from '../../../core/registry/registry.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import { createAutomaticMode, MAX_AUTOMATIC_RUNS_PER_DAY, NO_PROGRESS_RUNS } from '../../../rules/control/automatic-mode.js';

const START = Date.parse('2026-03-10T00:30:00+07:00');

describe('automatic mode: the chain of runs is bounded', () => {
  let registry: Registry;
  let deps: ControlDeps;
  let clock: number;
  let alert: Alert;
  let warnings: string[];
  let automatic: ReturnType<typeof createAutomaticMode>;

  beforeEach(async () => {
    registry = createRegistry(':memory:');
    await registry.createCooperative({ id: 'coop-a', name: 'HTX A' });
    await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Vườn A' });
    await registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'Lô A', crop: 'coffee', areaHa: 1.2, pumpFlowM3h: 18 });
    await registry.provisionDevice({ id: 'pump-a', fieldId: 'field-a', kind: 'pump_controller', name: 'Bơm A' });
    const store = { kind: 'fake', latest: () => Promise.resolve([]), query: () => Promise.resolve([]) } as unknown as ReadingStore;
    deps = { registry, store, commands: createCommands(registry.sql), maxMinutes: 240 };
    await deps.commands.setFieldControl('coop-a', 'field-a', { maxRunMin: null, automatic: true }, 'u1', START);
    clock = START;
    alert = {
      id: 'al-1', cooperativeId: 'coop-a', farmId: 'farm-a', fieldId: 'field-a', deviceId: null, ruleId: 'coop-a:soil', subject: 'field:field-a',
      kind: 'irrigate', severity: 'warning', status: 'open', openedAt: START - 60_000, updatedAt: START - 60_000, escalateAfterMs: null,
      values: { grossMm: 64, pumpMinutes: 10 }, text: { vi: 'tưới', en: 'irrigate' },
    } as unknown as Alert;
    warnings = [];
    const noop = () => undefined;
    const log = { info: noop, debug: noop, error: noop, warn: (_o: unknown, msg: string) => { warnings.push(msg); } } as unknown as Logger;
    const alerts = { list: ({ status }: { status: string }) => (status === 'open' ? [alert] : []), events: new EventEmitter() } as unknown as AlertService;
    automatic = createAutomaticMode({ ...deps, alerts, log, now: () => clock });
  });
  afterEach(async () => { await registry.close(); });

  const automaticRuns = async () => (await deps.commands.commandsOfField('coop-a', 'field-a', 100)).filter((c) => c.origin === 'automatic');

  /** The newest requested run is sent and confirmed, runs its minutes, its water is recorded, the advice re-evaluated to `mm`. */
  async function runAndReevaluate(mm: number | undefined): Promise<void> {
    const [c] = await automaticRuns();
    expect(c?.state).toBe('requested');
    expect(await deps.commands.claimCommand(c!.id, clock, clock + 60_000)).toBe(true);
    await deps.commands.finishCommand(c!.id, 'confirmed', clock + 5_000, { values: { state: 1 } });
    const sentAt = clock;
    clock += (c!.minutes ?? 0) * 60_000 + 60_000;
    await registry.recordIrrigation('coop-a', 'field-a', { startAt: sentAt, durationMin: c!.minutes, volumeM3: 3, source: 'flow_meter', recordedBy: 'test' }, clock);
    clock += 60_000;
    alert = { ...alert, updatedAt: clock, values: mm === undefined ? {} : { grossMm: mm, pumpMinutes: 10 } };
  }

  it('stops (said once) when the advice is not smaller than NO_PROGRESS_RUNS runs ago, not after one run that lost to ET', async () => {
    await automatic.continueRuns(); // no automatic run for this alert yet: nothing to continue
    expect(await automaticRuns()).toEqual([]);
    // the first run, as the alert's opening asks for it
    await (async () => {
      const events = new EventEmitter();
      const first = createAutomaticMode({ ...deps, alerts: { list: () => [alert], events } as unknown as AlertService, log: { info: () => undefined, warn: () => undefined } as unknown as Logger, now: () => clock });
      first.start();
      events.emit('opened', { event: 'opened', alert });
      await expect.poll(async () => (await automaticRuns()).length).toBe(1);
      first.stop();
    })();
    expect((await automaticRuns())[0]!.reason).toBe('automatic: advice al-1 asks for 64 mm');
    // in the heat of the day a run can lose to ET: a run that did not lower the advice does not end the chain at once
    const mms = [65, 63, 64.5, 66, 64.2];
    for (const [i, mm] of mms.entries()) {
      await runAndReevaluate(mm);
      clock += 5 * 3_600_000; // a few runs a day: the day's cap is not what stops this chain
      alert = { ...alert, updatedAt: clock };
      await automatic.continueRuns();
      expect(await automaticRuns()).toHaveLength(i + 2);
    }
    expect((await automaticRuns())[0]!.reason).toBe('automatic (next run): advice al-1 asks for 64.2 mm');
    // NO_PROGRESS_RUNS runs of this alert and the advice is not smaller than at the first of them: the chain ends
    await runAndReevaluate(64);
    await automatic.continueRuns();
    await automatic.continueRuns();
    expect(await automaticRuns()).toHaveLength(NO_PROGRESS_RUNS);
    expect(warnings).toEqual(['automatic irrigation stopped: the advice did not get smaller over the last runs']);
  });

  it(`stops after ${MAX_AUTOMATIC_RUNS_PER_DAY} runs of the field in a local day; a continued run without a depth is said once`, async () => {
    await deps.commands.recordCommand({ cooperativeId: 'coop-a', fieldId: 'field-a', deviceId: 'pump-a', cmd: 'pump', action: 'on', minutes: 10, origin: 'automatic', requestedBy: 'system', note: 'automatic: advice al-1 asks for 64 mm' }, clock);
    let mm = 64;
    for (let i = 1; i < MAX_AUTOMATIC_RUNS_PER_DAY; i++) {
      await runAndReevaluate(mm -= 3);
      await automatic.continueRuns();
      expect(await automaticRuns()).toHaveLength(i + 1);
    }
    await runAndReevaluate(mm - 3);
    await automatic.continueRuns();
    await automatic.continueRuns();
    expect(await automaticRuns()).toHaveLength(MAX_AUTOMATIC_RUNS_PER_DAY);
    expect(warnings).toEqual(['automatic irrigation stopped: the day\'s runs are used']);
    // the next local day the chain goes on; an advice without a depth is logged once, however many passes
    clock = Date.parse('2026-03-11T00:10:00+07:00');
    alert = { ...alert, updatedAt: clock };
    await automatic.continueRuns();
    expect(await automaticRuns()).toHaveLength(MAX_AUTOMATIC_RUNS_PER_DAY + 1);
    await runAndReevaluate(undefined);
    for (let i = 0; i < 5; i++) await automatic.continueRuns();
    expect(await automaticRuns()).toHaveLength(MAX_AUTOMATIC_RUNS_PER_DAY + 1);
    expect(warnings.filter((w) => w === 'automatic irrigation skipped: no depth, area or pump flow')).toHaveLength(1);
  });
});
