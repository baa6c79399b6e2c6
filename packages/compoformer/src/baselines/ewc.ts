/**
 * EWC baseline (harmodt.md S3; compoformer.md section 4):
 *   L + (lambda/2) sum_k F_k (theta_k - theta*_k)^2,  F = E[g^2] from one batch of the finished task,
 *   F <- alpha F_old + (1 - alpha) F_new,  lambda 5000, alpha 0.5 (runs/cw10.sh).
 * Formulas: offline-rl's `ewcPenalty`, `diagonalFisher`, `mergeFisher`.
 */
import * as tf from '@tensorflow/tfjs';
import { diagonalFisher, ewcPenalty, mergeFisher } from '@paperkit/offline-rl';
import { defineOptions, opt } from '@paperkit/tensor-core';
import { LEARNER_RULES, type LearnerBaseOptions } from '../continual-learner.js';
import type { ActionHead } from '../heads.js';
import type { WindowTensors } from '@paperkit/offline-rl';
import { SharedTrunkCL } from './shared-trunk.js';

export interface EWCCLOptions extends LearnerBaseOptions {
  /** Penalty strength. Default 5000. */
  lambda?: number;
  /** Fisher merge weight of the old estimate. Default 0.5. */
  alpha?: number;
  /** Windows in the Fisher batch. Default batchSize. */
  fisherBatch?: number;
}

/** EWCCL's options: the shared ones, lambda and alpha (runs/cw10.sh), and the Fisher batch. */
export const EWCCL_OPTIONS = defineOptions('EWCCL', {
  ...LEARNER_RULES,
  lambda: opt.number({ min: 0, exclusiveMin: true, default: 5000 }),
  alpha: opt.number({ min: 0, max: 1, default: 0.5 }),
  fisherBatch: opt.optional(opt.integer({ min: 1 })),
});
/** EWCCL's defaults. */
export const EWCCL_DEFAULTS = EWCCL_OPTIONS.defaults;

export class EWCCL extends SharedTrunkCL {
  readonly name = 'EWC';
  readonly lambda: number;
  readonly alpha: number;
  /** theta* and the diagonal Fisher, flat (flatTrunk order). */
  private anchor: tf.Tensor1D | null = null;
  private fisher: tf.Tensor1D | null = null;
  private readonly fisherBatch: number;

  constructor(options: EWCCLOptions) {
    const o = EWCCL_OPTIONS.parse(options);
    super('EWC', o);
    this.lambda = o.lambda;
    this.alpha = o.alpha;
    this.fisherBatch = o.fisherBatch ?? this.base.batchSize;
  }

  /** The current diagonal Fisher as one tensor per trunk variable (new tensors, caller disposes); null before the first task ends. */
  get fisherDiagonal(): tf.Tensor[] | null {
    return this.fisher ? this.unflattenTrunk(this.fisher) : null;
  }

  override penalty(): tf.Scalar | null {
    return this.anchor && this.fisher ? ewcPenalty([this.flatTrunk()], [this.anchor], [this.fisher], this.lambda) : null;
  }

  protected override afterTask(windows: WindowTensors, head: ActionHead): void {
    const rows = windows.states.shape[0];
    const n = Math.min(rows, this.fisherBatch);
    const pick = this.rng.fork(`fisher:${this.taskIds().length}`).permutation(rows).subarray(0, n);
    const fresh = tf.tidy(() => {
      const idx = tf.tensor1d(pick, 'int32');
      const { grads } = tf.variableGrads(() => this.taskLoss(windows, idx, head), this.trunkVariables);
      const flat = tf.concat(this.trunkVariables.map((v) => tf.reshape(grads[v.name], [-1]))) as tf.Tensor1D;
      const f = diagonalFisher([[flat]])[0] as tf.Tensor1D;
      return this.fisher ? (mergeFisher([this.fisher], [f], this.alpha)[0] as tf.Tensor1D) : f;
    });
    this.fisher?.dispose();
    this.fisher = fresh;
    this.anchor?.dispose();
    this.anchor = tf.tidy(() => this.flatTrunk());
  }

  override dispose(): void {
    this.anchor?.dispose();
    this.fisher?.dispose();
    super.dispose();
  }
}
