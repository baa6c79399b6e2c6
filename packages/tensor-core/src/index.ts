/**
 * @paperkit/tensor-core: the substrate every paperkit method builds on.
 * This file is the public API; everything else in src/ is internal.
 *
 * Browser-safe: nothing here imports a Node built-in at load. File paths,
 * atomic writes, the lazy and sharded safetensors readers, the CLI runner and
 * the reproduction writer are in `@paperkit/tensor-core/node` (./node.ts).
 * Everything that needs no tfjs is also in `@paperkit/tensor-core/base`.
 */

export * from './base.js';

// Seeded tensor initialisers
export { randomNormal, randomUniform, glorotUniform, kaimingUniform, fans } from './random.js';

// Backend selection (tfjs-node-gpu > tfjs-node > wasm with cpu fallback kernels > cpu)
export { initBackend, type BackendName, type BackendInfo, type InitBackendOptions } from './backend/init-backend.js';
export { FusedAdamOptimizer, type FusedAdamOptions } from './training/fused-adam.js';

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
export { layerNorm } from './ops/layer-norm.js';
export { rmsNorm } from './ops/rms-norm.js';
export { causalAttention, type CausalAttentionOptions, type AttentionLayout } from './ops/causal-attention.js';
export { fusedOpsEnabled, setFusedOps } from './ops/fused-kernel.js';
export type { CausalMask } from './layers/causal-transformer.js';
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

