// An empty session queue without a stream pipeline (issue 19, CPU per connect; docs/benchmarks.md "Connect CPU").
// Aedes 1.2 reads a session's queued packets on EVERY CONNECT, clean session or not (lib/handlers/connect.js
// `emptyQueue`), and again when a clean client closes (lib/client.js `emptyOutgoingQueue`), always as
// `pipeline(persistence.outgoingStream(client), through(…), done)`. Node 20's `pipeline` gives each call an
// AbortController, an end-of-stream watcher per stream and, when it finishes, `abort()` — which creates a
// DOMException with a captured stack trace. For a queue that is nearly always empty that was ≈ 15 % of the
// broker's time per connect in a profile of 10,000 connects (5 % in the DOMException alone), plus its garbage.
//
// The in-memory persistence knows at once whether a session has queued packets (broker/mqtt311.ts). When it has
// none, `outgoingStream` answers NO_QUEUED_PACKETS, one shared frozen empty array, and `stream.pipeline` — wrapped
// here once for the process — calls back at the next tick, as a pipeline over an empty source does, without
// building one. Every other call of `pipeline` goes to Node's own, unchanged. If the wrapper is not installed,
// Node's pipeline takes the array as the empty iterable it is: the same result, just the slower way.
// Aedes imports `pipeline` from 'stream' as an ES module binding; `syncBuiltinESMExports` points that binding (and
// every other ES import of it) at the wrapper.
import { createRequire, syncBuiltinESMExports } from 'node:module';

/** The answer of `outgoingStream` for a session with nothing queued (an iterable `pipeline` accepts as a source). */
export const NO_QUEUED_PACKETS: readonly never[] = Object.freeze([]);

type Pipeline = (...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
const kOriginal = Symbol('ruong.pipeline.original');
let installed = false;

/** Wraps `stream.pipeline` once (idempotent); returns whether the wrapper is in place. */
export function installEmptyQueueShortcut(): boolean {
  if (installed) return true;
  const stream = require('node:stream') as { pipeline: Pipeline & { [kOriginal]?: Pipeline } };
  const original = stream.pipeline;
  if (original[kOriginal]) return (installed = true);
  function pipeline(this: unknown, ...args: unknown[]): unknown {
    const done = args[args.length - 1];
    if (args[0] === NO_QUEUED_PACKETS && typeof done === 'function') {
      // Nothing flows: the destination is never written to, and the callback gets no error, as Node's would.
      process.nextTick(done);
      return args[args.length - 2];
    }
    return original.apply(this, args);
  }
  // Keep what hangs on Node's function (util.promisify.custom → stream/promises' pipeline).
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    Object.defineProperty(pipeline, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
  Object.defineProperty(pipeline, kOriginal, { value: original });
  stream.pipeline = pipeline;
  syncBuiltinESMExports();
  installed = true;
  return true;
}
