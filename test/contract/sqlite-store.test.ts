import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import { readingStoreContract } from './reading-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'ruong-sqlite-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

readingStoreContract('SqliteStore', async () => {
  const store = createSqliteStore({ path: join(dir, `store-${n++}.db`) });
  await store.setup();
  return store;
});
