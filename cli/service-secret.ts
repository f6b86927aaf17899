// Service MQTT credentials: each secret is generated once into DATA_DIR/<file> (mode 0600), its hash stored
// in the registry so the broker can check it. The ingest's lives in ingest.secret; a LoRaWAN network
// server (ChirpStack, The Things Stack) connects as `ruong-lns` with the secret in lns.secret.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret } from '../core/registry/secrets.js';
import type { Registry } from '../core/registry/registry.js';
import { INGEST_SERVICE, LNS_SERVICE } from '../broker/acl.js';

export async function ensureServiceSecret(registry: Registry, dataDir: string, name: string, file: string): Promise<{ username: string; password: string }> {
  const path = join(dataDir, file);
  createOnce(path, `${generateSecret()}\n`);
  const password = readFileSync(path, 'utf8').trim();
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

export function ensureIngestSecret(registry: Registry, dataDir: string): Promise<{ username: string; password: string }> {
  return ensureServiceSecret(registry, dataDir, INGEST_SERVICE, 'ingest.secret');
}

/** The LoRaWAN network server's credential: username `ruong-lns`, client id starting with `ruong-lns`. */
export function ensureLnsSecret(registry: Registry, dataDir: string): Promise<{ username: string; password: string }> {
  return ensureServiceSecret(registry, dataDir, LNS_SERVICE, 'lns.secret');
}
