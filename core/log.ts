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

export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options = { level: opts.level ?? 'info', name: opts.name ?? 'ruong', redact: redactedPaths };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}

/** A logger that writes nothing — for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
