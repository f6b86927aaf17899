// What a `ruong` command prints when it cannot start (issue 16): one line per problem, naming the option or the
// environment variable and what is valid, and an exit code — 2 for a mistake in the command line or the
// configuration, 1 for the machine refusing (a port in use) — instead of a stack. Unknown failures keep their stack.
import type { Config } from '../core/config.js';
import { isRuongError } from '../core/errors.js';
import { UsageError, usageErrorOf } from './args.js';
import { commandHelp } from './help.js';

export interface Failure {
  readonly lines: string[];
  readonly exitCode: number;
}

/** The listeners the platform opens: each port variable and the host variable it binds with. */
const LISTENERS: readonly [port: keyof Config, host: keyof Config][] = [
  ['HTTP_PORT', 'HTTP_HOST'], ['MQTT_PORT', 'MQTT_HOST'], ['MQTT_WS_PORT', 'MQTT_HOST'], ['MQTT_TLS_PORT', 'MQTT_HOST'], ['METRICS_PORT', 'METRICS_HOST'],
];

interface SystemError { code?: string; syscall?: string; port?: number; address?: string }

/** A listen() refused by the machine, told with the variable that chose the port. */
export function listenFailure(command: string, err: unknown, config: Config | undefined): string | undefined {
  const e = err as SystemError | null;
  if (e?.syscall !== 'listen' || !config) return undefined;
  const reads = commandHelp[command]?.env;
  const port = e.port;
  const vars = LISTENERS.filter(([name]) => config[name] === port && port !== undefined && (!reads || reads.includes(name)));
  const prefix = `ruong ${command}:`;
  if (e.code === 'EADDRINUSE') {
    if (vars.length === 1) return `${prefix} ${vars[0]![0]} ${port} is already in use; set ${vars[0]![0]} to a free port`;
    if (vars.length > 1) return `${prefix} port ${port} is already in use: ${vars.map(([n]) => n).join(' and ')} are ${vars.length === 2 ? 'both' : 'all'} ${port}; give each a free port of its own`;
    return `${prefix} port ${port} on ${e.address ?? 'this machine'} is already in use`;
  }
  if (e.code === 'EACCES') {
    const name = vars[0]?.[0] ?? 'the port';
    return `${prefix} ${name} ${port} needs privileges this user lacks (ports below 1024 do); set ${name} to a port from 1024 to 65535`;
  }
  if (e.code === 'EADDRNOTAVAIL') {
    const host = vars[0]?.[1];
    return host
      ? `${prefix} ${host} ${e.address} is not an address of this machine; set ${host} to one of its addresses, or 0.0.0.0 for all`
      : `${prefix} ${e.address} is not an address of this machine`;
  }
  return undefined;
}

/**
 * A zod validation error (a scenario or rule file a command parsed), known by its name and issues rather than
 * `instanceof ZodError`: importing zod here would load it on every command's start path, `ruong broker`'s
 * included, whose configuration no longer needs it (issue 19, docs/benchmarks.md "Broker base memory without zod").
 */
function isZodError(err: unknown): err is Error & { issues: { path: PropertyKey[]; message: string }[] } {
  return err instanceof Error && err.name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues);
}

/** The lines and exit code for an error that ended `ruong <command>`. */
export function describeFailure(command: string, err: unknown, config: Config | undefined): Failure {
  const prefix = `ruong ${command}:`;
  if (err instanceof UsageError) return { lines: [err.message], exitCode: 2 };
  const usage = usageErrorOf(command, err);
  if (usage) return { lines: [usage.message], exitCode: 2 };
  if (isRuongError(err) && err.code === 'CONFIG_INVALID') {
    const issues = err.details?.issues;
    const lines = Array.isArray(issues) && issues.length > 0 ? issues.map((i) => `${prefix} ${String(i)}`) : [`${prefix} ${err.message}`];
    return { lines, exitCode: 2 };
  }
  if (isZodError(err)) {
    return { lines: err.issues.map((i) => `${prefix} ${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`), exitCode: 2 };
  }
  const listen = listenFailure(command, err, config);
  if (listen) return { lines: [listen], exitCode: 1 };
  return { lines: [`${prefix} ${(err as Error | null)?.stack ?? String(err)}`], exitCode: 1 };
}
