/**
 * A trunk whose prunable weights are shared out between modules by
 * WeightOwnership (the Prune variant and the PackNet baseline; spec section 2
 * step 4, harmodt.md S3). Training module m:
 *   phase 1 (4/5 of the steps): train every free weight (owned ones get their
 *     gradient multiplied by 0, so a fresh Adam leaves them bitwise fixed);
 *   prune: module m keeps the (1-q) share of free weights with the largest |w|,
 *     the other free weights are set to 0 and stay free;
 *   phase 2 (1/5): a fresh optimizer fine-tunes only module m's weights.
 * Module j is evaluated with W * (union of masks <= j), cached once it is
 * frozen (those weights never change again).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { WeightOwnership } from './prune-masks.js';
import { trainLoop, type TrainLoopOptions } from './train-loop.js';
import { initTrunkWeights, trunkParamSpecs, type FunctionalTrunkConfig, type TrunkWeightSpec, type TrunkWeights } from '@paperkit/offline-rl';

export interface MaskedTrainOptions extends Omit<TrainLoopOptions, 'variables' | 'loss' | 'steps'> {
  /** Extra trainable variables (heads). */
  extra: tf.Variable[];
  steps: number;
  /** Loss given the trainable trunk view for this step. */
  loss: (view: TrunkWeights, idx: tf.Tensor1D, step: number) => tf.Scalar;
  task: string;
}

export class MaskedTrunk {
  readonly vars: Record<string, tf.Variable>;
  readonly specs: TrunkWeightSpec[];
  readonly ownership: WeightOwnership;
  readonly shapes: Record<string, number[]>;
  private readonly frozenViews = new Map<number, TrunkWeights>();

  constructor(
    readonly config: FunctionalTrunkConfig,
    readonly quantile: number,
    seed: number | string,
    prefix: string,
  ) {
    if (!(quantile > 0 && quantile < 1)) throw new OptionError('pruneQuantile', 'a number in (0, 1)', quantile);
    this.specs = trunkParamSpecs(config);
    this.vars = initTrunkWeights(config, seed, prefix);
    this.shapes = Object.fromEntries(this.specs.filter((s) => s.prunable).map((s) => [s.name, s.shape]));
    this.ownership = new WeightOwnership(this.shapes);
  }

  /** The live weights (what the module being trained sees: owned + free, pruned-away weights are 0). */
  liveView(): TrunkWeights {
    return this.vars;
  }

  /** True once view(m) has been cached (module m finished training). */
  isFrozen(m: number): boolean {
    return this.frozenViews.has(m);
  }

  /** W * (union of masks <= m); cached while `fresh` is false (owned weights never change). */
  view(m: number, fresh = false): TrunkWeights {
    if (!fresh) {
      const cached = this.frozenViews.get(m);
      if (cached) return cached;
    }
    const out: TrunkWeights = tf.tidy(() => {
      const masks = this.ownership.tensors('union', m, this.shapes);
      const v: TrunkWeights = {};
      for (const spec of this.specs) v[spec.name] = spec.prunable ? tf.mul(this.vars[spec.name], masks[spec.name]) : tf.clone(this.vars[spec.name]);
      return v;
    });
    if (!fresh) {
      for (const t of Object.values(out)) tf.keep(t);
      this.frozenViews.set(m, out);
    }
    return out;
  }

  /** Train module m (phase 1, prune, phase 2); returns steps, the weights it now owns and the final loss. */
  async trainModule(m: number, o: MaskedTrainOptions): Promise<{ steps: number; owned: number; finalLoss: number }> {
    this.ownership.requireFree(o.task);
    const phase1 = Math.round((o.steps * 4) / 5);
    const phase2 = o.steps - phase1;
    const prunable = this.specs.filter((s) => s.prunable).map((s) => this.vars[s.name]);
    // Owned weights get a zero gradient (the mask multiplies it before clipping); a fresh
    // Adam per phase then moves them by exactly 0, so they stay bitwise fixed.
    const run = async (kind: 'free' | 'own', steps: number, offset: number) => {
      const trainMask = this.ownership.tensors(kind, m, this.shapes);
      const gradMasks = Object.fromEntries(Object.entries(trainMask).map(([n, t]) => [this.vars[n].name, t]));
      try {
        return await trainLoop({
          ...o,
          steps,
          variables: [...prunable, ...o.extra],
          gradMasks,
          hooks: o.hooks ? { at: o.hooks.at.map((s) => s - offset), run: (s) => o.hooks!.run(s + offset) } : undefined,
          loss: (idx, step) => o.loss(this.vars, idx, step + offset),
        });
      } finally {
        tf.dispose(Object.values(trainMask));
      }
    };
    const r1 = await run('free', phase1, 0);
    const values: Record<string, Float32Array> = {};
    for (const name of this.ownership.names) values[name] = this.vars[name].dataSync() as Float32Array;
    const owned = this.ownership.assign(m, values, this.quantile, o.task);
    // Zero the free weights module m did not keep (they are trained again by later modules).
    tf.tidy(() => {
      const keep = this.ownership.tensors('union', m, this.shapes);
      for (const name of this.ownership.names) this.vars[name].assign(tf.mul(this.vars[name], keep[name]));
    });
    const r2 = phase2 > 0 ? await run('own', phase2, phase1) : r1;
    return { steps: r1.steps + (phase2 > 0 ? r2.steps : 0), owned, finalLoss: r2.finalLoss };
  }

  parameterCount(): number {
    return Object.values(this.vars).reduce((a, v) => a + v.size, 0);
  }

  dispose(): void {
    for (const view of this.frozenViews.values()) tf.dispose(Object.values(view));
    this.frozenViews.clear();
    tf.dispose(Object.values(this.vars));
  }
}
