// Reproducible randomness for training. tfjs draws every random tensor (initializers, Dropout's
// masks, GaussianNoise, the VAE's Sampling) from a fresh alea generator seeded by one
// Math.random() call, and that happens on the CPU whatever the backend. So running a
// synchronous piece of tfjs work with Math.random replaced by a seeded stream makes all of its
// randomness reproducible — on every backend, for every layer, present and future — without
// threading a seed through each layer. The stream is keyed by position (seed, epoch, batch), so
// a run resumed at a batch draws exactly what the uninterrupted run drew there.
import { rng } from './randomInputs';

/** Runs fn (synchronous) with Math.random drawn from rng(seed); restores it afterwards. */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = rng(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** A 32-bit seed from several integers (a murmur3-style mix), for position-keyed streams. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    let k = Math.imul(p | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
