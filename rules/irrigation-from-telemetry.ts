// Irrigation events derived from pump and valve controllers' telemetry (issue 17, docs/architecture.md "Pumps and
// valves"): one event per run — the state reading going 1 (pump_on / valve_open) and back to 0 — starting at the
// run's first 1, lasting until its 0, with the volume the controller's flow meter counted (Σ flow_l over the run's
// reports, litres / 1000 = m³; source flow_meter) or, for a controller without a meter, the run's hours × the field's
// pumpFlowM3h (source pump_telemetry / valve_telemetry). The depth follows from the field's area (1 mm on 1 ha =
// 10 m³) when the registry records it; the water balance and the AWD rules take it from there.
// The runs are rebuilt from the stored history of the device (plus what this process saw and the store may not
// hold yet), never from a state kept in memory, so they come out the same after a restart and whatever order the
// readings arrived in: a device replaying its buffer after hours offline, a report arriving late. Each event has the
// externalId `${deviceId}:${runStartTs}` and is recorded once (the registry is idempotent on it; this module also
// looks for any event of the device starting within the run, under every source, before recording). A run with a hole in its reports (a report interval
// missing between its start and end: the rest of a buffer still on its way) waits until the hole fills, or
// `settleMs` after it was first seen (then the reports are taken as lost and the run recorded with what arrived).
// A run longer than MAX_RUN_MS (24 h, the longest irrigation the registry takes) is not recorded.
import type { Logger } from '../core/log.js';
import type { IrrigationInput, IrrigationSource } from '../core/registry/irrigation-events.js';
import type { Device, Field } from '../core/registry/types.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import type { StoredReading } from '../core/telemetry/reading.js';
import type { ReadingSource } from './reading-source.js';

/** A state metric and the source of an event derived from it without a flow meter. */
export const STATE_METRICS = { pump_on: 'pump_telemetry', valve_open: 'valve_telemetry' } as const satisfies Record<string, IrrigationSource>;
export type StateMetric = keyof typeof STATE_METRICS;
const FLOW = 'flow_l';
const stateMetricOfKind: Partial<Record<Device['kind'], StateMetric>> = { pump_controller: 'pump_on', valve_controller: 'valve_open' };
const isStateMetric = (m: string): m is StateMetric => m in STATE_METRICS;

export const MAX_RUN_MS = 24 * 3_600_000;
const MIN_GAP_MS = 2 * 60_000;

export interface Point { readonly ts: number; readonly value: number }

/** One run of a controller as its reports tell it. */
export interface Run {
  readonly startTs: number;
  /** The first report of the state back at 0; undefined while it still runs. */
  readonly endTs: number | undefined;
  /** Σ flow_l of the reports in [startTs, endTs]. */
  readonly litres: number;
  /** False while a report interval is missing inside the run (more of its reports may still come). */
  readonly complete: boolean;
}

/** The usual spacing of a device's reports: the median of the gaps between its consecutive state reports. */
function usualSpacing(states: readonly Point[]): number | undefined {
  const gaps = states.slice(1).map((p, i) => p.ts - (states[i]?.ts ?? p.ts)).filter((g) => g > 1_000).sort((a, b) => a - b);
  return gaps.length >= 2 ? gaps[Math.floor(gaps.length / 2)] : undefined;
}

/**
 * The runs in a device's state and flow reports (each ascending by ts). A run needs the 0 before its first 1 (else it
 * began before these reports and its start is unknown: skipped). `maxGapMs` (default 2.5 × the usual spacing, at
 * least 2 min): a wider gap between two reports of a run leaves it incomplete.
 */
export function runsOf(states: readonly Point[], flows: readonly Point[], opts: { maxGapMs?: number } = {}): Run[] {
  const spacing = usualSpacing(states);
  const maxGap = opts.maxGapMs ?? (spacing === undefined ? Infinity : Math.max(MIN_GAP_MS, 2.5 * spacing));
  const runs: Run[] = [];
  let prev: Point | undefined;
  let start: number | undefined;
  let complete = true;
  const close = (endTs: number | undefined): void => {
    if (start === undefined) return;
    const to = endTs ?? Infinity;
    const litres = flows.reduce((sum, f) => (f.ts >= (start ?? 0) && f.ts <= to ? sum + Math.max(0, f.value) : sum), 0);
    runs.push({ startTs: start, endTs, litres, complete });
    start = undefined;
  };
  for (const p of states) {
    const on = p.value >= 0.5;
    if (start !== undefined && prev && p.ts - prev.ts > maxGap) complete = false;
    if (on && start === undefined && prev !== undefined && prev.value < 0.5) {
      start = p.ts;
      complete = p.ts - prev.ts <= maxGap; // a hole before it: the run may have begun earlier
    } else if (!on && start !== undefined) close(p.ts);
    prev = p;
  }
  close(undefined);
  return runs;
}

/** Where derived irrigations go (cli/ binds it to the registry, core/registry/irrigation-events.ts). */
export interface IrrigationSink {
  /** Records one irrigation; the same externalId of the same source is recorded once. Throws RuongError when invalid. */
  record(cooperativeId: string, fieldId: string, input: IrrigationInput, now: number): Promise<{ created: boolean }>;
  /**
   * Whether the field already has an irrigation derived from this device (externalId `${deviceId}:…`, any source)
   * starting within [fromMs, toMs]: a run is recorded once even if its start moved (reports that arrived later).
   */
  has(cooperativeId: string, fieldId: string, deviceId: string, fromMs: number, toMs: number): Promise<boolean>;
}

export interface TelemetryDirectory {
  cooperativeIds(): Promise<string[]>;
  fields(cooperativeId: string): Promise<Field[]>;
  devices(cooperativeId: string): Promise<Device[]>;
}

export interface IrrigationFromTelemetryOptions {
  readonly source: ReadingSource;
  readonly store: ReadingStore;
  readonly directory: TelemetryDirectory;
  readonly sink: IrrigationSink;
  readonly log: Logger;
  readonly now?: (() => number) | undefined;
  /** Told after an irrigation was recorded (the rules re-evaluate the field at once). */
  readonly onRecorded?: (() => void) | undefined;
  /** History read again at start (runs that ended while the process was down); default 3 days. */
  readonly lookbackMs?: number | undefined;
  /** How long an incomplete run waits for its missing reports; default 1 h. */
  readonly settleMs?: number | undefined;
  /** Wait after a batch before reading the store (the ingest stores in batches); default 1 s. */
  readonly debounceMs?: number | undefined;
  /** How often devices with a run open or waiting are looked at again; default 60 s. */
  readonly sweepMs?: number | undefined;
}

export interface IrrigationFromTelemetry {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once everything seen so far is reconciled (tests). */
  idle(): Promise<void>;
}

/** A device to look at: the readings that changed lie in [from, until] (until Infinity: up to now). */
interface Target { readonly cooperativeId: string; readonly deviceId: string; from: number; until: number }
interface Recent { states: Map<number, number>; flows: Map<number, number>; metric: StateMetric | undefined; newest: number }

const RECENT_KEEP_MS = 2 * MAX_RUN_MS;

export function createIrrigationFromTelemetry(o: IrrigationFromTelemetryOptions): IrrigationFromTelemetry {
  const now = o.now ?? Date.now;
  const settleMs = o.settleMs ?? 3_600_000;
  const dirty = new Map<string, Target>(); // devices to reconcile, from the earliest ts that changed
  const pending = new Map<string, Target>(); // devices with a run still open or incomplete
  const recent = new Map<string, Recent>(); // what this process saw, which the store may not hold yet
  const firstIncomplete = new Map<string, number>(); // externalId → when first seen incomplete
  const done = new Set<string>(); // externalIds recorded or given up on
  let chain: Promise<void> = Promise.resolve();
  let debounce: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  let caughtUp: Promise<void> = Promise.resolve();

  function remember(r: StoredReading): void {
    let rec = recent.get(r.deviceId);
    if (!rec) recent.set(r.deviceId, (rec = { states: new Map(), flows: new Map(), metric: undefined, newest: r.ts }));
    if (isStateMetric(r.metric)) {
      rec.states.set(r.ts, r.value);
      rec.metric = r.metric;
    } else rec.flows.set(r.ts, r.value);
    if (r.ts > rec.newest + RECENT_KEEP_MS / 4) { // now and then, forget what the store surely holds
      rec.newest = r.ts;
      for (const m of [rec.states, rec.flows]) for (const ts of m.keys()) if (ts < rec.newest - RECENT_KEEP_MS) m.delete(ts);
    }
  }

  function mark(t: Target, into: Map<string, Target>): void {
    const seen = into.get(t.deviceId);
    if (seen) {
      seen.from = Math.min(seen.from, t.from);
      seen.until = Math.max(seen.until, t.until);
    }
    else into.set(t.deviceId, { ...t });
  }

  function onBatch(batch: readonly StoredReading[]): void {
    let any = false;
    for (const r of batch) {
      if (!isStateMetric(r.metric) && r.metric !== FLOW) continue;
      remember(r);
      mark({ cooperativeId: r.cooperativeId, deviceId: r.deviceId, from: r.ts, until: r.ts }, dirty);
      any = true;
    }
    if (any && !debounce && !stopped) {
      debounce = setTimeout(() => { debounce = undefined; void flush(dirty); }, o.debounceMs ?? 1_000);
      debounce.unref();
    }
  }

  /** Queues the reconciliation of every target in `from` (emptied), with what waits of the same devices. */
  function flush(from: Map<string, Target>): Promise<void> {
    if (from !== pending) {
      for (const [id, t] of from) {
        const waiting = pending.get(id);
        if (waiting) {
          t.from = Math.min(t.from, waiting.from);
          t.until = Math.max(t.until, waiting.until);
        }
        pending.delete(id);
      }
    }
    const targets = [...from.values()];
    from.clear();
    // Nothing may reject `chain`: flush is called as `void flush(…)` (an unhandled rejection ends the process) and a
    // rejected chain would skip every later reconciliation. A target that fails waits in `pending` for the next try.
    const next = chain.then(async () => {
      const dirs = new Map<string, { devices: Map<string, Device>; fields: Map<string, Field> }>();
      for (const t of targets) {
        if (stopped) return;
        try {
          let dir = dirs.get(t.cooperativeId);
          if (!dir) {
            dir = {
              devices: new Map((await o.directory.devices(t.cooperativeId)).map((d) => [d.id, d])),
              fields: new Map((await o.directory.fields(t.cooperativeId)).map((f) => [f.id, f])),
            };
            dirs.set(t.cooperativeId, dir);
          }
          await reconcile(t, dir.devices.get(t.deviceId), dir.fields);
        } catch (err) {
          o.log.error({ err, deviceId: t.deviceId }, 'irrigation from telemetry failed');
          mark(t, pending);
        }
      }
    });
    chain = next.catch((err: unknown) => { o.log.error({ err }, 'irrigation from telemetry failed'); });
    return chain;
  }

  async function points(t: Target, metric: string, from: number, to: number, mine: Map<number, number> | undefined): Promise<Point[]> {
    const stored = await o.store.query({ cooperativeId: t.cooperativeId, deviceId: t.deviceId, metric, from, to });
    const byTs = new Map<number, number>(stored.map((p) => [p.ts, p.value]));
    for (const [ts, value] of mine ?? []) if (ts >= from && ts < to && !byTs.has(ts)) byTs.set(ts, value);
    return [...byTs].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value }));
  }

  async function reconcile(t: Target, device: Device | undefined, fields: Map<string, Field>): Promise<void> {
    const rec = recent.get(t.deviceId);
    const metric = (device && stateMetricOfKind[device.kind]) ?? rec?.metric;
    if (!device || device.revokedAt !== null || !metric) return;
    const field = fields.get(device.fieldId);
    if (!field) return;
    // a run through [t.from, t.until] began at most MAX_RUN_MS before it and ended at most MAX_RUN_MS after it
    const from = t.from - MAX_RUN_MS - 3_600_000;
    const to = Math.min(now() + 10 * 60_000, t.until + MAX_RUN_MS + 3_600_000);
    const states = await points(t, metric, from, to, rec?.states);
    const flows = await points(t, FLOW, from, to, rec?.flows);
    let again = Infinity; // where to look again (a run still open, or waiting for its missing reports)
    for (const run of runsOf(states, flows)) {
      if (run.endTs === undefined) {
        if (run.startTs > now() - MAX_RUN_MS) again = Math.min(again, run.startTs);
        continue;
      }
      if (run.endTs < t.from) continue; // wholly before what changed: looked at before
      if (!await settle(t, run, metric, field, flows.length > 0, device)) again = Math.min(again, run.endTs);
    }
    if (Number.isFinite(again)) mark({ ...t, from: again, until: Infinity }, pending);
  }

  /** Records one ended run unless it is recorded already; false when it waits for missing reports. */
  async function settle(t: Target, run: Run, metric: StateMetric, field: Field, metered: boolean, device: Device): Promise<boolean> {
    const externalId = `${t.deviceId}:${run.startTs}`;
    if (done.has(externalId)) return true;
    if (await o.sink.has(t.cooperativeId, field.id, t.deviceId, run.startTs, run.endTs ?? run.startTs)) {
      done.add(externalId);
      return true;
    }
    if (!run.complete) {
      const first = firstIncomplete.get(externalId) ?? now();
      firstIncomplete.set(externalId, first);
      if (now() - first < settleMs) return false;
      o.log.warn({ deviceId: t.deviceId, externalId }, 'irrigation run recorded with reports missing');
    }
    firstIncomplete.delete(externalId);
    done.add(externalId);
    const endTs = run.endTs ?? run.startTs;
    const hours = (endTs - run.startTs) / 3_600_000;
    if (endTs - run.startTs > MAX_RUN_MS) {
      o.log.warn({ deviceId: t.deviceId, externalId, hours }, 'irrigation run longer than 24 h not recorded');
      return true;
    }
    const volumeM3 = metered ? run.litres / 1000 : hours * (field.pumpFlowM3h ?? 0);
    const how = metered ? `flow meter ${round(volumeM3, 2)} m³` : `${round(hours, 2)} h × ${field.pumpFlowM3h ?? '?'} m³/h (no flow meter)`;
    if (!(volumeM3 > 0)) {
      o.log.warn({ deviceId: t.deviceId, externalId, how }, 'irrigation run without a volume not recorded');
      return true;
    }
    const source: IrrigationSource = metered ? 'flow_meter' : STATE_METRICS[metric];
    // The volume is stored as measured: rounding here and again where it is shown (the API gives 0.01 m³) made
    // 48.1846 m³ read 48.185 → 48.19.
    const durationMin = endTs > run.startTs ? Math.max(0.01, round((endTs - run.startTs) / 60_000, 2)) : null;
    try {
      const { created } = await o.sink.record(t.cooperativeId, field.id, {
        startAt: run.startTs, durationMin, volumeM3, source, recordedBy: `device:${device.id}`,
        note: `${device.name}: ${how}`, externalId,
      }, now());
      if (created) {
        o.log.info({ deviceId: device.id, fieldId: field.id, startAt: run.startTs, volumeM3, source }, 'irrigation recorded from telemetry');
        o.onRecorded?.();
      }
    } catch (err) {
      o.log.warn({ err, deviceId: device.id, externalId }, 'irrigation from telemetry not recorded');
    }
    return true;
  }

  /** At start: every controller's runs of the last `lookbackMs` (those that ended while this process was down). */
  async function catchUp(): Promise<void> {
    const from = now() - (o.lookbackMs ?? 3 * 86_400_000);
    const targets = new Map<string, Target>();
    try {
      for (const cooperativeId of await o.directory.cooperativeIds()) {
        for (const d of await o.directory.devices(cooperativeId)) {
          if (stateMetricOfKind[d.kind] && d.revokedAt === null) targets.set(d.id, { cooperativeId, deviceId: d.id, from, until: Infinity });
        }
      }
    } catch (err) { // the devices listed so far are still caught up; the others when their next readings come
      o.log.error({ err }, 'irrigation from telemetry failed');
    }
    await flush(targets); // never rejects
  }

  return {
    start() {
      unsubscribe = o.source.subscribe(onBatch);
      caughtUp = catchUp(); // in the background: a slow store does not hold up the process's start (idle() waits for it)
      sweep = setInterval(() => { if (pending.size > 0) void flush(pending); }, o.sweepMs ?? 60_000);
      sweep.unref();
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (debounce) clearTimeout(debounce);
      if (sweep) clearInterval(sweep);
      await caughtUp;
      await chain;
    },
    async idle() {
      await caughtUp; // the start's catch-up lists the devices before it queues them
      if (debounce) {
        clearTimeout(debounce);
        debounce = undefined;
        await flush(dirty);
      }
      await chain;
    },
  };
}

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;
