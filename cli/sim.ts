// `ruong sim`: the firmware simulator against a broker — a scenario file, or a fleet of N devices.
//   ruong sim --scenario scenarios/network-outage-6h.json --devices-file creds.json [--speed 3600]
//   ruong sim --devices 10000 --broker mqtt://127.0.0.1:1883        (an anonymous broker: load runs)
// A scenario ends when all it measured has been delivered; a fleet runs until Ctrl-C (or --duration).
// Every --stats seconds one JSON line: devices, connected, published, buffered, dropped, rss, cpu.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../core/config.js';
import { RuongError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { DeviceFormat } from '../firmware-sim/device-spec.js';
import { fleetWithCredentials, parseDevicesFile } from '../firmware-sim/fleet.js';
import { runOffline } from '../firmware-sim/offline-run.js';
import { loadScenario, resolveScenario } from '../firmware-sim/scenario.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../firmware-sim/simulator.js';
import { simHelp } from './usage-texts.js';

const options = {
  broker: { type: 'string' }, scenario: { type: 'string' }, devices: { type: 'string' }, 'devices-file': { type: 'string' },
  format: { type: 'string' }, speed: { type: 'string' }, interval: { type: 'string' }, 'hours-ago': { type: 'string' },
  'lns-secret': { type: 'string' }, 'connect-rate': { type: 'string' }, stats: { type: 'string' }, duration: { type: 'string' },
  'dry-run': { type: 'boolean' }, help: { type: 'boolean' },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];

function num(args: Args, name: keyof Args, fallback: number): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new RuongError('CONFIG_INVALID', `--${name} must be a positive number, got ${String(raw)}`);
  return n;
}

/** --speed X, or --speed max: as fast as delivered (firmware-sim/simulator.ts, catchUp 'delivery'). */
function speedOf(args: Args, fallback: number): Pick<SimulatorOptions, 'speed' | 'catchUp'> {
  if (args.speed === 'max') return { speed: fallback, catchUp: 'delivery' };
  return { speed: num(args, 'speed', fallback), catchUp: 'speed' };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RuongError('CONFIG_INVALID', `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** --format F, named in the error when it is not one the fleet speaks. */
function formatOf(value: string): DeviceFormat {
  const parsed = DeviceFormat.safeParse(value);
  if (!parsed.success) throw new RuongError('CONFIG_INVALID', `--format ${value}: must be one of ${[...DeviceFormat.options, 'mixed'].join(', ')}`);
  return parsed.data;
}

/** What to simulate, from the arguments. */
function plan(config: Config, args: Args): Omit<SimulatorOptions, 'brokerUrl' | 'log'> & { scenario: boolean } {
  const file = args['devices-file'] ? parseDevicesFile(readJson(args['devices-file']), args['devices-file']) : undefined;
  if (args.scenario) {
    const scenario = loadScenario(args.scenario);
    const run = resolveScenario(scenario, { nowMs: Date.now(), secrets: file?.secrets });
    return { ...run, ...speedOf(args, run.speed), intervalS: num(args, 'interval', run.intervalS), scenario: true };
  }
  const count = num(args, 'devices', file?.specs.length ?? 0);
  if (!args.devices && !file) throw new RuongError('CONFIG_INVALID', `give --scenario FILE or --devices N\n\n${simHelp}`);
  const format = args.format === undefined || args.format === 'mixed' ? args.format : formatOf(args.format);
  return {
    devices: fleetWithCredentials({ count, format }, file),
    ...speedOf(args, 1),
    intervalS: num(args, 'interval', 600),
    startMs: Date.now() - (args['hours-ago'] === undefined ? 0 : num(args, 'hours-ago', 1)) * 3_600_000,
    scenario: false,
  };
}

function lnsSecret(config: Config, args: Args): string | undefined {
  if (args['lns-secret']) return args['lns-secret'];
  const path = join(config.DATA_DIR, 'lns.secret');
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

/** One stats line: the fleet's totals and this process's memory and CPU since the last line. */
function statsLine(sim: Simulator, last: { cpu: NodeJS.CpuUsage; at: number }): string {
  const cpu = process.cpuUsage(last.cpu);
  const now = Date.now();
  const cpuPct = ((cpu.user + cpu.system) / 1000 / Math.max(1, now - last.at)) * 100;
  last.cpu = process.cpuUsage();
  last.at = now;
  const mem = process.memoryUsage();
  return JSON.stringify({ t: new Date(now).toISOString(), ...sim.totals(), rssMB: Math.round(mem.rss / 1e6), heapMB: Math.round(mem.heapUsed / 1e6), cpuPct: Math.round(cpuPct * 10) / 10 });
}

export async function runSim(config: Config, argv: string[], out: (line: string) => void): Promise<number> {
  const { values: args } = parseArgs({ args: argv, options, strict: true });
  if (args.help) {
    out(simHelp);
    return 0;
  }
  const p = plan(config, args);
  if (args['dry-run']) {
    if (!p.scenario || p.startMs === undefined || p.untilMs === undefined) throw new RuongError('CONFIG_INVALID', '--dry-run needs --scenario');
    for (const [deviceId, d] of runOffline({ ...p, startMs: p.startMs, untilMs: p.untilMs })) {
      for (const e of d.entries) out(JSON.stringify({ deviceId, ts: new Date(e.ts).toISOString(), seq: e.seq, readings: e.readings }));
    }
    return 0;
  }
  const log = createLogger({ level: config.LOG_LEVEL, name: 'ruong-sim' });
  const brokerUrl = args.broker ?? `mqtt://${config.PUBLIC_HOST}:${config.MQTT_PORT}`;
  const anonymous = p.devices.filter((d) => d.secret === undefined && d.format !== 'chirpstack' && d.format !== 'tts').length;
  if (anonymous > 0) log.warn({ anonymous }, 'devices without a secret connect anonymously: the broker must allow it');
  const sim = createSimulator({ ...p, brokerUrl, log, lnsSecret: lnsSecret(config, args), connectRatePerS: num(args, 'connect-rate', 2000) });
  const last = { cpu: process.cpuUsage(), at: Date.now() };
  let stopping: Promise<void> | undefined;
  const done = new Promise<void>((resolve) => {
    const stop = (): void => {
      stopping ??= sim.stop().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const started = Date.now();
    const duration = args.duration === undefined ? Infinity : num(args, 'duration', 1) * 1000;
    const every = num(args, 'stats', 10) * 1000;
    let nextStats = started + every;
    const timer = setInterval(() => {
      if (Date.now() >= nextStats) {
        out(statsLine(sim, last));
        nextStats += every;
      }
      if ((p.scenario && sim.finished()) || Date.now() - started >= duration) {
        clearInterval(timer);
        stop();
      }
    }, 200);
  });
  await sim.start();
  log.info({ brokerUrl, devices: p.devices.length, speed: p.catchUp === 'delivery' ? 'max' : p.speed, intervalS: p.intervalS }, 'ruong sim running');
  await done;
  out(statsLine(sim, last));
  return 0;
}
