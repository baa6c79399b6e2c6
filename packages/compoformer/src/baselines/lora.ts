/**
 * LoRA-per-task baseline (compoformer.md section 4; official dt/approach/lora.py):
 * task 0 trains the whole trunk and its head; every later task freezes the
 * trunk and trains only its own LoRA set (rank 8 on every block's QKV) and head.
 * CompoFormer-Grow without composition or reuse.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, defineOptions, opt } from '@paperkit/tensor-core';
import { ContinualLearner, LEARNER_RULES, type LearnerBaseOptions, type LearnTaskInput, type LearnTaskResult, type TaskEntry, trainedTask } from '../continual-learner.js';
import { ActionHead } from '../heads.js';
import { LoRASet } from '../lora-set.js';
import { maskedActionMse, trainLoop } from '../train-loop.js';
import { disposeWindowTensors, initTrunkWeights, takeWindowRows, trunkFeatures, type TrunkWeights, type WindowTensors } from '@paperkit/offline-rl';

export interface LoRACLOptions extends LearnerBaseOptions {
  /** Adapter rank. Default 8. */
  loraRank?: number;
  /** Adapter alpha (scale alpha / rank). Default 1. */
  loraAlpha?: number;
}

/** LoRACL's options: the shared ones, the adapter rank and alpha. */
export const LORACL_OPTIONS = defineOptions('LoRACL', {
  ...LEARNER_RULES,
  loraRank: opt.integer({ min: 1, default: 8 }),
  loraAlpha: opt.number({ min: 0, exclusiveMin: true, default: 1 }),
});
/** LoRACL's defaults. */
export const LORACL_DEFAULTS = LORACL_OPTIONS.defaults;

export class LoRACL extends ContinualLearner {
  readonly name = 'LoRA';
  private readonly trunk: Record<string, tf.Variable>;
  private readonly modules = new Map<string, { head: ActionHead; lora: LoRASet | null }>();
  private readonly rank: number;
  private readonly alpha: number;

  constructor(options: LoRACLOptions) {
    const o = LORACL_OPTIONS.parse(options);
    super('LoRA', o);
    this.rank = o.loraRank;
    if (this.rank > this.config.embedDim) throw new OptionError('LoRACL.loraRank', `an integer in [1, embedDim = ${this.config.embedDim}]`, this.rank);
    this.alpha = o.loraAlpha;
    this.trunk = initTrunkWeights(this.config, `${this.base.seed}:trunk`, 'lora');
  }

  private view(lora: LoRASet | null): TrunkWeights {
    return lora ? lora.view(this.trunk) : this.trunk;
  }

  protected async learn(entry: TaskEntry, input: LearnTaskInput): Promise<Omit<LearnTaskResult, 'id' | 'seconds'>> {
    const first = this.modules.size === 0;
    const rng = this.rng.fork(entry.id);
    const head = new ActionHead(this.config.embedDim, this.config.actDim, rng, `lora/${entry.id}/head`);
    const lora = first ? null : new LoRASet(this.config, this.rank, this.alpha, rng, `lora/${entry.id}/adapter`);
    this.modules.set(entry.id, { head, lora });
    const windows = this.windowsFor(entry, input.data.episodes);
    const trunkVars = first ? Object.values(this.trunk).filter((v) => v.trainable) : [];
    const curve: Array<[number, number]> = [];
    try {
      const r = await trainLoop({
        ...this.loopSettings(entry, input, windows.states.shape[0], rng, curve),
        variables: [...trunkVars, ...(lora ? lora.trainableVariables : []), ...head.trainableVariables],
        steps: input.steps ?? this.base.stepsPerTask,
        loss: (idx) => {
          const batch = takeWindowRows(windows, idx);
          return maskedActionMse(head.apply(trunkFeatures(this.config, this.view(lora), batch)), batch.actions, batch.mask);
        },
      });
      return trainedTask(r, head.parameterCount() + (lora ? lora.parameterCount() : trunkVars.reduce((a, v) => a + v.size, 0)), curve);
    } catch (error) {
      this.modules.delete(entry.id);
      head.dispose();
      lora?.dispose();
      throw error;
    } finally {
      disposeWindowTensors(windows);
    }
  }

  protected forwardTasks(taskIds: string[], batch: WindowTensors): tf.Tensor2D {
    return this.perTaskActions(taskIds, batch, (id) => {
      const mod = this.modules.get(id)!;
      return { weights: this.view(mod.lora), head: mod.head };
    });
  }

  parameterCount(): number {
    let n = Object.values(this.trunk).reduce((a, v) => a + v.size, 0);
    for (const m of this.modules.values()) n += m.head.parameterCount() + (m.lora?.parameterCount() ?? 0);
    return n;
  }

  dispose(): void {
    tf.dispose(Object.values(this.trunk));
    for (const m of this.modules.values()) {
      m.head.dispose();
      m.lora?.dispose();
    }
  }
}
