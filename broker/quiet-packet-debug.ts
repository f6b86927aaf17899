// mqtt-packet 9 calls its `debug` logger about ten times per parsed packet and a few times per written one,
// even when that logger is disabled: each call builds a rest-arguments array and reads the `enabled` getter
// (3–4 % of the broker's CPU at 1,000 devices, docs/benchmarks.md "Broker (issue 3)"). The logger is a
// module-level constant of parser.js and writeToStream.js, so it can only be chosen when those files load.
// This module (imported by broker-service.ts before `aedes`) loads them once, from the same files Aedes
// uses, with `debug` answering a no-op for namespaces that are disabled at that moment; mqtt-packet's code
// is unchanged and `DEBUG=mqtt-packet:*` still gets the real logger. Nothing is changed for other packages
// (the shared `debug` module is put back right after), nor when mqtt-packet was already loaded.
// The same load gives parser.js a `bl` that loads the real one only when first called (issue 19, a broker's base
// memory: docs/benchmarks.md "Broker base memory without zod"): parser.js calls `bl()` only in `_resetState`, which
// broker/slim-parser.ts replaces with a ByteList, so `ruong broker` never loads `bl` and the userland
// `readable-stream` under it (32 modules); a parser that still calls `bl()` (slim-parser's hook not installed)
// gets the real BufferListStream from that first call on.
import { createRequire, Module } from 'node:module';

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
  const blPath = requirePacket.resolve('bl');
  const lazyBl = cache[blPath] === undefined ? lazyModule(blPath, requirePacket) : undefined;
  entry.exports = quietFactory(real);
  try {
    if (lazyBl) cache[blPath] = lazyBl;
    for (const file of files) requirePacket(file);
  } finally {
    entry.exports = real;
    if (lazyBl && cache[blPath] === lazyBl) delete cache[blPath]; // a later require('bl') loads the real module
  }
  return true;
}

/** A loaded module whose export is a function that requires the real module at its first call and forwards to it. */
function lazyModule(path: string, requireFrom: NodeJS.Require): NodeJS.Module {
  let realExport: ((...args: unknown[]) => unknown) | undefined;
  const stand = new Module(path) as NodeJS.Module & { loaded: boolean };
  stand.filename = path;
  stand.loaded = true;
  stand.exports = function loadOnCall(this: unknown, ...args: unknown[]): unknown {
    realExport ??= requireFrom(path) as (...a: unknown[]) => unknown;
    return realExport.apply(this, args);
  };
  return stand;
}

quietPacketDebug();
