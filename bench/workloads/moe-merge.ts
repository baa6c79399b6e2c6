/**
 * @paperkit/moe-merge bench workloads:
 * - one TIES merge (density 0.8, sign election, disjoint mean) of a 4M-element
 *   tensor from three experts: the per-tensor cost of a shared-layer merge;
 * - one Adam step of the spec's tiny Llama (2 layers, H 32, GQA 4/2 heads,
 *   SwiGLU 64) on a batch of 32 x 24 tokens: the reproduction's training step;
 * - one Adam step of the 3-expert top-2 Mixtral built from it, full and router
 *   only: the fine-tuning stage's steps (issue 19).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, makeOptimizer, softmaxCrossEntropy } from '../../packages/tensor-core/src/index.js';
import { MixtralModel, mergeTensors, mixtralConfig, mixtralTensorPlan, TINY_LLAMA_CONFIG, TinyLlama } from '../../packages/moe-merge/src/index.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

const N = 1 << 22;

export const workloads: BenchWorkload[] = [
  {
    name: 'moe-merge TIES merge, 4M-element tensor x 3 experts',
    noTorch: 'a streaming merge over Float32Arrays in plain JS (no tfjs kernels): not what the tfjs-vs-PyTorch ratio measures',
    async setup(): Promise<BenchStep> {
      const rng = createRng(0);
      const base = rng.normalArray(N);
      const experts = [1, 2, 3].map((k) => {
        const r = createRng(k);
        return { data: Float32Array.from(base, (v) => v + 0.01 * r.normal()) };
      });
      return {
        step: () => {
          mergeTensors('ties', base, experts, { density: 0.8 });
        },
        dispose: () => undefined,
      };
    },
  },
  {
    name: 'moe-merge tiny-Llama Adam step (batch 32 x 24)',
    torch: 'moe-merge-tiny-llama-step',
    async setup(): Promise<BenchStep> {
      const model = new TinyLlama({ seed: 0 });
      const rng = createRng(1);
      const B = 32;
      const T = 24;
      const ids = tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(32)), [B, T], 'int32');
      const labels = tf.tidy(() => tf.cast(tf.oneHot(tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [-1]) as tf.Tensor1D, 32), 'float32'));
      const optimizer = makeOptimizer({ name: 'adam', lr: 3e-3 });
      const vars = model.trainableVariables;
      return {
        step: () => {
          const cost = optimizer.minimize(() => {
            const logits = model.logits(ids);
            return softmaxCrossEntropy(labels, tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, 32]), [-1, 32]));
          }, true, vars);
          cost?.dataSync();
          cost?.dispose();
        },
        dispose: () => {
          tf.dispose([ids, labels]);
          optimizer.dispose();
          model.dispose();
        },
      };
    },
  },
  ...(['full', 'router'] as const).map((mode) => ({
    name: `moe-merge tiny Mixtral (3 experts, top-2) Adam step, ${mode === 'full' ? 'all weights' : 'router only'} (batch 32 x 24)`,
    async setup(): Promise<BenchStep> {
      const rng = createRng(2);
      const plan = mixtralTensorPlan(TINY_LLAMA_CONFIG, 3);
      const tensors = new Map(plan.map((t) => {
        const n = t.shape.reduce((a, b) => a * b, 1);
        return [t.name, { shape: t.shape, data: t.name.includes('norm') ? new Float32Array(n).fill(1) : rng.normalArray(n, 0, 0.2) }];
      }));
      const model = new MixtralModel(mixtralConfig(TINY_LLAMA_CONFIG, 3, 2, 'float32'), tensors, 'bench', { trainable: true });
      const B = 32;
      const T = 24;
      const ids = tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(32)), [B, T], 'int32');
      const labels = tf.tidy(() => tf.cast(tf.oneHot(tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [-1]) as tf.Tensor1D, 32), 'float32'));
      const optimizer = makeOptimizer({ name: 'adam', lr: 3e-3 });
      const vars = mode === 'full' ? model.variables : model.routerVariables;
      return {
        step: () => {
          const cost = optimizer.minimize(() => {
            const logits = model.logits(ids);
            return softmaxCrossEntropy(labels, tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, 32]), [-1, 32]));
          }, true, vars);
          cost?.dataSync();
          cost?.dispose();
        },
        dispose: () => {
          tf.dispose([ids, labels]);
          optimizer.dispose();
          model.dispose();
        },
      };
    },
  })),
];
