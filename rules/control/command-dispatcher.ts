// The command dispatcher (issue 17, docs/irrigation-control.md): takes the requested pump and valve commands from
// the registry (the API may run in another process), checks the interlocks again with what is known now, publishes
// on devices/{id}/down at QoS 1 and watches the device's readings for the confirming state — a state reading
// (pump_on / valve_open) with ts ≥ the first send that equals the commanded state (docs/architecture.md "Pumps and
// valves"). Unconfirmed, it sends again every `retryMs` up to `attempts` times; then the command has failed: an
// alert opens through the alert service ("máy bơm … không xác nhận lệnh"), and after an `on` an `off` goes out to
// be safe (a failed `off` sends nothing more; its alert says the pump may still run). A later confirmed command of
// the device resolves the alert.
import type { AlertService } from '../../core/alerts/alert-service.js';
import { DEFAULT_ESCALATE_AFTER_MS } from '../../core/alerts/alert-types.js';
import { checkInterlocks, combineRefusals } from '../../core/commands/interlocks.js';
import { controlTarget, interlockInput, STATE_METRIC, type ControlDeps } from '../../core/commands/command-requests.js';
import type { Command } from '../../core/registry/commands.js';
import type { Logger } from '../../core/log.js';
import type { Service } from '../../core/lifecycle.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { topics } from '../../core/telemetry/topics.js';
import type { ReadingSource } from '../reading-source.js';
import { unconfirmedAlert } from './command-alerts.js';
import { createAutomaticMode } from './automatic-mode.js';
import { createScheduleRunner } from './command-schedules.js';
import { createCommandSchedules } from '../../core/registry/command-schedules.js';

/** Publishes one command; resolves on the broker's PUBACK, rejects when it could not be handed over. */
export interface CommandPublisher {
  publish(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface DispatcherOptions extends ControlDeps {
  readonly source: ReadingSource;
  readonly publisher: CommandPublisher;
  readonly alerts: AlertService;
  readonly log: Logger;
  readonly now?: (() => number) | undefined;
  /** COMMAND_ATTEMPTS (default 3) and COMMAND_RETRY_S (default 60 s) between two. */
  readonly attempts?: number | undefined;
  readonly retryMs?: number | undefined;
  /** How often the registry is polled for requested commands and due retries. */
  readonly pollMs?: number | undefined;
}

export interface CommandDispatcher extends Service {
  /** Runs a pass soon (a command was just requested in this process). */
  poke(): void;
  /** One pass: send what is requested, retry or fail what is due. */
  tick(): Promise<void>;
}

export const commandRuleId = (cooperativeId: string): string => `${cooperativeId}:command`;
export const commandSubject = (deviceId: string): string => `device:${deviceId}:command`;

/** The wire payload (docs/architecture.md): {"id","cmd","action","minutes"} — minutes only with "on". */
export function commandPayload(c: Pick<Command, 'id' | 'cmd' | 'action' | 'minutes'>): string {
  return JSON.stringify(c.action === 'on' ? { id: c.id, cmd: c.cmd, action: c.action, minutes: c.minutes } : { id: c.id, cmd: c.cmd, action: c.action });
}

export function createCommandDispatcher(opts: DispatcherOptions): CommandDispatcher {
  const { commands, alerts, log, publisher } = opts;
  const now = opts.now ?? Date.now;
  const attempts = opts.attempts ?? 3;
  const retryMs = opts.retryMs ?? 60_000;
  const pollMs = opts.pollMs ?? 1_000;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function send(c: Command, attempt: number): Promise<void> {
    try {
      await publisher.publish(topics.down(c.deviceId), commandPayload(c));
      log.info({ commandId: c.id, deviceId: c.deviceId, action: c.action, attempt }, 'command published');
    } catch (err) {
      // counted as an attempt: the next one goes after retryMs, and the last one fails the command
      log.warn({ err, commandId: c.id, deviceId: c.deviceId, attempt }, 'command publish failed');
    }
  }

  async function confirmed(c: Command, reading: { ts: number; value: number }): Promise<void> {
    const done = await commands.finishCommand(c.id, 'confirmed', now(), { values: { stateTs: reading.ts, state: reading.value, attempts: c.attempts } });
    if (!done) return;
    log.info({ commandId: c.id, deviceId: c.deviceId }, 'command confirmed');
    await alerts.autoResolve(commandRuleId(c.cooperativeId), commandSubject(c.deviceId), 'the device confirmed a later command');
  }

  /**
   * A state reading confirms every sent command of its device it matches. A synchronous listener of the ingest's
   * 'stored' event: it must never throw into the ingest's durable writer, nor reject (a registry error is logged; the
   * store confirms the command before its next retry).
   */
  async function onReadings(batch: readonly StoredReading[]): Promise<void> {
    try {
      for (const r of batch) {
        if (r.metric !== 'pump_on' && r.metric !== 'valve_open') continue;
        for (const c of await commands.openCommandsOfDevice(r.deviceId)) {
          if (c.state === 'sent' && STATE_METRIC[c.cmd] === r.metric && c.sentAt !== null && r.ts >= c.sentAt && r.value === (c.action === 'on' ? 1 : 0)) await confirmed(c, r);
        }
      }
    } catch (err) {
      log.error({ err }, 'command confirmation from readings failed');
    }
  }

  /** A requested command: interlocks again, then sent (or refused with the numbers of now). */
  async function dispatch(c: Command): Promise<void> {
    const t = now();
    let target;
    try {
      target = await controlTarget(opts.registry, c.cooperativeId, c.deviceId);
    } catch (err) {
      await commands.finishCommand(c.id, 'refused', t, { interlock: 'device', reason: (err as Error).message });
      return;
    }
    // an off is never refused: it does not depend on the reading store (a store outage must not keep a pump on)
    const refusal = c.action === 'off' ? undefined : combineRefusals(checkInterlocks(await interlockInput(opts, target, c.action, c.minutes, t, c.id)));
    if (refusal) {
      await commands.finishCommand(c.id, 'refused', t, { interlock: refusal.interlock, reason: refusal.text.en, values: { ...refusal.values, reasonVi: refusal.text.vi } });
      log.info({ commandId: c.id, interlock: refusal.interlock }, 'command refused at dispatch');
      return;
    }
    if (!await commands.claimCommand(c.id, t, t + retryMs)) return;
    await send(c, 1);
  }

  /** The store's readings since the first send (a reading the stream did not deliver: another process, a restart). */
  async function confirmFromStore(c: Command): Promise<boolean> {
    if (c.sentAt === null) return false;
    const points = await opts.store.query({ cooperativeId: c.cooperativeId, deviceId: c.deviceId, metric: STATE_METRIC[c.cmd], from: c.sentAt, to: now() + 60_000 });
    const hit = points.find((p) => p.value === (c.action === 'on' ? 1 : 0));
    if (hit) await confirmed(c, hit);
    return hit !== undefined;
  }

  async function due(c: Command): Promise<void> {
    const t = now();
    if (c.nextAttemptAt === null || c.nextAttemptAt > t) return;
    let storeConfirmed = false;
    try {
      storeConfirmed = await confirmFromStore(c);
    } catch (err) {
      // the store is down: not confirmed — the retries and the failure (safety off, alert) go on without it
      log.warn({ err, commandId: c.id, deviceId: c.deviceId }, 'command confirmation from the store failed');
    }
    if (storeConfirmed) return;
    if (c.attempts < attempts) {
      if (await commands.retryCommand(c.id, t, t + retryMs)) await send(c, c.attempts + 1);
      return;
    }
    const reason = `no confirmation after ${c.attempts} attempts over ${Math.round((t - (c.sentAt ?? t)) / 1000)} s`;
    const failed = await commands.finishCommand(c.id, 'failed', t, { reason, values: { attempts: c.attempts, retryS: retryMs / 1000 } });
    if (!failed) return;
    log.warn({ commandId: c.id, deviceId: c.deviceId, attempts: c.attempts }, 'command not confirmed');
    const safetyOff = c.action === 'on' ? await commands.recordCommand({
      cooperativeId: c.cooperativeId, fieldId: c.fieldId, deviceId: c.deviceId, cmd: c.cmd, action: 'off', minutes: null, origin: 'safety',
      requestedBy: 'system', requestedByName: null, note: `safety stop: command ${c.id} was not confirmed`,
    }, t) : undefined;
    let target;
    try { target = await controlTarget(opts.registry, c.cooperativeId, c.deviceId); } catch { target = undefined; }
    const body = unconfirmedAlert(c, target, attempts, retryMs, safetyOff?.id);
    await alerts.raise({
      cooperativeId: c.cooperativeId, farmId: target?.field.farmId ?? null, fieldId: c.fieldId, deviceId: c.deviceId,
      ruleId: commandRuleId(c.cooperativeId), subject: commandSubject(c.deviceId), kind: 'command_unconfirmed', severity: 'critical',
      text: body.text, values: body.values, escalateAfterMs: DEFAULT_ESCALATE_AFTER_MS.critical,
    });
    if (safetyOff) await dispatch(safetyOff);
  }

  async function pass(): Promise<void> {
    let open: Command[];
    try {
      open = await commands.openCommands();
    } catch (err) {
      log.error({ err }, 'command dispatch failed');
      return;
    }
    for (const c of open) {
      if (stopped) return;
      try {
        if (c.state === 'requested') await dispatch(c);
        else await due(c);
      } catch (err) {
        log.error({ err, commandId: c.id }, 'command dispatch failed');
      }
    }
    // automatic fields whose irrigate alert outlived a run: the next run (automatic-mode.ts), sent on the next pass
    if (stopped) return;
    try {
      await automatic.continueRuns();
    } catch (err) {
      log.error({ err }, 'automatic irrigation failed');
    }
  }

  /** A pass started from a timer: its error is logged, never an unhandled rejection (no global handler). */
  function tickLogged(): void {
    tick().catch((err: unknown) => log.error({ err }, 'command dispatch failed'));
  }

  function tick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
    })().finally(() => { running = undefined; });
    return running;
  }

  function poke(): void {
    if (stopped) return;
    setTimeout(() => {
      // a schedule added or removed in this process starts or stops at once
      schedules.reload().catch((err: unknown) => log.error({ err }, 'command schedules reload failed'));
      tickLogged();
    }, 0).unref();
  }
  // fields in automatic mode: an irrigate alert opening commands the field's pump (automatic-mode.ts)
  const automatic = createAutomaticMode({ ...opts, now, commandRequested: poke });
  // scheduled commands: one node-cron task per schedule (command-schedules.ts)
  const schedules = createScheduleRunner({ ...opts, schedules: createCommandSchedules(opts.registry.sql), now, commandRequested: poke });

  return {
    name: 'command-dispatcher',
    poke,
    tick,
    async start() {
      stopped = false;
      unsubscribe = opts.source.subscribe((batch) => { void onReadings(batch); }); // onReadings never rejects
      automatic.start();
      await schedules.start();
      timer = setInterval(tickLogged, pollMs);
      timer.unref();
      log.info({ attempts, retryS: retryMs / 1000 }, 'command dispatcher started');
    },
    async stop() {
      stopped = true;
      automatic.stop();
      await schedules.stop();
      if (timer) clearInterval(timer);
      timer = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
      await running;
      await publisher.close();
    },
  };
}
