/**
 * @paperkit/offline-rl bench workloads (harmodt.md §5 model: D 32, L 2, H 2, K 5, FFN 128):
 * - one clipped Adam step of the Decision Transformer on 32 planar windows (the training hot path);
 * - one evaluator timestep: a batched forward over 120 live episodes (6 tasks x 20).
 * PyTorch twins: bench/torch/offline-rl.py ('dt-step', 'dt-eval-forward').
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, makeOptimizer } from '../../packages/tensor-core/src/index.js';
import { CONFLICT6, DecisionTransformer, PlanarSuite, dtStep } from '../../packages/offline-rl/src/index.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

export type TorchPairedWorkload = BenchWorkload & { torch: string };

function setup(batchSize: number) {
  const suite = PlanarSuite.create({ tasks: CONFLICT6 });
  const data = suite.dataset({ episodesPerTask: 20, seed: 0 });
  const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, seed: 0 });
  const ids = Int32Array.from({ length: batchSize }, (_, i) => i % 6);
  const batch = data.sampleWindows(ids, batchSize, 5, createRng(1));
  return { model, batch };
}

export const workloads: TorchPairedWorkload[] = [
  {
    name: 'offline-rl DT training step (B 32, K 5, D 32, L 2)',
    torch: 'offline-rl-dt-step',
    async setup(): Promise<BenchStep> {
      const { model, batch } = setup(32);
      const optimizer = makeOptimizer({ name: 'adam', lr: 1e-3 });
      return {
        step: () => {
          const loss = dtStep(model, optimizer, batch, 1);
          loss.dataSync();
          loss.dispose();
        },
        dispose: () => {
          optimizer.dispose();
          model.dispose();
        },
      };
    },
  },
  {
    name: 'offline-rl evaluator timestep (120 episodes, one forward)',
    torch: 'dt-eval-forward',
    async setup(): Promise<BenchStep> {
      const { model, batch } = setup(120);
      return {
        step: () => {
          const a = model.predictLast(batch);
          a.dataSync();
          a.dispose();
        },
        dispose: () => model.dispose(),
      };
    },
  },
];

export { tf };
