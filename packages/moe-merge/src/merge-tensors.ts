/**
 * One entry point for every tensor merge rule of spec section 2, with
 * mergekit's defaults and MergeME's settings as a named preset.
 *
 * The engine walks the tensor in chunks: for TIES it first finds each task
 * vector's trim threshold (two streaming passes, magnitude-threshold.ts), then
 * one pass reads the base and every expert chunk, sparsifies, elects signs and
 * writes the merged chunk. Peak memory is the output plus (experts + 1) chunks,
 * whatever the tensor size, which is what keeps `buildMoE` under its bound.
 */
import { createRng, OptionError, ShapeError, type Rng, type Seed } from '@paperkit/tensor-core';
import { dareDropChunk, type DareRescale } from './merge-methods/dare.js';
import { linearChunk } from './merge-methods/linear.js';
import { magnitudeThreshold, sourceChunks } from './merge-methods/magnitude-threshold.js';
import { taskVectorChunk } from './merge-methods/task-arithmetic.js';
import { arraySource, type TensorSource } from './merge-methods/tensor-source.js';
import { disjointMergeChunk, electSigns, TrimState, type Consensus } from './merge-methods/ties.js';

export type MergeMethod = 'linear' | 'task_arithmetic' | 'ties' | 'dare_linear' | 'dare_ties';
export const MERGE_METHODS: readonly MergeMethod[] = ['linear', 'task_arithmetic', 'ties', 'dare_linear', 'dare_ties'];

export interface MergeOptions {
  /** Scale of the merged task vector (default 1, mergekit). */
  lambda?: number;
  /** Divide by the (agreeing) weight mass. Default: true for linear and ties, false otherwise (mergekit). */
  normalize?: boolean;
  /** Sign election for ties/dare_ties: 'sum' of weighted values (default) or 'count' of weighted signs. */
  consensus?: Consensus;
  /** DARE rescaling of kept entries (default 'inverse-density'). */
  rescale?: DareRescale;
  /** Density used for experts that give none (default 1). */
  density?: number;
  /** Seed of the DARE drop (default 0). */
  seed?: Seed;
  /** Label mixed into the DARE seed so different tensors get different masks (default ''). */
  key?: string;
  /** Elements per chunk (default 1<<18: 1 MB of float32 per source). */
  chunkSize?: number;
}

export interface ExpertTensor {
  data: Float32Array;
  /** w_i (default 1). */
  weight?: number;
  /** Kept fraction for ties/dare (default: options.density, else 1). */
  density?: number;
}

export interface ExpertSource {
  source: TensorSource;
  weight?: number;
  density?: number;
}

/** mergekit defaults (registry.py / generalized_task_arithmetic.py): density 1, lambda 1, normalise only linear and ties. */
export const MERGEKIT_DEFAULTS: Readonly<Record<MergeMethod, Required<Pick<MergeOptions, 'lambda' | 'normalize' | 'density'>>>> = {
  linear: { lambda: 1, normalize: true, density: 1 },
  task_arithmetic: { lambda: 1, normalize: false, density: 1 },
  ties: { lambda: 1, normalize: true, density: 1 },
  dare_linear: { lambda: 1, normalize: false, density: 1 },
  dare_ties: { lambda: 1, normalize: false, density: 1 },
};

/**
 * MergeME's shared-layer setting (spec section 2, "MergeME's choices"): density 0.8,
 * lambda 1/3 with three experts and no normalisation, i.e. a mean of the kept task vectors.
 */
export const MERGEME_PRESET = Object.freeze({ density: 0.8, lambda: 1 / 3, normalize: false });

/** Merge in-memory tensors (all the same length). `base` is required except for 'linear'. */
export function mergeTensors(
  method: MergeMethod,
  base: Float32Array | null,
  experts: ExpertTensor[],
  options: MergeOptions = {},
): Float32Array {
  return mergeTensorSources(
    method,
    base === null ? null : arraySource(base),
    experts.map((e) => ({ source: arraySource(e.data), weight: e.weight, density: e.density })),
    options,
  );
}

/** The chunked engine behind `mergeTensors`, for tensors read lazily from disk. */
export function mergeTensorSources(
  method: MergeMethod,
  base: TensorSource | null,
  experts: ExpertSource[],
  options: MergeOptions = {},
): Float32Array {
  if (!MERGE_METHODS.includes(method)) throw new OptionError('method', MERGE_METHODS.join('|'), method);
  if (experts.length === 0) throw new OptionError('experts', 'at least one expert tensor', 0);
  const numel = experts[0].source.numel;
  experts.forEach((e, i) => {
    if (e.source.numel !== numel) throw new ShapeError(`expert ${i} tensor`, `${numel} elements like expert 0`, `${e.source.numel} elements`);
  });
  if (base && base.numel !== numel) throw new ShapeError('base tensor', `${numel} elements like the experts`, `${base.numel} elements`);
  if (method !== 'linear' && !base) throw new OptionError('base', `a base tensor for ${method}`, null);

  const defaults = MERGEKIT_DEFAULTS[method];
  const lambda = options.lambda ?? defaults.lambda;
  const normalize = options.normalize ?? defaults.normalize;
  const consensus = options.consensus ?? 'sum';
  if (consensus !== 'sum' && consensus !== 'count') throw new OptionError('consensus', "'sum' or 'count'", consensus);
  const rescale = options.rescale ?? 'inverse-density';
  if (rescale !== 'inverse-density' && rescale !== 'none') throw new OptionError('rescale', "'inverse-density' or 'none'", rescale);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 1 << 18));
  const weights = experts.map((e) => e.weight ?? 1);
  const densities = experts.map((e) => e.density ?? options.density ?? defaults.density);
  densities.forEach((d, i) => {
    if (!(d > 0 && d <= 1)) throw new OptionError(`experts[${i}].density`, 'a number in (0, 1]', d);
  });
  if (!Number.isFinite(lambda)) throw new OptionError('lambda', 'a finite number', lambda);

  const out = new Float32Array(numel);
  const n = experts.length;
  const chunkLen = Math.min(chunkSize, Math.max(numel, 1));
  const taus = experts.map(() => new Float32Array(chunkLen));

  if (method === 'linear') {
    for (let start = 0; start < numel; start += chunkSize) {
      const end = Math.min(numel, start + chunkSize);
      linearChunk(experts.map((e) => e.source.read(start, end)), weights, normalize, out.subarray(start, end));
    }
    return out;
  }

  const b = base as TensorSource;
  const usesTrim = method === 'ties';
  const usesDare = method === 'dare_linear' || method === 'dare_ties';
  const usesSigns = method === 'ties' || method === 'dare_ties';
  const scratch = new Float32Array(chunkLen);

  const trims: (TrimState | null)[] = experts.map((e, i) => {
    if (!usesTrim || densities[i] >= 1) return null;
    const k = Math.floor(densities[i] * numel);
    const limit = magnitudeThreshold(
      numel,
      k,
      sourceChunks(e.source, chunkSize, (chunk, start) => {
        const tau = scratch.subarray(0, chunk.length);
        taskVectorChunk(chunk, b.read(start, start + chunk.length), tau);
        return tau;
      }),
    );
    return new TrimState(limit);
  });
  const seedText = String(options.seed ?? 0);
  const rngs: (Rng | null)[] = experts.map((_, i) =>
    usesDare ? createRng(`${seedText}/dare/${options.key ?? ''}/${i}`) : null,
  );
  const signs = usesSigns ? new Int8Array(chunkLen) : null;

  for (let start = 0; start < numel; start += chunkSize) {
    const end = Math.min(numel, start + chunkSize);
    const len = end - start;
    const baseChunk = b.read(start, end);
    const chunkTaus = taus.map((t) => t.subarray(0, len));
    for (let i = 0; i < n; i++) {
      taskVectorChunk(experts[i].source.read(start, end), baseChunk, chunkTaus[i]);
      trims[i]?.apply(chunkTaus[i]);
      const rng = rngs[i];
      if (rng) dareDropChunk(chunkTaus[i], densities[i], rescale, rng);
    }
    const chunkSigns = signs ? signs.subarray(0, len) : null;
    if (chunkSigns) electSigns(chunkTaus, weights, consensus, chunkSigns);
    disjointMergeChunk(baseChunk, chunkTaus, weights, chunkSigns, normalize, lambda, out.subarray(start, end));
  }
  return out;
}
