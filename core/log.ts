// pino logging: fixed message text, variable data in the object, errors under `err`.
// Secrets never reach a log line: the redact list covers every field that may carry one.
import { pino, type Logger } from 'pino';

export type { Logger };

export const redactedPaths = [
  'password',
  'secret',
  'token',
  '*.password',
  '*.secret',
  '*.token',
  'req.headers.authorization',
  'headers.authorization',
];

/** Where log lines and the CLI's own lines go: never blocks, never throws (issue 14). */
export interface LineSink {
  write(text: string): void;
  /** Lines refused because the stream was closed or not keeping up. */
  dropped(): number;
}

const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * A sink over a stream the process does not control (stdout, stderr). pino's default destination writes
 * with writeSync and, at exit, retries a failed flush forever; with stdout piped into `head -3` that froze
 * the process (issue 14). Here a closed stream (EPIPE) ends the output, and a reader that does not keep up
 * costs at most `maxBufferedBytes` of memory: later lines are dropped and counted, never waited for.
 */
export function createLineSink(stream: NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean }, maxBufferedBytes = MAX_BUFFERED_BYTES): LineSink {
  let closed = false;
  let dropped = 0;
  stream.on('error', () => { closed = true; }); // EPIPE and friends: the reader has gone
  return {
    write(text) {
      if (closed || stream.destroyed || (stream.writableLength ?? 0) > maxBufferedBytes) {
        dropped++;
        return;
      }
      try {
        stream.write(text);
      } catch {
        closed = true;
        dropped++;
      }
    },
    dropped: () => dropped,
  };
}

/** json: one JSON object per line (for collectors); pretty: "20:51:03 INFO  broker  mqtt broker listening tcp=1883". */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT=auto picks readable lines for a person at a terminal, JSON for a pipe or a file. */
export function resolveLogFormat(setting: 'auto' | LogFormat, isTTY: boolean): LogFormat {
  return setting === 'auto' ? (isTTY ? 'pretty' : 'json') : setting;
}

const LEVELS: Record<number, [label: string, color: string]> = {
  10: ['TRACE', '90'], 20: ['DEBUG', '90'], 30: ['INFO', '32'], 40: ['WARN', '33'], 50: ['ERROR', '31'], 60: ['FATAL', '41;97'],
};
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'service', 'msg', 'err', 'v']);

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

interface LoggedError { type?: string; message?: string; stack?: string; code?: string; syscall?: string }

/**
 * One pino JSON line as a person reads it: local time, level, service, message, then key=value fields.
 * An error shows its message; its stack follows, indented, unless it is a system error (EADDRINUSE,
 * ECONNREFUSED …) whose stack only points into Node's internals. Anything that is not a pino line passes as is.
 */
export function formatLogLine(line: string, opts: { color?: boolean } = {}): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number') return line;
  const paint = (code: string, text: string) => (opts.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const at = new Date(typeof entry.time === 'number' ? entry.time : Date.now());
  const time = `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}`;
  const [label, color] = LEVELS[entry.level] ?? [`L${entry.level}`, '0'];
  const service = typeof entry.service === 'string' ? entry.service : typeof entry.name === 'string' ? entry.name : '';
  const fields = Object.entries(entry).filter(([k]) => !OWN_FIELDS.has(k)).map(([k, v]) => `${k}=${fieldValue(v)}`);
  const err = entry.err as LoggedError | undefined;
  if (err && typeof err === 'object') fields.push(`err=${fieldValue(err.message ?? err.type ?? 'error')}`);
  const text = [paint('2', time), paint(color, label.padEnd(5)), paint('36', service.padEnd(13)), (typeof entry.msg === 'string' ? entry.msg : fieldValue(entry.msg ?? '')), ...fields].join(' ').trimEnd();
  const stack = err?.stack && !err.syscall ? `\n${err.stack.split('\n').slice(1).map((l) => `    ${l.trim()}`).join('\n')}` : '';
  return `${text}${stack}\n`;
}

/** A LineSink that writes each pino line in the pretty format into another LineSink (same non-blocking rules). */
export function prettyLineSink(sink: LineSink, opts: { color?: boolean } = {}): LineSink {
  return {
    write(text) {
      sink.write(text.endsWith('\n') && !text.slice(0, -1).includes('\n') ? formatLogLine(text.slice(0, -1), opts) : text);
    },
    dropped: () => sink.dropped(),
  };
}

let stdout: LineSink | undefined;
let stdoutFormat: { format: LogFormat; color: boolean } = { format: 'json', color: false };
let stdoutLogs: LineSink | undefined;

/** The process's stdout as a LineSink, made on first use and shared (one 'error' listener). */
export function stdoutSink(): LineSink {
  return (stdout ??= createLineSink(process.stdout));
}

/** How loggers without a destination write to stdout (set once by cli/command-line.ts from LOG_FORMAT). */
export function setStdoutLogFormat(format: LogFormat, opts: { color?: boolean } = {}): void {
  stdoutFormat = { format, color: opts.color ?? false };
  stdoutLogs = undefined;
}

function stdoutLogSink(): LineSink {
  if (stdoutFormat.format === 'json') return stdoutSink();
  return (stdoutLogs ??= prettyLineSink(stdoutSink(), { color: stdoutFormat.color }));
}

/** A pino logger; without a destination it writes to `stdoutSink()`, as JSON or pretty lines (setStdoutLogFormat). */
export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream | LineSink } = {}): Logger {
  const options = { level: opts.level ?? 'info', name: opts.name ?? 'ruong', redact: redactedPaths };
  return pino(options, (opts.destination ?? stdoutLogSink()) as pino.DestinationStream);
}

/** A logger that writes nothing — for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
