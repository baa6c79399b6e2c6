/**
 * The in-memory multimodal graph every part of the toolkit works on (spec §6), plus the feature
 * views the benchmark compares (text only, image only, concatenated text‖image, spec §1 and §4).
 */
import { OptionError, ShapeError } from '@paperkit/tensor-core';

/** Node pairs, e.g. the positive edges of a split. */
export interface Pairs {
  src: Int32Array;
  dst: Int32Array;
}

/** Ranking pairs: each positive (src[i], dst[i]) has `k` negative targets `neg[i*k .. i*k+k)` (same source). */
export interface RankedPairs extends Pairs {
  neg: Int32Array;
  k: number;
}

/** Link-prediction split (spec §2 `lp-edge-split.pt`): only `train` edges are ever used for message passing. */
export interface EdgeSplit {
  train: Pairs;
  valid: RankedPairs;
  test: RankedPairs;
}

/** Node-classification split (spec §2 `split.pt`). */
export interface NodeSplit {
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

export interface MMGraph {
  numNodes: number;
  /** Graph edges (for LP graphs: the training edges). Either direction may be stored; models symmetrise. */
  src: Int32Array;
  dst: Int32Array;
  /** Row-major [numNodes, dims.text]. */
  text: Float32Array;
  /** Row-major [numNodes, dims.image]. */
  image: Float32Array;
  dims: { text: number; image: number };
  /** Class per node, -1 = missing. */
  labels?: Int32Array;
  /** max(label) + 1 (spec §2: not the count of distinct labels). */
  numClasses?: number;
  nodeSplit?: NodeSplit;
  edgeSplit?: EdgeSplit;
}

/** Which modality a model sees (spec §4: each model × {text, image, text+image}). */
export type FeatureView = 'text' | 'image' | 'both';
export const FEATURE_VIEWS: readonly FeatureView[] = ['text', 'image', 'both'];

/** Features of one view as a row-major matrix; 'both' is [text ‖ image] per node, text first (spec §2). */
export function featureView(g: MMGraph, view: FeatureView): { data: Float32Array; dim: number } {
  if (view === 'text') return { data: g.text, dim: g.dims.text };
  if (view === 'image') return { data: g.image, dim: g.dims.image };
  if (view !== 'both') throw new OptionError('features', "'text' | 'image' | 'both'", view);
  const { text: dt, image: di } = g.dims;
  const dim = dt + di;
  const out = new Float32Array(g.numNodes * dim);
  for (let i = 0; i < g.numNodes; i++) {
    out.set(g.text.subarray(i * dt, (i + 1) * dt), i * dim);
    out.set(g.image.subarray(i * di, (i + 1) * di), i * dim + dt);
  }
  return { data: out, dim };
}

/** Check array lengths and index ranges of a user-built graph; throws ShapeError/OptionError naming the field. */
export function validateMMGraph(g: MMGraph): void {
  const n = g.numNodes;
  if (!Number.isInteger(n) || n < 1) throw new OptionError('numNodes', 'a positive integer', n);
  if (g.text.length !== n * g.dims.text) throw new ShapeError('text', `[${n}, ${g.dims.text}]`, `${g.text.length} values`);
  if (g.image.length !== n * g.dims.image) throw new ShapeError('image', `[${n}, ${g.dims.image}]`, `${g.image.length} values`);
  if (g.src.length !== g.dst.length) throw new ShapeError('dst', `[${g.src.length}] like src`, [g.dst.length]);
  checkIndices('src', g.src, n);
  checkIndices('dst', g.dst, n);
  if (g.labels) {
    if (g.labels.length !== n) throw new ShapeError('labels', `[${n}]`, [g.labels.length]);
  }
  if (g.nodeSplit) for (const k of ['train', 'valid', 'test'] as const) checkIndices(`nodeSplit.${k}`, g.nodeSplit[k], n);
  if (g.edgeSplit) {
    for (const k of ['train', 'valid', 'test'] as const) {
      const part = g.edgeSplit[k];
      checkIndices(`edgeSplit.${k}.src`, part.src, n);
      checkIndices(`edgeSplit.${k}.dst`, part.dst, n);
    }
    for (const k of ['valid', 'test'] as const) {
      const part = g.edgeSplit[k];
      if (part.neg.length !== part.src.length * part.k) throw new ShapeError(`edgeSplit.${k}.neg`, `[${part.src.length}, ${part.k}]`, `${part.neg.length} values`);
      checkIndices(`edgeSplit.${k}.neg`, part.neg, n);
    }
  }
}

function checkIndices(name: string, idx: Int32Array, n: number): void {
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= n) throw new OptionError(`${name}[${i}]`, `a node index in [0, ${n})`, idx[i]);
  }
}
