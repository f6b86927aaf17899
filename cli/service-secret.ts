// The ingest's MQTT service credential: generated once into DATA_DIR/ingest.secret (mode 0600),
// its hash stored in the registry so the broker can check it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret } from '../core/registry/secrets.js';
import type { Registry } from '../core/registry/registry.js';
import { INGEST_SERVICE } from '../broker/acl.js';

export async function ensureIngestSecret(registry: Registry, dataDir: string): Promise<{ username: string; password: string }> {
  const path = join(dataDir, 'ingest.secret');
  if (!existsSync(path)) writeFileSync(path, `${generateSecret()}\n`, { mode: 0o600 });
  const password = readFileSync(path, 'utf8').trim();
  if (!(await registry.verifyService(INGEST_SERVICE, password))) await registry.setServiceSecret(INGEST_SERVICE, password);
  return { username: INGEST_SERVICE, password };
}
