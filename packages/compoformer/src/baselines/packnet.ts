/**
 * PackNet baseline (Mallya & Lazebnik 2018; harmodt.md S3; compoformer.md
 * section 4): every task trains the free trunk weights and its own head, keeps
 * the top (1 - q) of them by |w| after 4/5 of its budget (q = 0.7), fine-tunes
 * only those for the last 1/5, and is evaluated with the union of masks <= t.
 * The same MaskedTrunk as CompoFormer-Prune, without composition or reuse.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { ContinualLearner, type LearnerBaseOptions, type LearnTaskInput, type LearnTaskResult, type TaskEntry } from '../continual-learner.js';
import { ActionHead } from '../heads.js';
import { MaskedTrunk } from '../masked-trunk.js';
import { maskedActionMse } from '../train-loop.js';
import { disposeWindowTensors, takeWindowRows, trunkFeatures, type WindowTensors } from '@paperkit/offline-rl';

export interface PackNetCLOptions extends LearnerBaseOptions {
  /** Share of free weights released after each task. Default 0.7 (the official PackNet baseline). */
  pruneQuantile?: number;
}

/** PackNetCL's defaults (the official PackNet baseline's q). */
export const PACKNETCL_DEFAULTS = Object.freeze({ pruneQuantile: 0.7 });

export class PackNetCL extends ContinualLearner {
  readonly name = 'PackNet';
  readonly trunk: MaskedTrunk;
  private readonly modules = new Map<string, { index: number; head: ActionHead }>();

  constructor(options: PackNetCLOptions) {
    super('PackNet', options);
    const q = options.pruneQuantile ?? PACKNETCL_DEFAULTS.pruneQuantile;
    if (typeof q !== 'number' || !(q > 0 && q < 1)) throw new OptionError('PackNetCL.pruneQuantile', 'a number in (0, 1)', options.pruneQuantile);
    this.trunk = new MaskedTrunk(this.config, q, `${this.base.seed}:trunk`, 'packnet');
  }

  protected async learn(entry: TaskEntry, input: LearnTaskInput): Promise<Omit<LearnTaskResult, 'id' | 'seconds'>> {
    const m = this.modules.size;
    this.trunk.ownership.requireFree(entry.id);
    const rng = this.rng.fork(entry.id);
    const head = new ActionHead(this.config.embedDim, this.config.actDim, rng, `packnet/${entry.id}/head`);
    this.modules.set(entry.id, { index: m, head });
    const windows = this.windowsFor(entry, input.data.episodes);
    const curve: Array<[number, number]> = [];
    try {
      const r = await this.trunk.trainModule(m, {
        steps: input.steps ?? this.base.stepsPerTask,
        extra: head.trainableVariables,
        rows: windows.states.shape[0],
        batchSize: this.base.batchSize,
        lr: this.base.lr,
        gradClip: this.base.gradClip,
        rng: rng.fork('batches'),
        task: entry.id,
        hooks: input.curve ? { at: input.curve.at, run: async (s) => { curve.push([s, await input.curve!.evaluate(this.policy(entry.id))]); } } : undefined,
        loss: (view, idx) => {
          const batch = takeWindowRows(windows, idx);
          return maskedActionMse(head.apply(trunkFeatures(this.config, view, batch)), batch.actions, batch.mask);
        },
      });
      this.trunk.view(m);
      return {
        reused: false, composedSuccess: null, check: 'none', attention: {}, trainedSteps: r.steps, warmupSteps: 0,
        newParams: r.owned + head.parameterCount(), finalLoss: r.finalLoss, curve,
      };
    } catch (error) {
      this.modules.delete(entry.id);
      head.dispose();
      throw error;
    } finally {
      disposeWindowTensors(windows);
    }
  }

  protected forwardTasks(taskIds: string[], batch: WindowTensors): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, K] = batch.states.shape;
      const D = this.config.embedDim;
      let out: tf.Tensor | null = null;
      for (const id of new Set(taskIds)) {
        const mod = this.modules.get(id)!;
        const frozen = this.trunk.isFrozen(mod.index);
        const phi = tf.reshape(tf.slice(trunkFeatures(this.config, frozen ? this.trunk.view(mod.index) : this.trunk.liveView(), batch), [0, K - 1, 0], [B, 1, D]), [B, D]);
        const sel = tf.tensor2d(taskIds.map((t) => (t === id ? 1 : 0)), [B, 1]);
        const term = tf.mul(mod.head.apply(phi), sel);
        out = out ? tf.add(out, term) : term;
      }
      return out as tf.Tensor2D;
    });
  }

  parameterCount(): number {
    let n = this.trunk.parameterCount();
    for (const m of this.modules.values()) n += m.head.parameterCount();
    return n;
  }

  dispose(): void {
    this.trunk.dispose();
    for (const m of this.modules.values()) m.head.dispose();
  }
}
