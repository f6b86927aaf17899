// The rules engine's every-minute check (issue 19): what one `tick` costs with N soil probes in one cooperative, the
// default rules and a SQLite registry provisioned as bench/broker/bench-registry.ts does. Between two ticks a tenth of
// the devices report (one batch of soil moisture, as the ingest hands it to the rules), so the registry is written
// by readings as well as by the tick, as in a running `ruong rules`. The clock is the bench's: a minute per tick.
// Reported per tick: wall time and process CPU, the time spent reloading the cooperative (farms, fields, devices,
// rules), the rule_state rows the tick wrote (updated_at = the tick's time) and the bytes the process handed to
// write(2) during the tick (/proc/self/io wchar: the SQLite WAL and its checkpoints).
// --src DIR takes the engine, the stores and the registry from another tree (e.g. a worktree of main), so two trees
// are compared with the same bench in interleaved runs:
//   npm run bench:rules-tick -- --devices 10000 --ticks 6 [--src /tmp/base]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { provisionBenchDevices } from '../broker/bench-registry.js';
import { benchDeviceId } from '../broker/brokers.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '10000' },
    ticks: { type: 'string', default: '6' },
    src: { type: 'string', default: '.' },
  },
});
const devices = Number(args.devices);
const ticks = Number(args.ticks);
const src = resolve(args.src);

/** A module of the tree under test, typed as this tree's (both trees have the same API). */
const load = async <M>(path: string): Promise<M> => (await import(join(src, path))) as M;

function wchar(): number {
  const line = readFileSync('/proc/self/io', 'utf8').split('\n').find((l) => l.startsWith('wchar:'));
  return Number(line?.split(':')[1] ?? Number.NaN);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-tick-'));
  await provisionBenchDevices(dir, devices, 'tick', 'soil_probe');
  const { createRegistry } = await load<typeof import('../../core/registry/registry.js')>('core/registry/registry.ts');
  const { createRuleStore } = await load<typeof import('../../core/alerts/rule-store.js')>('core/alerts/rule-store.ts');
  const { createAlertService } = await load<typeof import('../../core/alerts/alert-service.js')>('core/alerts/alert-service.ts');
  const { createEngine } = await load<typeof import('../../rules/engine.js')>('rules/engine.ts');
  const { defaultRulesFor } = await load<typeof import('../../rules/default-rules.js')>('rules/default-rules.ts');
  const { rulesDirectory } = await load<typeof import('../../cli/rules-wiring.js')>('cli/rules-wiring.ts');
  const { silentLogger } = await load<typeof import('../../core/log.js')>('core/log.ts');
  const registry = createRegistry(join(dir, 'registry.db'));
  const ruleStore = createRuleStore(registry.sql);
  const [coop] = await ruleStore.cooperativeIds();
  if (coop === undefined) throw new Error('the bench registry has no cooperative');
  for (const r of defaultRulesFor(coop)) await ruleStore.putRule(coop, r.id, r.definition);
  const context = await registry.deviceContext(benchDeviceId(0));
  if (!context) throw new Error('the bench registry has no devices');
  const { fieldId: field, farmId: farm } = context;

  let clock = Date.UTC(2026, 11, 7, 3, 0, 0);
  let reloadMs = 0;
  const directory = rulesDirectory(registry, ruleStore);
  const timed = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    const t = performance.now();
    try {
      return await f(...a);
    } finally {
      reloadMs += performance.now() - t;
    }
  };
  const engine = createEngine({
    ruleStore, alerts: createAlertService({ sql: registry.sql, now: () => clock }), log: silentLogger(), now: () => clock,
    directory: { ...directory, farms: timed((id: string) => directory.farms(id)), fields: timed((id: string) => directory.fields(id)), devices: timed((id: string) => directory.devices(id)) },
  });
  const watchingSince = clock;

  console.log(`# rules tick — ${new Date().toISOString()}, node ${process.version}, ${devices} soil probes, src ${src}`);
  for (let t = 1; t <= ticks; t++) {
    // a tenth of the devices report in the minute before the tick
    const batch = [];
    for (let i = t % 10; i < devices; i += 10) {
      batch.push({ deviceId: benchDeviceId(i), metric: 'soil_moisture@20cm', ts: clock - 30_000, value: 30 - (i % 7), fieldId: field, farmId: farm, cooperativeId: coop });
    }
    await engine.handleBatch(batch);
    clock += 60_000;
    reloadMs = 0;
    const w0 = wchar();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await engine.tick(watchingSince);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const written = (await registry.sql.one<{ n: number }>('SELECT count(*) AS n FROM rule_state WHERE updated_at = ?', [clock]))?.n;
    console.log(`tick ${t}: ${wallMs.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, reload ${reloadMs.toFixed(0)} ms, ` +
      `rule_state rows written ${written}, write(2) ${((wchar() - w0) / 1e6).toFixed(2)} MB`);
  }
  const open = (await registry.sql.one<{ n: number }>("SELECT count(*) AS n FROM alerts WHERE status = 'open'"))?.n;
  console.log(`open alerts at the end: ${open}`);
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
