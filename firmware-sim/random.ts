// Deterministic randomness for the simulator: the same seed gives the same farm, run after run.
// mulberry32 (Tommy Ettinger's 32-bit generator, public domain) for sequences; a stateless integer
// hash for values that must be a pure function of (seed, slot), e.g. the weather of day N.

export type Rng = () => number;

/** mulberry32: a fast 32-bit PRNG with a 2^32 period; returns uniform numbers in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes integers into one 32-bit seed (murmur3-style finaliser per part). */
export function hashInts(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let k = Math.floor(part) | 0;
    k = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    k = Math.imul(k ^ (k >>> 13), 0xc2b2ae35);
    h = Math.imul(h ^ k ^ (k >>> 16), 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** FNV-1a hash of a string, e.g. a device id turned into its default seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A uniform number in [0, 1) that depends only on (seed, slot): noise without state. */
export function noiseAt(seed: number, slot: number): number {
  return mulberry32(hashInts(seed, slot))();
}

/** Approximately normal (Irwin–Hall with 4 terms, variance-corrected), mean 0 and sd 1. */
export function gaussian(rng: Rng): number {
  return (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
