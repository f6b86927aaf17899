// Service MQTT credentials: each secret is generated once, its hash stored in the registry so the broker can check
// it. The ingest's is `ruong-ingest`; a LoRaWAN network server (ChirpStack, The Things Stack) connects as
// `ruong-lns`. Where the plaintext lives depends on the registry: with the embedded SQLite registry, in
// DATA_DIR/ingest.secret and DATA_DIR/lns.secret (mode 0600); with REGISTRY_URL (PostgreSQL, processes on several
// hosts, issue 18) in the registry's platform values, so a broker and an ingest on different hosts agree on it
// without a shared disk.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret } from '../core/registry/secrets.js';
import type { Registry } from '../core/registry/registry.js';
import { INGEST_SERVICE, LNS_SERVICE } from '../broker/acl.js';

/** Where a process finds the service secrets: its DATA_DIR, or the shared registry when REGISTRY_URL is set. */
export interface SecretHome {
  readonly DATA_DIR: string;
  readonly REGISTRY_URL?: string | undefined;
}

/** `home`: the process's config (or just its DATA_DIR, for the embedded registry). */
export async function ensureServiceSecret(registry: Registry, where: SecretHome | string, name: string, file: string): Promise<{ username: string; password: string }> {
  const home: SecretHome = typeof where === 'string' ? { DATA_DIR: where } : where;
  let password: string;
  if (home.REGISTRY_URL) {
    password = await registry.platformValueOnce(`service-secret:${name}`, generateSecret);
  } else {
    const path = join(home.DATA_DIR, file);
    createOnce(path, `${generateSecret()}\n`);
    password = readFileSync(path, 'utf8').trim();
  }
  if (!(await registry.verifyService(name, password))) await registry.setServiceSecret(name, password);
  return { username: name, password };
}

/**
 * Writes the file only if it does not exist, atomically: the content goes to a private temporary file first and
 * is hard-linked into place (link(2) fails with EEXIST when another process won). Two processes started at once
 * on one DATA_DIR (two brokers of a cluster) used to each write their own secret, so one of them checked
 * the ingest's password against a secret the file no longer held.
 */
function createOnce(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(temporary, { force: true });
  }
}

export function ensureIngestSecret(registry: Registry, home: SecretHome | string): Promise<{ username: string; password: string }> {
  return ensureServiceSecret(registry, home, INGEST_SERVICE, 'ingest.secret');
}

/** The LoRaWAN network server's credential: username `ruong-lns`, client id starting with `ruong-lns`. */
export function ensureLnsSecret(registry: Registry, home: SecretHome | string): Promise<{ username: string; password: string }> {
  return ensureServiceSecret(registry, home, LNS_SERVICE, 'lns.secret');
}
