/**
 * @paperkit/harmodt bench workload: one HarmoDT inner step (harmodt.md §2: load θ ⊙ m_i,
 * clipped masked gradient, AdamW, restore unowned weights) at the §5 CPU size, B 32.
 * PyTorch twin: bench/torch/harmodt.py ('harmodt-masked-step').
 */
import { createRng, makeOptimizer } from '../../packages/tensor-core/src/index.js';
import { CONFLICT6, PlanarSuite } from '../../packages/offline-rl/src/index.js';
import { HarmoDT } from '../../packages/harmodt/src/index.js';
import type { BenchStep } from '../workload.js';
import type { TorchPairedWorkload } from './offline-rl.js';

export const workloads: TorchPairedWorkload[] = [
  {
    name: 'harmodt masked inner step (B 32, 6 tasks, density 0.8)',
    torch: 'harmodt-masked-step',
    async setup(): Promise<BenchStep> {
      const data = PlanarSuite.create({ tasks: CONFLICT6 }).dataset({ episodesPerTask: 20, seed: 0 });
      const model = new HarmoDT({ stateDim: 8, actDim: 2, numTasks: 6, maxEpisodeLength: 40 });
      const optimizer = makeOptimizer({ name: 'adamw', lr: 1e-3, weightDecay: 1e-4 });
      const batch = data.sampleWindows(2, 32, 5, createRng(1));
      return {
        step: () => {
          const loss = model.maskedStep(batch, 2, optimizer);
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
];
