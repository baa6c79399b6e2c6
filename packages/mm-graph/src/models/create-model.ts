/**
 * Build any benchmark model by name for a graph, a feature view and a task, with the spec §5
 * training defaults (2 layers, hidden 32, dropout 0.5), so the runner and the CLI stay generic.
 */
import { OptionError, type Seed } from '@paperkit/tensor-core';
import type { FeatureView, MMGraph } from '../mm-graph.js';
import { featureView } from '../mm-graph.js';
import type { DecoderKind } from '../decoders.js';
import type { GraphEncoder } from './encoder.js';
import { GCN } from './gcn.js';
import { SAGE } from './sage.js';
import { MLPEncoder } from './mlp.js';
import { MMGCN } from './mmgcn.js';

export type ModelName = 'MLP' | 'GCN' | 'GCN-dgl' | 'SAGE' | 'MMGCN';
export const MODEL_NAMES: readonly ModelName[] = ['MLP', 'GCN', 'GCN-dgl', 'SAGE', 'MMGCN'];

export interface CreateModelOptions {
  task: 'nc' | 'lp';
  features: FeatureView;
  /** Default 32. */
  hidden?: number;
  /** Default 2. */
  layers?: number;
  /** Default 0.5. */
  dropout?: number;
  /** MMGCN only. Default 'frozen'. */
  idEmbedding?: 'frozen' | 'trainable' | 'none';
  seed?: Seed;
}

export function createModel(name: ModelName, g: MMGraph, options: CreateModelOptions): GraphEncoder {
  const hidden = options.hidden ?? 32;
  const layers = options.layers ?? 2;
  const dropout = options.dropout ?? 0.5;
  const seed = options.seed ?? 0;
  let outDim = hidden;
  if (options.task === 'nc') {
    if (!g.numClasses) throw new OptionError('graph.numClasses', 'a class count for node classification', g.numClasses);
    outDim = g.numClasses;
  }
  const inDim = featureView(g, options.features).dim;
  switch (name) {
    case 'MLP':
      return new MLPEncoder({ inDim, hidden, outDim, layers, dropout, layerNorm: options.task === 'lp', seed });
    case 'GCN':
      return new GCN({ inDim, hidden, outDim, layers, dropout, seed, norm: 'pyg' });
    case 'GCN-dgl':
      return new GCN({ inDim, hidden, outDim, layers, dropout, seed, norm: 'dgl-both' });
    case 'SAGE':
      return new SAGE({ inDim, hidden, outDim, layers, dropout, seed });
    case 'MMGCN':
      return new MMGCN({
        textDim: options.features === 'image' ? 0 : g.dims.text,
        imageDim: options.features === 'text' ? 0 : g.dims.image,
        numNodes: g.numNodes,
        dim: hidden,
        layers,
        numClasses: options.task === 'nc' ? outDim : undefined,
        idEmbedding: options.idEmbedding ?? 'frozen',
        dropout,
        seed,
      });
    default:
      throw new OptionError('model', MODEL_NAMES.join(' | '), name);
  }
}

/** Decoder each model family uses in MM-GRAPH (spec §2): dot product for MMGCN, Hadamard-MLP otherwise. */
export function defaultDecoder(name: ModelName): DecoderKind {
  return name === 'MMGCN' ? 'dot' : 'hadamard-mlp';
}
