// Runs an upstream abstract test suite written for node:test (`test(name, async t => { t.plan(n);
// t.assert.equal(...) })`, as mqemitter's and aedes-persistence's are) as vitest tests, so our replacements
// of those modules pass the very suites their authors wrote. Supports what those suites use: t.plan,
// t.assert.* (node:assert, counted for the plan), t.fail, t.diagnostic.
import assert from 'node:assert';
import { it } from 'vitest';

type AssertFn = (...args: unknown[]) => unknown;
type NodeTestContext = {
  plan(count: number): void;
  assert: Record<string, AssertFn>;
  fail(message?: string): never;
  diagnostic(message: string): void;
};
export type NodeStyleTest = (name: string, fn: (t: NodeTestContext) => unknown) => void;

/** A `test` function to hand to the upstream suite. */
export function nodeStyleTest(): NodeStyleTest {
  return (name, fn) => {
    it(name, async () => {
      let planned: number | undefined;
      let count = 0;
      const counted = Object.fromEntries(
        Object.entries(assert).filter(([, v]) => typeof v === 'function').map(([k, v]) => [k, (...args: unknown[]) => { count++; return (v as AssertFn)(...args); }]),
      );
      const t: NodeTestContext = {
        plan: (n) => { planned = n; },
        assert: counted,
        fail: (message) => assert.fail(message),
        diagnostic: () => undefined,
      };
      await fn(t);
      if (planned !== undefined) assert.equal(count, planned, `planned ${planned} assertions, ran ${count}`);
    });
  };
}
