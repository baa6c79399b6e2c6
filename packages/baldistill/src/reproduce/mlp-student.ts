/**
 * The reproduction's student (spec section 5): an MLP on [x, onehot(d)] (24) -> 64 -> 64 with a rationale head
 * (4) and an answer head (4), loss CE(r) + CE(a), retrained from scratch each stage for 300 Adam steps
 * (lr 3e-3, batch 32). The two linear heads on the shared 64-wide trunk are one 64 -> 8 Dense whose outputs
 * are split [rationale | answer]. IFD: y_s = argmax p(a | x, d), IFD = p(y_s | 0) / p(y_s | x, d).
 */
import { MLP } from '@paperkit/tensor-core';
import { classifierStudent, type ClassifierStudent } from '../classifier-student.js';
import { DIM, REASONS, type WorldInput } from './world.js';

export function mlpStudent(domains: number, o: { steps?: number } = {}): ClassifierStudent<WorldInput> {
  const inputDim = DIM + domains;
  return classifierStudent<WorldInput>({
    inputDim,
    rationaleClasses: REASONS,
    answerClasses: REASONS,
    featurize: (input) => {
      const row = new Float32Array(inputDim);
      row.set(input.x);
      row[DIM + input.d] = 1;
      return row;
    },
    createNet: (seed) => new MLP({ sizes: [inputDim, 64, 64, 2 * REASONS], seed: `mlp-student/${seed}` }),
    steps: o.steps ?? 300,
    batchSize: 32,
    lr: 3e-3,
  });
}
