// Packages whose internals broker/ adapts (docs/architecture.md: pin the exact version and check it at start-up).
// Each entry names what depends on it; a different version stops the broker at start with this list, so an
// upgrade is a decision (re-read those files against the new code) instead of a silent change of behaviour.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const PINNED_VERSIONS: Readonly<Record<string, { readonly version: string; readonly adaptedBy: string }>> = {
  // connect.js (keepalive timer, Session Present from restored subscriptions, emptyQueue), client.js, aedes.js
  // `_finishRegisterClient`, the hooks
  aedes: { version: '1.2.0', adaptedBy: 'broker/mqtt311.ts, broker/direct-publish.ts, broker/ack-gate.ts, broker/guarded-connection.ts, broker/local-registration.ts, broker/empty-queue.ts, broker/store-session-delivery.ts, broker/device-publish.ts' },
  // asyncPersistence.js / callBackPersistence.js: subclassed and deep-imported
  'aedes-persistence': { version: '11.0.0', adaptedBy: 'broker/memory-persistence.ts, broker/mqtt311.ts' },
  'aedes-persistence-redis': { version: '11.2.2', adaptedBy: 'broker/persistence.ts, broker/mqtt311.ts' },
  // parser.js / writeToStream.js loaded with a quiet logger; the parser's buffer and settings, the writer's number cache;
  // writeToStream.js `confirmation` answering true for a PUBACK (broker/device-publish.ts publishes without waiting)
  'mqtt-packet': { version: '9.0.2', adaptedBy: 'broker/quiet-packet-debug.ts, broker/slim-parser.ts, broker/device-publish.ts' },
};

/** The installed version of a package: the package.json above its entry point (Aedes exports no package.json). */
export function installedVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version !== undefined) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`broker: no package.json found for ${name}`);
    dir = parent;
  }
}

/** Throws, naming every difference, when an installed package is not the version broker/ was written against. */
export function assertPinnedVersions(installed: (name: string) => string = installedVersion): void {
  const wrong = Object.entries(PINNED_VERSIONS)
    .map(([name, pin]) => ({ name, pin, found: installed(name) }))
    .filter(({ pin, found }) => found !== pin.version);
  if (wrong.length === 0) return;
  const list = wrong.map(({ name, pin, found }) => `${name} ${found} (broker/ is written against ${pin.version}: ${pin.adaptedBy})`).join('; ');
  throw new Error(`broker: unexpected versions of adapted packages: ${list}`);
}
