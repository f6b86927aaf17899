import { expect } from 'vitest';

/** Asserts |actual − expected| ≤ tol (docs/agronomy.md: ±0.05 against the published, rounded value). */
export function expectWithin(actual: number | undefined, expected: number, tol = 0.05): void {
  expect(actual, `expected ${actual} to be within ±${tol} of ${expected}`).toBeTypeOf('number');
  expect(Math.abs((actual ?? Number.NaN) - expected), `${actual} is not within ±${tol} of ${expected}`).toBeLessThanOrEqual(tol);
}
