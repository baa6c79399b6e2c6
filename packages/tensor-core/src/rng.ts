/**
 * One seeded random generator for everything paperkit draws: data generators,
 * shuffles, dropout masks and weight initialisers. Same seed, same bytes, on
 * every backend, because values are drawn in JS and then copied into tensors.
 */
import seedrandom from 'seedrandom';

export type Seed = number | string;

export interface Rng {
  /** The seed this generator was created from (forks append their label). */
  readonly seed: string;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo?: number, hi?: number): number;
  /** Normal draw (Box-Muller, both values used). */
  normal(mean?: number, std?: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T;
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** Fill a Float32Array with normal draws. */
  normalArray(n: number, mean?: number, std?: number): Float32Array;
  /** Fill a Float32Array with uniform draws in [lo, hi). */
  uniformArray(n: number, lo?: number, hi?: number): Float32Array;
  /** A 31-bit integer, e.g. the `seed` argument of a tfjs op that needs one. */
  int32(): number;
  /** An independent child generator: same parent seed and label give the same stream. */
  fork(label: string | number): Rng;
}

/** Create the seeded generator (seedrandom's alea: fast, 32-bit, reproducible). */
export function createRng(seed: Seed = 0): Rng {
  const seedText = String(seed);
  const draw = seedrandom.alea(seedText);
  let spare: number | null = null;

  const rng: Rng = {
    seed: seedText,
    next: () => draw(),
    uniform: (lo = 0, hi = 1) => lo + (hi - lo) * draw(),
    normal(mean = 0, std = 1) {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return mean + std * value;
      }
      let u = 0;
      while (u === 0) u = draw();
      const v = draw();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return mean + std * radius * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor(draw() * n),
    bernoulli: (p) => draw() < p,
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(draw() * (i + 1));
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },
    permutation(n) {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = i;
      return rng.shuffle(out);
    },
    normalArray(n, mean = 0, std = 1) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = rng.normal(mean, std);
      return out;
    },
    uniformArray(n, lo = 0, hi = 1) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * draw();
      return out;
    },
    int32: () => Math.floor(draw() * 0x7fffffff),
    fork: (label) => createRng(`${seedText}/${label}`),
  };
  return rng;
}

/** Accept either a generator or a seed. */
export function toRng(seedOrRng: Seed | Rng | undefined): Rng {
  if (seedOrRng === undefined) return createRng(0);
  return typeof seedOrRng === 'object' ? seedOrRng : createRng(seedOrRng);
}

/** Normal(mean, std) tensor drawn from the seeded generator. */
