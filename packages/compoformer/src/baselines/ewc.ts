/**
 * EWC baseline (harmodt.md S3; compoformer.md section 4):
 *   L + (lambda/2) sum_k F_k (theta_k - theta*_k)^2,  F = E[g^2] from one batch of the finished task,
 *   F <- alpha F_old + (1 - alpha) F_new,  lambda 5000, alpha 0.5 (runs/cw10.sh).
 * Formulas: offline-rl's `ewcPenalty`, `diagonalFisher`, `mergeFisher`.
 */
import * as tf from '@tensorflow/tfjs';
import { diagonalFisher, ewcPenalty, mergeFisher } from '@paperkit/offline-rl';
import { OptionError } from '@paperkit/tensor-core';
import { positiveNumber, type LearnerBaseOptions } from '../continual-learner.js';
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

/** EWCCL's defaults (runs/cw10.sh). */
export const EWCCL_DEFAULTS = Object.freeze({ lambda: 5000, alpha: 0.5 });

export class EWCCL extends SharedTrunkCL {
  readonly name = 'EWC';
  readonly lambda: number;
  readonly alpha: number;
  private anchors: tf.Tensor[] | null = null;
  private fisher: tf.Tensor[] | null = null;
  private readonly fisherBatch: number;

  constructor(options: EWCCLOptions) {
    super('EWC', options);
    this.lambda = positiveNumber('EWCCL.lambda', options.lambda, EWCCL_DEFAULTS.lambda);
    const alpha = options.alpha ?? EWCCL_DEFAULTS.alpha;
    if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new OptionError('EWCCL.alpha', 'a number in [0, 1]', options.alpha);
    this.alpha = alpha;
    this.fisherBatch = options.fisherBatch ?? this.base.batchSize;
  }

  /** The current diagonal Fisher (one tensor per trunk variable), null before the first task ends. */
  get fisherDiagonal(): tf.Tensor[] | null {
    return this.fisher;
  }

  override penalty(): tf.Scalar | null {
    return this.anchors && this.fisher ? ewcPenalty(this.trunkVariables, this.anchors, this.fisher, this.lambda) : null;
  }

  protected override afterTask(windows: WindowTensors, head: ActionHead): void {
    const rows = windows.states.shape[0];
    const n = Math.min(rows, this.fisherBatch);
    const pick = this.rng.fork(`fisher:${this.taskIds().length}`).permutation(rows).subarray(0, n);
    const fresh = tf.tidy(() => {
      const idx = tf.tensor1d(pick, 'int32');
      const { grads } = tf.variableGrads(() => this.taskLoss(windows, idx, head), this.trunkVariables);
      return diagonalFisher([this.trunkVariables.map((v) => grads[v.name])]);
    });
    const merged = this.fisher ? mergeFisher(this.fisher, fresh, this.alpha) : fresh.map((t) => t.clone());
    if (this.fisher) tf.dispose(this.fisher);
    tf.dispose(fresh);
    this.fisher = merged.map((t) => tf.keep(t));
    if (this.anchors) tf.dispose(this.anchors);
    this.anchors = this.trunkVariables.map((v) => tf.keep(v.clone()));
  }

  override dispose(): void {
    if (this.anchors) tf.dispose(this.anchors);
    if (this.fisher) tf.dispose(this.fisher);
    super.dispose();
  }
}
