/**
 * The loop behind RD and every baseline: Adam over the given variables for a fixed number
 * of steps on a seeded batch plan (tensor-core's trainSteps: losses stay on the device
 * until its sync points, every step runs in its own engine scope, so nothing leaks).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, trainSteps, type FitResult, type Seed, type StepInfo } from '@paperkit/tensor-core';
import { batchPlan } from './batch-plan.js';

export interface TrainOnRowsOptions {
  variables: tf.Variable[];
  /** Rows to draw batches from (n, or copies * n for a teacher cache). */
  rows: number;
  batchSize: number;
  steps: number;
  lr: number;
  seed: Seed;
  /** Loss of one batch of row indices, inside the gradient tape. */
  loss: (rows: tf.Tensor1D, step: number) => tf.Scalar;
  onStep?: (info: StepInfo) => void | boolean | Promise<void | boolean>;
  progress?: boolean | string;
}

export async function trainOnRows(options: TrainOnRowsOptions): Promise<FitResult> {
  const plan = batchPlan(options.rows, options.batchSize, options.steps, createRng(options.seed).fork('batches'));
  return trainSteps({
    variables: options.variables,
    optimizer: { name: 'adam', lr: options.lr },
    steps: options.steps,
    progress: options.progress ?? false,
    callbacks: options.onStep ? { onStep: options.onStep } : undefined,
    loss: (step) => options.loss(tf.tensor1d(plan[step], 'int32'), step),
  });
}
