/**
 * @paperkit/divil bench workloads (spec section 5 model): one Adam step of the reproduction's
 * MLP (98 -> 64 -> 64 -> 1) on two environments of 256 rows each,
 * - with the IRMv1 objective alone, and
 * - with IRMv1 + DivIL (projector 64 -> 128 -> 64, masked views of 64 rows per env,
 *   distance InfoNCE with all negatives, leading half of the projection masked).
 * PyTorch twins: bench/torch/divil.py, same shapes and the same loss.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, MLP, createRng, makeOptimizer } from '../../packages/tensor-core/src/index.js';
import { coloredDigits, createDivil } from '../../packages/divil/src/index.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

function setup(contrastWeight: number): BenchStep {
  const rng = createRng(0);
  const data = coloredDigits({ seed: 0, perEnv: 256, testSize: 2 });
  const featurizer = new MLP({ sizes: [98, 64, 64], outputActivation: 'relu', rng: rng.fork('f') });
  const head = new Dense({ inDim: 64, outDim: 1, rng: rng.fork('h') });
  const learner = createDivil({ featurizer, head }, { objective: 'irm', penaltyWeight: 1e4, annealSteps: 0, contrastWeight, contrastRows: 64, featureDim: 64 });
  const optimizer = makeOptimizer({ name: 'adam', lr: 1e-3 });
  return {
    step() {
      const cost = optimizer.minimize(() => learner.lossTerms(data.train, learner.step++).total, true, learner.trainableVariables);
      cost?.dataSync();
      cost?.dispose();
    },
    dispose() {
      optimizer.dispose();
      learner.dispose();
      featurizer.dispose();
      head.dispose();
      data.dispose();
    },
  };
}

export const workloads: Array<BenchWorkload & { torch: string }> = [
  { name: 'divil IRMv1 training step (2 envs x 256 rows, MLP 98-64-64-1)', torch: 'divil_irm_step', setup: async () => setup(0) },
  { name: 'divil IRMv1 + DivIL training step (+ projector, 2 x 64 masked views)', torch: 'divil_irm_divil_step', setup: async () => setup(0.01) },
];
