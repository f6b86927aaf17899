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

let stdout: LineSink | undefined;

/** The process's stdout as a LineSink, made on first use and shared (one 'error' listener). */
export function stdoutSink(): LineSink {
  return (stdout ??= createLineSink(process.stdout));
}

/** A pino logger; without a destination it writes to `stdoutSink()`. */
export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream | LineSink } = {}): Logger {
  const options = { level: opts.level ?? 'info', name: opts.name ?? 'ruong', redact: redactedPaths };
  return pino(options, (opts.destination ?? stdoutSink()) as pino.DestinationStream);
}

/** A logger that writes nothing — for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
