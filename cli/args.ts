// The command line as people expect it (issue 16): `--help`/`-h` anywhere before `--` asks for help; an
// unknown option or stray argument is answered with one line naming it and what is valid (exit 2), never a
// stack. Arguments are parsed with node:util parseArgs; its errors (ERR_PARSE_ARGS_*) are turned into that line.
import { parseArgs } from 'node:util';
import { commandHelp, optionsOf, variableDefaults } from './help.js';

/** A mistake on the command line: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** `--help` or `-h` among the arguments (before a `--` that ends the options). */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** The long-running services (start, broker, …) take no arguments: a flag there is a setting in the wrong place. */
export function expectNoArguments(command: string, argv: readonly string[]): void {
  try {
    parseArgs({ args: [...argv], options: {}, strict: true, allowPositionals: false });
  } catch (err) {
    throw usageErrorOf(command, err) ?? err;
  }
}

/** Environment variables an option probably meant: --port → HTTP_PORT, MQTT_PORT …; --data-dir → DATA_DIR. */
function variablesLike(flag: string, env: readonly string[]): string[] {
  const words = flag.replace(/^-+/, '').split('=')[0]!.toUpperCase().split(/[-_]/).filter(Boolean);
  const exact = env.filter((name) => name === words.join('_'));
  if (exact.length > 0) return exact;
  return env.filter((name) => words.length > 0 && words.every((w) => name.split('_').includes(w)));
}

function settingsHint(command: string, flag: string): string {
  const env = commandHelp[command]?.env ?? [];
  const defaults = variableDefaults();
  const like = variablesLike(flag, env);
  const shown = (like.length > 0 ? like : env.slice(0, 3)).map((name) => {
    const def = defaults.get(name) ?? '—';
    return def.startsWith('—') ? name : `${name}=${def}`;
  });
  return `settings come from environment variables${like.length > 0 ? '' : ', e.g.'}: ${shown.join(', ')}`;
}

/** What is valid instead of `flag`, for the one-line message. */
function validHint(command: string, flag: string): string {
  const options = optionsOf(command);
  if (options.length > 0) return `valid: ${options.join(' ')}`;
  if (commandHelp[command]) return settingsHint(command, flag);
  return '';
}

function line(command: string, problem: string, hint: string): string {
  const see = `see ruong ${command} --help`;
  return `ruong ${command}: ${problem} (${hint ? `${hint}; ` : ''}${see})`;
}

/**
 * parseArgs' TypeError (ERR_PARSE_ARGS_UNKNOWN_OPTION, …_UNEXPECTED_POSITIONAL, …_INVALID_OPTION_VALUE) as a
 * UsageError of one line; undefined for any other error.
 */
export function usageErrorOf(command: string, err: unknown): UsageError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const message = (err as Error).message;
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = quoted.split(' ')[0] ?? quoted;
    return new UsageError(line(command, `unknown option ${flag}`, validHint(command, flag)));
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const takesNone = commandHelp[command] && !commandHelp[command].takesOptions;
    return new UsageError(line(command, `unexpected argument "${quoted}"`, takesNone ? settingsHint(command, quoted) : ''));
  }
  const option = /^(-{1,2}[\w-]+)/.exec(quoted)?.[1] ?? quoted;
  const problem = message.includes('argument missing') ? `${option} needs a value` : message.includes('does not take an argument') ? `${option} takes no value` : message.split('\n')[0] ?? message;
  return new UsageError(line(command, problem, ''));
}
