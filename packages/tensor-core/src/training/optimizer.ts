/**
 * Optimizers from a small plain-object spec, so that method packages and
 * their CLIs can take `{name: 'adam', lr: 1e-3}` from options or JSON.
 *
 * SGD and momentum are tfjs's own. Adam and AdamW (Loshchilov & Hutter,
 * "Decoupled Weight Decay Regularization", Algorithm 2: theta_t = theta_{t-1}
 * - lr * (adam_direction + wd * theta_{t-1}), schedule multiplier 1, decay
 * scaled by lr as in PyTorch) are FusedAdamOptimizer, which updates each
 * variable in one kernel on wasm and equals tf.train.adam within float32
 * rounding (see fused-adam.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors.js';
import { FusedAdamOptimizer } from './fused-adam.js';

export interface OptimizerSpec {
  name: 'adam' | 'sgd' | 'momentum' | 'adamw';
  /** Learning rate. Default 1e-3 (adam, adamw) or 1e-2 (sgd, momentum). */
  lr?: number;
  /** Momentum coefficient for 'momentum'. Default 0.9. */
  momentum?: number;
  /** Nesterov momentum for 'momentum'. Default false. */
  nesterov?: boolean;
  /** Decoupled weight decay for 'adamw' (applied to every trained variable). Default 0.01. */
  weightDecay?: number;
  /** Adam's first-moment decay. Default 0.9. */
  beta1?: number;
  /** Adam's second-moment decay. Default 0.999. */
  beta2?: number;
  /** Adam's epsilon. Default 1e-8. */
  epsilon?: number;
}

/** The optimizer fit() uses when none is given. */
export const DEFAULT_OPTIMIZER: OptimizerSpec = Object.freeze({ name: 'adam', lr: 1e-3 }) as OptimizerSpec;

/**
 * Build a tfjs optimizer from a spec; a tf.Optimizer instance is returned as is.
 * Throws OptionError naming the offending field.
 */
export function makeOptimizer(spec: OptimizerSpec | tf.Optimizer = DEFAULT_OPTIMIZER): tf.Optimizer {
  if (spec === null || typeof spec !== 'object') {
    throw new OptionError('optimizer', "a spec like {name: 'adam', lr: 1e-3} or a tf.Optimizer", spec);
  }
  if (isOptimizer(spec)) return spec;
  const name = spec.name;
  const defaultLr = name === 'sgd' || name === 'momentum' ? 1e-2 : 1e-3;
  const lr = positive('optimizer.lr', spec.lr ?? defaultLr);
  const beta1 = inUnit('optimizer.beta1', spec.beta1 ?? 0.9);
  const beta2 = inUnit('optimizer.beta2', spec.beta2 ?? 0.999);
  const epsilon = positive('optimizer.epsilon', spec.epsilon ?? 1e-8);
  switch (name) {
    case 'adam':
      return new FusedAdamOptimizer({ learningRate: lr, beta1, beta2, epsilon });
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, inUnit('optimizer.momentum', spec.momentum ?? 0.9), spec.nesterov ?? false);
    case 'adamw': {
      const wd = spec.weightDecay ?? 0.01;
      if (!Number.isFinite(wd) || wd < 0) throw new OptionError('optimizer.weightDecay', 'a finite number >= 0', wd);
      return new FusedAdamOptimizer({ learningRate: lr, beta1, beta2, epsilon, weightDecay: wd });
    }
    default:
      throw new OptionError('optimizer.name', "'adam', 'sgd', 'momentum' or 'adamw'", name);
  }
}

/**
 * True for a tf.Optimizer. tfjs overrides `instanceof tf.Optimizer` with a duck
 * type check that throws on null/undefined, so test the object first.
 */
export function isOptimizer(value: unknown): value is tf.Optimizer {
  return value !== null && typeof value === 'object' && value instanceof tf.Optimizer;
}

function positive(option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new OptionError(option, 'a finite number > 0', value);
  return value;
}

function inUnit(option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) throw new OptionError(option, 'a number in [0, 1)', value);
  return value;
}
