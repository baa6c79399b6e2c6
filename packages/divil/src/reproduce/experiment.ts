/**
 * One training run of the reproduction (spec section 5): the spec's MLP (in -> 64 -> 64 -> 1,
 * projector 64 -> 128 -> 64) trained with one objective on one seeded dataset, then the
 * over-invariance diagnostics. Every method of a seed starts from the same initial weights.
 */
import { Dense, MLP, createRng } from '@paperkit/tensor-core';
import { createDivil } from '../create-divil.js';
import { coloredDigits, type InvarianceDataset } from '../data/colored-digits.js';
import { weakDetails } from '../data/weak-details.js';
import { overInvarianceReport, type OverInvarianceReport } from '../diagnostics.js';
import type { DivilOptions } from '../options.js';

export type DatasetName = 'digits' | 'details';

/** Sizes of a run; full and quick presets below. */
export interface RunSize {
  perEnv: number;
  testSize: number;
  steps: number;
  annealSteps: number;
  batchSize: number;
  contrastRows: number;
  lr: number;
  hidden: number;
  probeSteps: number;
}

/** Full size: the CMNIST recipe shortened to fit the time budget on 2 shared cores (ours: 200 steps of 128 rows per env, anneal 70, lr 1e-3). */
export const FULL_SIZE: RunSize = { perEnv: 2000, testSize: 2000, steps: 200, annealSteps: 70, batchSize: 128, contrastRows: 32, lr: 1e-3, hidden: 64, probeSteps: 100 };
export const QUICK_SIZE: RunSize = { perEnv: 400, testSize: 400, steps: 60, annealSteps: 20, batchSize: 128, contrastRows: 32, lr: 3e-3, hidden: 32, probeSteps: 60 };

export function makeDataset(name: DatasetName, seed: number, size: RunSize): InvarianceDataset {
  const o = { seed, perEnv: size.perEnv, testSize: size.testSize };
  return name === 'digits' ? coloredDigits(o) : weakDetails(o);
}

export async function trainAndReport(data: InvarianceDataset, seed: number, size: RunSize, options: Partial<DivilOptions>): Promise<OverInvarianceReport> {
  const rng = createRng(seed).fork('model');
  const featurizer = new MLP({ sizes: [data.inputDim, size.hidden, size.hidden], outputActivation: 'relu', rng: rng.fork('featurizer'), name: 'repro/phi' });
  const head = new Dense({ inDim: size.hidden, outDim: 1, rng: rng.fork('head'), name: 'repro/w' });
  const learner = createDivil({ featurizer, head }, { annealSteps: size.annealSteps, contrastRows: size.contrastRows, featureDim: size.hidden, seed, ...options });
  try {
    await learner.fit(data.train, { steps: size.steps, batchSize: size.batchSize, optimizer: { name: 'adam', lr: size.lr } });
    return await overInvarianceReport(learner, data, { probe: { steps: size.probeSteps } });
  } finally {
    learner.dispose();
    featurizer.dispose();
    head.dispose();
  }
}
