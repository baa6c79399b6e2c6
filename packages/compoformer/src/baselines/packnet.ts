/**
 * PackNet baseline (Mallya & Lazebnik 2018; harmodt.md S3; compoformer.md
 * section 4): every task trains the free trunk weights and its own head, keeps
 * the top (1 - q) of them by |w| after 4/5 of its budget (q = 0.7), fine-tunes
 * only those for the last 1/5, and is evaluated with the union of masks <= t.
 * The same MaskedTrunk as CompoFormer-Prune, without composition or reuse.
 */
import * as tf from '@tensorflow/tfjs';
import { defineOptions, opt } from '@paperkit/tensor-core';
import { ContinualLearner, LEARNER_RULES, type LearnerBaseOptions, type LearnTaskInput, type LearnTaskResult, type TaskEntry, trainedTask } from '../continual-learner.js';
import { ActionHead } from '../heads.js';
import { MaskedTrunk } from '../masked-trunk.js';
import { maskedActionMse } from '../train-loop.js';
import { disposeWindowTensors, takeWindowRows, trunkFeatures, type WindowTensors } from '@paperkit/offline-rl';

export interface PackNetCLOptions extends LearnerBaseOptions {
  /** Share of free weights released after each task. Default 0.7 (the official PackNet baseline). */
  pruneQuantile?: number;
}

/** PackNetCL's options: the shared ones and q (the official PackNet baseline's 0.7). */
export const PACKNETCL_OPTIONS = defineOptions('PackNetCL', { ...LEARNER_RULES, pruneQuantile: opt.number({ min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.7 }) });
/** PackNetCL's defaults. */
export const PACKNETCL_DEFAULTS = PACKNETCL_OPTIONS.defaults;

export class PackNetCL extends ContinualLearner {
  readonly name = 'PackNet';
  readonly trunk: MaskedTrunk;
  private readonly modules = new Map<string, { index: number; head: ActionHead }>();

  constructor(options: PackNetCLOptions) {
    const o = PACKNETCL_OPTIONS.parse(options);
    super('PackNet', o);
    this.trunk = new MaskedTrunk(this.config, o.pruneQuantile, `${this.base.seed}:trunk`, 'packnet');
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
        ...this.loopSettings(entry, input, windows.states.shape[0], rng, curve),
        steps: input.steps ?? this.base.stepsPerTask,
        extra: head.trainableVariables,
        task: entry.id,
        loss: (view, idx) => {
          const batch = takeWindowRows(windows, idx);
          return maskedActionMse(head.apply(trunkFeatures(this.config, view, batch)), batch.actions, batch.mask);
        },
      });
      this.trunk.view(m);
      return trainedTask(r, r.owned + head.parameterCount(), curve);
    } catch (error) {
      this.modules.delete(entry.id);
      head.dispose();
      throw error;
    } finally {
      disposeWindowTensors(windows);
    }
  }

  protected forwardTasks(taskIds: string[], batch: WindowTensors): tf.Tensor2D {
    return this.perTaskActions(taskIds, batch, (id) => {
      const mod = this.modules.get(id)!;
      return { weights: this.trunk.isFrozen(mod.index) ? this.trunk.view(mod.index) : this.trunk.liveView(), head: mod.head };
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
