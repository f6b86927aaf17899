// broker/emitter.ts passes mqemitter 7.1's own abstract test suite (node_modules/mqemitter/abstractTest.js):
// the interface Aedes relies on — subscribe/unsubscribe, wildcards, empty levels, close, in-order emits.
import { createRequire } from 'node:module';
import { describe } from 'vitest';
import { Emitter, type EmitterOptions } from '../../../broker/emitter.js';
import { nodeStyleTest, type NodeStyleTest } from '../../helpers/node-test-adapter.js';

const require = createRequire(import.meta.url);
const abstractTests = require('mqemitter/abstractTest.js') as (opts: { builder: (o?: EmitterOptions) => Emitter; test: NodeStyleTest }) => void;

describe('mqemitter abstract suite, unbounded concurrency (mqemitter default)', () => {
  abstractTests({ builder: (o) => new Emitter(o), test: nodeStyleTest() });
});

describe('mqemitter abstract suite, concurrency 1 (every message but one waits in the queue)', () => {
  abstractTests({ builder: (o) => new Emitter({ ...o, concurrency: 1 }), test: nodeStyleTest() });
});
