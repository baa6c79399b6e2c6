/**
 * LoRA-per-task baseline (compoformer.md section 4; official dt/approach/lora.py):
 * task 0 trains the whole trunk and its head; every later task freezes the
 * trunk and trains only its own LoRA set (rank 8 on every block's QKV) and head.
 * CompoFormer-Grow without composition or reuse.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { ContinualLearner, positiveInteger, positiveNumber, type LearnerBaseOptions, type LearnTaskInput, type LearnTaskResult, type TaskEntry } from '../continual-learner.js';
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

/** LoRACL's defaults. */
export const LORACL_DEFAULTS = Object.freeze({ loraRank: 8, loraAlpha: 1 });

export class LoRACL extends ContinualLearner {
  readonly name = 'LoRA';
  private readonly trunk: Record<string, tf.Variable>;
  private readonly modules = new Map<string, { head: ActionHead; lora: LoRASet | null }>();
  private readonly rank: number;
  private readonly alpha: number;

  constructor(options: LoRACLOptions) {
    super('LoRA', options);
    this.rank = positiveInteger('LoRACL.loraRank', options.loraRank, LORACL_DEFAULTS.loraRank);
    if (this.rank > this.config.embedDim) throw new OptionError('LoRACL.loraRank', `an integer in [1, embedDim = ${this.config.embedDim}]`, this.rank);
    this.alpha = positiveNumber('LoRACL.loraAlpha', options.loraAlpha, LORACL_DEFAULTS.loraAlpha);
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
        variables: [...trunkVars, ...(lora ? lora.trainableVariables : []), ...head.trainableVariables],
        steps: input.steps ?? this.base.stepsPerTask,
        rows: windows.states.shape[0],
        batchSize: this.base.batchSize,
        lr: this.base.lr,
        gradClip: this.base.gradClip,
        rng: rng.fork('batches'),
        hooks: input.curve ? { at: input.curve.at, run: async (s) => { curve.push([s, await input.curve!.evaluate(this.policy(entry.id))]); } } : undefined,
        loss: (idx) => {
          const batch = takeWindowRows(windows, idx);
          return maskedActionMse(head.apply(trunkFeatures(this.config, this.view(lora), batch)), batch.actions, batch.mask);
        },
      });
      const added = head.parameterCount() + (lora ? lora.parameterCount() : trunkVars.reduce((a, v) => a + v.size, 0));
      return { reused: false, composedSuccess: null, check: 'none', attention: {}, trainedSteps: r.steps, warmupSteps: 0, newParams: added, finalLoss: r.finalLoss, curve };
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
    return tf.tidy(() => {
      const [B, K] = batch.states.shape;
      const D = this.config.embedDim;
      let out: tf.Tensor | null = null;
      for (const id of new Set(taskIds)) {
        const mod = this.modules.get(id)!;
        const phi = tf.reshape(tf.slice(trunkFeatures(this.config, this.view(mod.lora), batch), [0, K - 1, 0], [B, 1, D]), [B, D]);
        const term = tf.mul(mod.head.apply(phi), tf.tensor2d(taskIds.map((t) => (t === id ? 1 : 0)), [B, 1]));
        out = out ? tf.add(out, term) : term;
      }
      return out as tf.Tensor2D;
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
