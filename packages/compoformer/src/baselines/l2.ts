/**
 * L2 baseline (harmodt.md S3; compoformer.md section 4): L + (lambda/2) sum (theta - theta*)^2,
 * theta* = the trunk after the previous task. The formula is offline-rl's `l2Penalty`.
 */
import * as tf from '@tensorflow/tfjs';
import { l2Penalty } from '@paperkit/offline-rl';
import { defineOptions, opt } from '@paperkit/tensor-core';
import { LEARNER_RULES, type LearnerBaseOptions } from '../continual-learner.js';
import { SharedTrunkCL } from './shared-trunk.js';

export interface L2CLOptions extends LearnerBaseOptions {
  /** Penalty strength. Default 5000 (runs/cw10.sh). */
  lambda?: number;
}

/** L2CL's options: the shared ones and lambda (runs/cw10.sh). */
export const L2CL_OPTIONS = defineOptions('L2CL', { ...LEARNER_RULES, lambda: opt.number({ min: 0, exclusiveMin: true, default: 5000 }) });
/** L2CL's defaults. */
export const L2CL_DEFAULTS = L2CL_OPTIONS.defaults;

export class L2CL extends SharedTrunkCL {
  readonly name = 'L2';
  readonly lambda: number;
  /** theta*, flat (flatTrunk order). */
  private anchor: tf.Tensor1D | null = null;

  constructor(options: L2CLOptions) {
    const o = L2CL_OPTIONS.parse(options);
    super('L2', o);
    this.lambda = o.lambda;
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
