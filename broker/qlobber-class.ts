// qlobber's topic trie (emitter, retained-message matching), loaded with `require`: see core/require-commonjs.ts.
import type { Qlobber as QlobberClass } from 'qlobber';
import { requireCommonJs } from '../core/require-commonjs.js';

export const { Qlobber } = requireCommonJs('qlobber') as typeof import('qlobber');
export type Qlobber<V = unknown> = QlobberClass<V>;
