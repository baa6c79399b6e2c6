/** How LoRKD's training functions name an optimizer: the paper's SGD, Adam, a tensor-core spec or any tf.Optimizer. */
import type * as tf from '@tensorflow/tfjs';
import { OptionError, type OptimizerSpec } from '@paperkit/tensor-core';

export type OptimizerChoice = 'sgd' | 'adam' | OptimizerSpec | tf.Optimizer;

/** The optimizer for a choice: SGD with momentum 0.9 (lr 0.05) by default, Adam lr 3e-3. */
export function resolveOptimizer(choice: OptimizerChoice | undefined, lr: number | undefined): OptimizerSpec | tf.Optimizer {
  if (choice === undefined || choice === 'sgd') return { name: 'momentum', lr: lr ?? 0.05, momentum: 0.9 };
  if (choice === 'adam') return { name: 'adam', lr: lr ?? 3e-3 };
  if (typeof choice === 'object') return choice;
  throw new OptionError('optimizer', "'sgd', 'adam', an optimizer spec or a tf.Optimizer", choice);
}
