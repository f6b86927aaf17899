// broker/memory-persistence.ts (Aedes' memory store with indexed outgoing queues) passes aedes-persistence
// 11's own abstract test suite (node_modules/aedes-persistence/abstract.js), as every Aedes persistence must.
import { createRequire } from 'node:module';
import { describe } from 'vitest';
import { createMemoryPersistence } from '../../../broker/memory-persistence.js';
import { nodeStyleTest, type NodeStyleTest } from '../../helpers/node-test-adapter.js';

const require = createRequire(import.meta.url);
const abstractPersistence = require('aedes-persistence/abstract.js') as (opts: { test: NodeStyleTest; persistence: (o?: object) => unknown; testAsync: boolean }) => void;

describe('aedes-persistence abstract suite', () => {
  abstractPersistence({ test: nodeStyleTest(), persistence: (o = {}) => createMemoryPersistence({ ...o, broadcastSubscriptions: true }), testAsync: true });
});

// Without broadcast subscriptions (one broker, as `ruong` runs it) topic matches come from the store's own copy
// of the subscription trie, which answers synchronously (broker/direct-publish.ts).
describe('aedes-persistence abstract suite, subscriptions not broadcast', () => {
  abstractPersistence({ test: nodeStyleTest(), persistence: (o = {}) => createMemoryPersistence({ ...o, broadcastSubscriptions: false }), testAsync: true });
});
