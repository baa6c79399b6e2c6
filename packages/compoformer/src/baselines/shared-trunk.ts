/**
 * Baselines on one shared, fully trained trunk with a head per task
 * (compoformer.md section 4, multi-head as in the official code): fine-tuning,
 * and the regularised L2 / EWC variants, which add a penalty to the task loss
 * and refresh their anchors after every task.
 */
import * as tf from '@tensorflow/tfjs';
import { defineOptions } from '@paperkit/tensor-core';
import { ContinualLearner, LEARNER_RULES, type LearnerBaseOptions, type LearnTaskInput, type LearnTaskResult, type ParsedLearnerOptions, type TaskEntry, trainedTask } from '../continual-learner.js';
import { ActionHead } from '../heads.js';
import { maskedActionMse, trainLoop } from '../train-loop.js';
import { disposeWindowTensors, initTrunkWeights, takeWindowRows, trunkFeatures, type WindowTensors } from '@paperkit/offline-rl';

export abstract class SharedTrunkCL extends ContinualLearner {
  protected readonly trunk: Record<string, tf.Variable>;
  protected readonly headsByTask = new Map<string, ActionHead>();

  constructor(prefix: string, options: ParsedLearnerOptions) {
    super(prefix, options);
    this.trunk = initTrunkWeights(this.config, `${this.base.seed}:trunk`, prefix.toLowerCase());
  }

  /** The trunk weights a regulariser anchors (every trainable trunk tensor). */
  protected get trunkVariables(): tf.Variable[] {
    return Object.values(this.trunk).filter((v) => v.trainable);
  }

  /**
   * Every trainable trunk weight in one flat vector, in trunkVariables order (differentiable). The
   * L2/EWC penalties run on it: 4 kernels instead of 4 per weight tensor (44 here), which was a third of
   * an EWC training step on wasm.
   */
  protected flatTrunk(): tf.Tensor1D {
    return tf.concat(this.trunkVariables.map((v) => tf.reshape(v, [-1]))) as tf.Tensor1D;
  }

  /** A flat vector in trunkVariables order back as one tensor per trunk weight (new tensors). */
  protected unflattenTrunk(flat: tf.Tensor): tf.Tensor[] {
    return tf.tidy(() => tf.split(flat, this.trunkVariables.map((v) => v.size)).map((t, i) => tf.reshape(t, this.trunkVariables[i].shape)));
  }

  /** Extra loss term (L2/EWC); null for plain fine-tuning. */
  protected penalty(): tf.Scalar | null {
    return null;
  }

  /** Called after a task is trained, with its windows (anchor refresh, Fisher). */
  protected afterTask(_windows: WindowTensors, _head: ActionHead): void {}

  /** The task loss on rows idx (public for the formula tests). */
  taskLoss(windows: WindowTensors, idx: tf.Tensor1D, head: ActionHead): tf.Scalar {
    const batch = takeWindowRows(windows, idx);
    return maskedActionMse(head.apply(trunkFeatures(this.config, this.trunk, batch)), batch.actions, batch.mask);
  }

  protected async learn(entry: TaskEntry, input: LearnTaskInput): Promise<Omit<LearnTaskResult, 'id' | 'seconds'>> {
    const steps = input.steps ?? this.base.stepsPerTask;
    const rng = this.rng.fork(entry.id);
    const head = new ActionHead(this.config.embedDim, this.config.actDim, rng, `${this.name}/${entry.id}/head`);
    this.headsByTask.set(entry.id, head);
    const windows = this.windowsFor(entry, input.data.episodes);
    const curve: Array<[number, number]> = [];
    try {
      const r = await trainLoop({
        ...this.loopSettings(entry, input, windows.states.shape[0], rng, curve),
        variables: [...this.trunkVariables, ...head.trainableVariables],
        steps,
        loss: (idx) => {
          const task = this.taskLoss(windows, idx, head);
          const extra = this.penalty();
          return extra ? (tf.add(task, extra) as tf.Scalar) : task;
        },
      });
      this.afterTask(windows, head);
      return trainedTask(r, head.parameterCount() + (this.headsByTask.size === 1 ? this.trunkVariables.reduce((a, v) => a + v.size, 0) : 0), curve);
    } catch (error) {
      this.headsByTask.delete(entry.id);
      head.dispose();
      throw error;
    } finally {
      disposeWindowTensors(windows);
    }
  }

  protected forwardTasks(taskIds: string[], batch: WindowTensors): tf.Tensor2D {
    return this.perTaskActions(taskIds, batch, (id) => ({ weights: this.trunk, head: this.headsByTask.get(id)! }));
  }

  parameterCount(): number {
    let n = Object.values(this.trunk).reduce((a, v) => a + v.size, 0);
    for (const h of this.headsByTask.values()) n += h.parameterCount();
    return n;
  }

  dispose(): void {
    tf.dispose(Object.values(this.trunk));
    for (const h of this.headsByTask.values()) h.dispose();
  }
}

/** FinetuneCL's options: the shared ones (LEARNER_RULES). */
export const FINETUNECL_OPTIONS = defineOptions('FinetuneCL', LEARNER_RULES);

/** Fine-tuning: the whole trunk and a new head trained on each task in turn (no protection against forgetting). */
export class FinetuneCL extends SharedTrunkCL {
  readonly name = 'Finetune';
  constructor(options: LearnerBaseOptions) {
    super('Finetune', FINETUNECL_OPTIONS.parse(options));
  }
}
