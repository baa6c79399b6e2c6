/**
 * @paperkit/compoformer bench workload (spec section 5 "Speed"): one training
 * step of a new CompoFormer-Prune module on the ocw-mini model (D 32, L 2,
 * H 2, K 5, batch 32): the trunk under its trainable masked view (owned
 * weights as constants, free weights trained), the composed feature of two
 * frozen earlier modules read from the cache, the fusion head, action MSE,
 * global-norm clip 1 and Adam. PyTorch twin: bench/torch/compoformer.py.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, makeOptimizer } from '../../packages/tensor-core/src/index.js';
import { FusionHead, WeightOwnership } from '../../packages/compoformer/src/index.js';
import { initTrunkWeights, resolveFunctionalTrunkConfig, trunkFeatures, trunkParamSpecs } from '../../packages/offline-rl/src/index.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

const B = 32;
const K = 5;

export const workloads: Array<BenchWorkload & { torch: string }> = [
  {
    name: 'compoformer prune module step (D32 L2 K5, batch 32, cached composition)',
    torch: 'compoformer-prune-step',
    async setup(): Promise<BenchStep> {
      const cfg = resolveFunctionalTrunkConfig({ stateDim: 8, actDim: 2 });
      const rng = createRng(0);
      const vars = initTrunkWeights(cfg, 0, 'bench_compoformer');
      const specs = trunkParamSpecs(cfg).filter((s) => s.prunable);
      const own = new WeightOwnership(Object.fromEntries(specs.map((s) => [s.name, s.shape])));
      // Earlier modules own half the weights (as after task 0 with q = 0.5).
      own.assign(0, Object.fromEntries(specs.map((s) => [s.name, vars[s.name].dataSync() as Float32Array])), 0.5, 'bench');
      const free = own.tensors('free', 1, Object.fromEntries(specs.map((s) => [s.name, s.shape])));
      const frozen = tf.tidy(() => Object.fromEntries(specs.map((s) => [s.name, tf.mul(vars[s.name], tf.sub(1, free[s.name]))])));
      const fusion = new FusionHead(cfg.embedDim, cfg.actDim, rng, 'bench_fusion');
      const batch = {
        states: tf.tensor3d(rng.normalArray(B * K * 8), [B, K, 8]),
        actions: tf.tensor3d(rng.uniformArray(B * K * 2, -1, 1), [B, K, 2]),
        returns: tf.tensor3d(rng.uniformArray(B * K, 0, 1), [B, K, 1]),
        timesteps: tf.tensor2d(Int32Array.from({ length: B * K }, (_, i) => i % K), [B, K], 'int32'),
        mask: tf.ones([B, K]) as tf.Tensor2D,
      };
      const composed = tf.tensor2d(rng.normalArray(B * K * cfg.embedDim), [B * K, cfg.embedDim]);
      const trainable = [...specs.map((s) => vars[s.name]), ...fusion.trainableVariables];
      const optimizer = makeOptimizer({ name: 'adam', lr: 1e-3 });
      const { clipByGlobalNorm } = await import('../../packages/offline-rl/src/index.js');
      return {
        step: () => {
          tf.tidy(() => {
            const { value, grads } = optimizer.computeGradients(() => {
              const view: Record<string, tf.Tensor> = { ...vars };
              for (const s of specs) view[s.name] = tf.add(frozen[s.name], tf.mul(vars[s.name], free[s.name]));
              const phi = tf.reshape(trunkFeatures(cfg, view, batch), [B * K, cfg.embedDim]) as tf.Tensor2D;
              const pred = fusion.apply(composed, phi);
              return tf.mean(tf.square(tf.sub(pred, tf.reshape(batch.actions, [B * K, 2])))) as tf.Scalar;
            }, trainable);
            optimizer.applyGradients(clipByGlobalNorm(grads, 1));
            value.dataSync();
          });
        },
        dispose: () => {
          tf.dispose([...Object.values(vars), ...Object.values(free), ...Object.values(frozen), composed, ...Object.values(batch)]);
          fusion.dispose();
          optimizer.dispose();
        },
      };
    },
  },
];
