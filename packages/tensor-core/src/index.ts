/**
 * @paperkit/tensor-core: the substrate every paperkit method builds on.
 * This file is the public API; everything else in src/ is internal.
 */

// Errors
export { PaperkitError, ShapeError, FormatError, OptionError, NonFiniteLossError, BackendError } from './errors.js';

// Backend selection (tfjs-node-gpu > tfjs-node > wasm with cpu fallback kernels > cpu)
export { initBackend, type BackendName, type BackendInfo, type InitBackendOptions } from './backend/init-backend.js';
export { registerWasmFallbackKernels, WASM_FALLBACK_KERNELS } from './backend/wasm-fallback-kernels.js';
export { registerFastWasmKernels, unregisterFastWasmKernels, fastWasmKernelsActive, FAST_WASM_KERNELS } from './backend/fast-wasm-kernels.js';
export { FusedAdamOptimizer, type FusedAdamOptions } from './training/fused-adam.js';

// Seeded randomness
export {
  createRng, toRng, randomNormal, randomUniform, glorotUniform, kaimingUniform, fans,
  type Rng, type Seed,
} from './random.js';

// Training loop
export { fit, trainSteps, type FitOptions, type FitResult, type TrainStepsOptions, type StepInfo, type Callbacks } from './training/fit.js';
export { makeOptimizer, type OptimizerSpec } from './training/optimizer.js';
export { createProgress, type Progress } from './training/progress.js';
export { batchIndices, takeRows } from './training/batches.js';

// Layers
export { Module, collectVariables, ownVariable } from './layers/module.js';
export { MLP, type MLPOptions, type MLPApplyOptions } from './layers/mlp.js';
export { Dense, type DenseOptions } from './layers/dense.js';
export { applyActivation, gelu, type Activation } from './layers/activations.js';
export { seededDropout } from './layers/dropout.js';
export { LoRADense, type LoRADenseOptions, type LoRABase } from './layers/lora-dense.js';
export { MultiAdapterDense, type MultiAdapterDenseOptions } from './layers/multi-adapter-dense.js';
export { MultiAdapterConv2D, type MultiAdapterConv2DOptions } from './layers/multi-adapter-conv2d.js';
export {
  CausalTransformer, CausalSelfAttention, TransformerBlock,
  type CausalTransformerOptions, type TransformerApplyOptions,
} from './layers/causal-transformer.js';
export { LayerNorm, RMSNorm, type NormOptions } from './layers/norms.js';
export { TinyCNN, type TinyCNNOptions } from './layers/tiny-cnn.js';

// Losses
export { softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from './losses/cross-entropy.js';
export { kdLoss, type KDLossOptions } from './losses/kd-loss.js';
export {
  infoNCE, supervisedContrastive, l2NormalizeRows, type InfoNCEOptions, type SupervisedContrastiveOptions,
} from './losses/info-nce.js';
export { linearCKA, rbfCKA, hsic, type CKAOptions, type RBFCKAOptions } from './losses/cka.js';
export { MinibatchCKA, ckaLoss, type CKALossOptions } from './losses/minibatch-cka.js';
export { mse } from './losses/mse.js';
export { stopGradient } from './losses/stop-gradient.js';

// Linear algebra helpers (JS, small matrices)
export { jacobiEigenSymmetric, type EigenResult, type JacobiOptions } from './linalg/jacobi-eig.js';

// Metrics
export { accuracy, argmaxRows, confusionMatrix, type LabelOptions } from './metrics/classification.js';

// I/O
export {
  readSafetensors, writeSafetensors, SAFETENSORS_DTYPES,
  type SafetensorsDType, type SafetensorsTensor, type SafetensorsFile, type TensorMap, type TensorInput,
} from './io/safetensors.js';
export { LazySafetensors, openSafetensors, type SafetensorsTensorInfo } from './io/safetensors-lazy.js';
export { readShardedIndex, writeShardedCheckpoint, type ShardedIndex, type ShardedWriteResult } from './io/sharded.js';
export { readNpy, writeNpy, readNpz, writeNpz, type NpyArray, type NpyDType, type NpyInput } from './io/npy.js';
export { readJsonl, parseJsonlLines, parseJsonlChunks, type JsonlRecord } from './io/jsonl.js';
export { writeFileAtomic, writeDirAtomic } from './io/atomic-write.js';
export { float32ToBfloat16, bfloat16ToFloat32, float32ToFloat16, float16ToFloat32 } from './io/half-float.js';

// Reporting
export {
  summarize, rowsFromSeeds, metricMean,
  type MetricSummary, type ResultRow, type ReproductionResult,
} from './report/reproduction-result.js';
export { formatTable, formatResultTable, formatNumber, formatMeanStd, type Cell } from './report/table.js';
export { resultToSvg, lineChartSvg, barChartSvg, type ChartSeries } from './report/plot.js';
export { parseReproduceArgs, finishReproduction, REPRODUCE_USAGE, type ReproduceArgs } from './report/reproduce-cli.js';

// Self-check (what `pnpm demo` runs for tensor-core)
export { selfCheck } from './self-check.js';
