// mqtt-packet 9 calls its `debug` logger about ten times per parsed packet and a few times per written one,
// even when that logger is disabled: each call builds a rest-arguments array and reads the `enabled` getter
// (3–4 % of the broker's CPU at 1,000 devices, docs/benchmarks.md "Broker (issue 3)"). The logger is a
// module-level constant of parser.js and writeToStream.js, so it can only be chosen when those files load.
// This module (imported by broker-service.ts before `aedes`) loads them once, from the same files Aedes
// uses, with `debug` answering a no-op for namespaces that are disabled at that moment; mqtt-packet's code
// is unchanged and `DEBUG=mqtt-packet:*` still gets the real logger. Nothing is changed for other packages
// (the shared `debug` module is put back right after), nor when mqtt-packet was already loaded.
import { createRequire } from 'node:module';

type DebugFactory = ((namespace: string) => { enabled: boolean }) & Record<string, unknown>;

const requireHere = createRequire(import.meta.url);

function quietFactory(real: DebugFactory): DebugFactory {
  const quiet = ((namespace: string) => {
    const logger = real(namespace);
    if (logger.enabled) return logger;
    return Object.assign(function quietDebug(): void {}, { enabled: false, namespace });
  }) as DebugFactory;
  return Object.assign(quiet, real);
}

/** Loads mqtt-packet's parser and writer with a no-op logger where theirs is disabled; false if it could not. */
export function quietPacketDebug(): boolean {
  const packetMain = requireHere.resolve('mqtt-packet');
  const requirePacket = createRequire(packetMain);
  const files = [requirePacket.resolve('./parser.js'), requirePacket.resolve('./writeToStream.js')];
  const cache = requireHere.cache;
  if (files.some((file) => cache[file] !== undefined)) return false; // already loaded: leave it
  const debugPath = requirePacket.resolve('debug');
  const real = requirePacket('debug') as DebugFactory;
  const entry = cache[debugPath];
  if (!entry) return false;
  entry.exports = quietFactory(real);
  try {
    for (const file of files) requirePacket(file);
  } finally {
    entry.exports = real;
  }
  return true;
}

quietPacketDebug();
