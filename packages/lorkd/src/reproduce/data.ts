/**
 * Seeded generators of spec section 5.
 *
 * Four-region world (the main table): T = 4 regions (tasks), C = 4 classes,
 * D = 32 input dims, K = 4 latent dims. Region t has a centre mu_t = 1.5 N(0, I_D)
 * and its own orthonormal subspace Q_t (Gram-Schmidt of a D x K Gaussian). A
 * sample draws z ~ N(0, I_K), label y = 2 [z1 z2 > 0] + [z3 z4 > 0] (XOR-type),
 * and x = mu_t + 2 Q_t z + 0.3 eps. Different Q_t per region force a narrow
 * shared network to juggle conflicting subspaces.
 *
 * 16x16 image world (the optional smaller table): region t = one of four fixed
 * "organ" positions, where a Gaussian-windowed grating is drawn; the class is the
 * grating's orientation (0, 45, 90, 135 degrees), mapped to labels by a
 * region-specific permutation; plus pixel noise.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '@paperkit/tensor-core';

export interface TaskArrays {
  /** Row-major features (N x D, or N x 16 x 16 x 1 for images). */
  x: Float32Array;
  /** Local labels 0..C-1. */
  y: Int32Array;
  /** Region (task) ids. */
  task: Int32Array;
  n: number;
  /** Per-sample feature shape. */
  shape: number[];
}

export interface RegionWorldOptions {
  numTasks?: number;
  numClasses?: number;
  dim?: number;
  latent?: number;
}

export interface RegionWorld {
  numTasks: number;
  numClasses: number;
  dim: number;
  latent: number;
  /** Region centres, T x D. */
  mu: Float32Array[];
  /** Region subspaces, T x (D x K) row-major, orthonormal columns. */
  q: Float32Array[];
}

/** Draw the world (centres and subspaces) from `seed`. */
export function makeRegionWorld(seed: number, options: RegionWorldOptions = {}): RegionWorld {
  const { numTasks = 4, numClasses = 4, dim = 32, latent = 4 } = options;
  const rng = createRng(seed).fork('region-world');
  const mu: Float32Array[] = [];
  const q: Float32Array[] = [];
  for (let t = 0; t < numTasks; t++) {
    mu.push(rng.normalArray(dim, 0, 1.5));
    q.push(gramSchmidt(rng.normalArray(dim * latent), dim, latent));
  }
  return { numTasks, numClasses, dim, latent, mu, q };
}

/** Orthonormalise the K columns of a row-major D x K matrix (classical Gram-Schmidt, float64 accumulation). */
export function gramSchmidt(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m);
  for (let j = 0; j < cols; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += out[i * cols + j] * out[i * cols + k];
      for (let i = 0; i < rows; i++) out[i * cols + j] -= dot * out[i * cols + k];
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += out[i * cols + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) out[i * cols + j] /= norm;
  }
  return out;
}

/** `perRegion` samples of every region, regions interleaved in a seeded order. */
export function sampleRegions(world: RegionWorld, rng: Rng, perRegion: number): TaskArrays {
  const { numTasks: T, dim: D, latent: K } = world;
  const n = T * perRegion;
  const order = rng.permutation(n);
  const x = new Float32Array(n * D);
  const y = new Int32Array(n);
  const task = new Int32Array(n);
  const z = new Float64Array(K);
  for (let s = 0; s < n; s++) {
    const row = order[s];
    const t = s % T;
    for (let k = 0; k < K; k++) z[k] = rng.normal();
    const label = 2 * (z[0] * z[1] > 0 ? 1 : 0) + (K > 3 ? (z[2] * z[3] > 0 ? 1 : 0) : 0);
    const q = world.q[t];
    for (let d = 0; d < D; d++) {
      let v = world.mu[t][d] + 0.3 * rng.normal();
      for (let k = 0; k < K; k++) v += 2 * q[d * K + k] * z[k];
      x[row * D + d] = v;
    }
    y[row] = label;
    task[row] = t;
  }
  return { x, y, task, n, shape: [D] };
}

export interface SplitSizes {
  /** Student training rows per region (spec: 500). */
  train: number;
  /** Validation rows per region (for any tuning; never the test split). */
  val: number;
  /** Test rows per region (spec: 1000). */
  test: number;
  /** Teacher training rows per region (spec: 2000). */
  teacher: number;
}

export const FULL_SIZES: SplitSizes = { train: 500, val: 250, test: 1000, teacher: 2000 };

export interface RegionData {
  world: RegionWorld;
  train: TaskArrays;
  val: TaskArrays;
  test: TaskArrays;
  teacher: TaskArrays;
}

/** All four splits of one seed, each from its own forked stream. */
export function makeRegionData(seed: number, sizes: SplitSizes = FULL_SIZES, options: RegionWorldOptions = {}): RegionData {
  const world = makeRegionWorld(seed, options);
  const root = createRng(seed);
  return {
    world,
    train: sampleRegions(world, root.fork('train'), sizes.train),
    val: sampleRegions(world, root.fork('val'), sizes.val),
    test: sampleRegions(world, root.fork('test'), sizes.test),
    teacher: sampleRegions(world, root.fork('teacher'), sizes.teacher),
  };
}

/** Image world: 16 x 16 x 1, four organ positions, four orientations. */
export const IMAGE_SIZE = 16;
const ORGAN_CENTRES: Array<[number, number]> = [[4, 4], [4, 11], [11, 4], [11, 11]];

export function sampleImages(seed: number, label: string, perRegion: number, noise = 0.5): TaskArrays {
  const world = createRng(seed).fork('image-world');
  // Region-specific orientation -> label permutation and grating frequency.
  const perms = ORGAN_CENTRES.map(() => world.permutation(4));
  const freqs = ORGAN_CENTRES.map(() => world.uniform(0.9, 1.4));
  const rng = createRng(seed).fork(`images-${label}`);
  const T = ORGAN_CENTRES.length;
  const n = T * perRegion;
  const order = rng.permutation(n);
  const S = IMAGE_SIZE;
  const x = new Float32Array(n * S * S);
  const y = new Int32Array(n);
  const task = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const row = order[s];
    const t = s % T;
    const orientation = rng.int(4);
    const angle = (orientation * Math.PI) / 4;
    const [cy, cx] = ORGAN_CENTRES[t];
    const oy = cy + rng.uniform(-1, 1);
    const ox = cx + rng.uniform(-1, 1);
    const phase = rng.uniform(0, 2 * Math.PI);
    const c = Math.cos(angle);
    const sn = Math.sin(angle);
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        const dy = i - oy;
        const dx = j - ox;
        const envelope = Math.exp(-(dx * dx + dy * dy) / (2 * 2.5 * 2.5));
        const wave = Math.cos(freqs[t] * (dx * c + dy * sn) + phase);
        x[row * S * S + i * S + j] = envelope * wave + noise * rng.normal();
      }
    }
    y[row] = perms[t][orientation];
    task[row] = t;
  }
  return { x, y, task, n, shape: [S, S, 1] };
}

/** The tensors of a split: x [N, ...shape], y int32 [N], task int32 [N]. Returns new tensors. */
export function toTensors(a: TaskArrays): { x: tf.Tensor; y: tf.Tensor1D; task: tf.Tensor1D } {
  return { x: tf.tensor(a.x, [a.n, ...a.shape]), y: tf.tensor1d(a.y, 'int32'), task: tf.tensor1d(a.task, 'int32') };
}
