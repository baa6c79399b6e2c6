/**
 * @paperkit/mm-graph: the Multimodal Graph Benchmark (MM-GRAPH) as a TypeScript/tfjs toolkit.
 * Public API only; see the README for the tour and docs/methods/mm-graph.md for the method.
 * Browser-safe: reading datasets and .pt files by path is in `@paperkit/mm-graph/node`;
 * the spec §5 reproduction is `@paperkit/mm-graph/reproduce`.
 */

// Data model and feature views (spec §6)
export { featureView, validateMMGraph, FEATURE_VIEWS, type MMGraph, type FeatureView, type EdgeSplit, type NodeSplit, type Pairs, type RankedPairs } from './mm-graph.js';

// torch.save archives read without Python (spec §2), from bytes or any ByteSource; by path in ./node
export { readTorchBytes, openTorchSource, TorchTensor, type TorchFile, type TorchDType, type TorchArray, type ReadTorchOptions } from './pt-reader/torch-file.js';
export { unpickle, UnsupportedPickleGlobal, type PickleValue, type PickleOptions } from './pt-reader/pickle.js';
export { ZipArchive, bytesSource, type ByteSource, type ZipEntry } from './pt-reader/zip.js';
/** .npy/.npz for user exports: tensor-core's readers, re-exported for the spec §6 API. */
export { readNpy, readNpz } from '@paperkit/tensor-core';

// Seeded synthetic two-facet graphs (spec §5)
export { makeSyntheticNC, makeSyntheticLP, edgeHomophily, type SyntheticGraph, type SyntheticOptions, type SyntheticNCOptions, type SyntheticLPOptions } from './synthetic.js';

// Message passing and graph operators
export { SparseAdjacency, gatherRows, DEFAULT_PATH, type MessagePassingPath } from './message-passing.js';
export { pygGcnAdjacency, dglBothAdjacency, meanAdjacency, type GCNNorm } from './normalization.js';
export { GraphInput, makeGraphInput } from './graph-input.js';
export { symmetrize } from './graph-structure.js';

// Models (spec §2)
export { GraphEncoder, type ForwardOptions } from './models/encoder.js';
export { GCN, gcnConv, type GCNOptions } from './models/gcn.js';
export { SAGE, sageConv, type SAGEOptions } from './models/sage.js';
export { MLPEncoder, type MLPEncoderOptions } from './models/mlp.js';
export { MMGCN, type MMGCNOptions } from './models/mmgcn.js';
export { createModel, defaultDecoder, MODEL_NAMES, type ModelName, type CreateModelOptions } from './models/create-model.js';
export { HadamardMLPDecoder, DotDecoder, makeDecoder, type LinkDecoder, type DecoderKind } from './decoders.js';
export { linkBCELoss, bprLoss, uniformNegatives } from './link-loss.js';

// Training with best-validation model selection
export { trainNodeClassification, type TrainNCOptions, type NCResult } from './train-nc.js';
export { trainLinkPrediction, type TrainLPOptions, type LPResult, type LPMetrics } from './train-lp.js';

// OGB-exact evaluation and heuristics
export { evaluateRanking, hitsAtKGlobal, type RankingMetrics } from './evaluate-ranking.js';
/** Accuracy over labelled nodes (−1 ignored): tensor-core's, re-exported for the spec §6 API. */
export { accuracy } from '@paperkit/tensor-core';
export { LinkHeuristic, HEURISTICS, type HeuristicName } from './heuristics.js';

// Benchmark: every model x feature view x seed on a graph (the reproduction is in ./reproduce)
export { runBenchmark, runHeuristic, DEFAULT_MODELS, type BenchmarkRow, type BenchmarkOptions, type Task } from './reproduce/run.js';
export { FULL_SIZE, QUICK_SIZE, type ReproductionSize } from './reproduce/data.js';
