/**
 * L2 baseline (harmodt.md S3; compoformer.md section 4): L + (lambda/2) sum (theta - theta*)^2,
 * theta* = the trunk after the previous task. The formula is offline-rl's `l2Penalty`.
 */
import * as tf from '@tensorflow/tfjs';
import { l2Penalty } from '@paperkit/offline-rl';
import type { LearnerBaseOptions } from '../continual-learner.js';
import { positiveNumber } from '../continual-learner.js';
import { SharedTrunkCL } from './shared-trunk.js';

export interface L2CLOptions extends LearnerBaseOptions {
  /** Penalty strength. Default 5000 (runs/cw10.sh). */
  lambda?: number;
}

/** L2CL's defaults (runs/cw10.sh). */
export const L2CL_DEFAULTS = Object.freeze({ lambda: 5000 });

export class L2CL extends SharedTrunkCL {
  readonly name = 'L2';
  readonly lambda: number;
  /** theta*, flat (flatTrunk order). */
  private anchor: tf.Tensor1D | null = null;

  constructor(options: L2CLOptions) {
    super('L2', options);
    this.lambda = positiveNumber('L2CL.lambda', options.lambda, L2CL_DEFAULTS.lambda);
  }

  /** (lambda/2) sum (theta - theta*)^2 over the trunk; null before the first task ends. */
  override penalty(): tf.Scalar | null {
    return this.anchor ? l2Penalty([this.flatTrunk()], [this.anchor], this.lambda) : null;
  }

  protected override afterTask(): void {
    this.anchor?.dispose();
    this.anchor = tf.tidy(() => this.flatTrunk());
  }

  override dispose(): void {
    this.anchor?.dispose();
    super.dispose();
  }
}
