/**
 * Decision Transformer (Chen et al. 2021; harmodt.md §S1) and Prompt-DT (Xu et al. 2022; §S2)
 * on tensor-core's CausalTransformer.
 *
 * Tokens per step: (R̂_t, s_t, a_t), each linearly embedded plus a learned timestep embedding
 * (one table row per episode timestep), then LayerNorm; 3K tokens go through the causal
 * transformer (its own positional table is off: time enters through the timestep embedding).
 * The action head (Linear + tanh) reads the hidden state of the s_t token, so a_t and every
 * later token cannot influence the action predicted at s_t.
 *
 * Task conditioning, one of:
 * - 'none': plain MT-DT, no task signal.
 * - 'taskEmbedding': a learned per-task vector added to every token (harmodt.md §4 "TaskDT",
 *   the cheap CPU stand-in for Prompt-DT).
 * - 'prompt': Prompt-DT, a k*-step (R̂, s, a) segment of an expert trajectory of the task with
 *   its own embeddings and timestep table is prepended (3k* extra tokens).
 *
 * Embedding tables use one-hot x matMul (the gradient of tf.gather needs UnsortedSegmentSum,
 * which wasm lacks; §S5).
 */
import * as tf from '@tensorflow/tfjs';
import {
  CausalTransformer, Dense, LayerNorm, Module, OptionError, ShapeError, defineOptions, opt, ownVariable, randomNormal, toRng,
  type Activation, type Rng, type Seed,
} from '@paperkit/tensor-core';
import type { Normalization } from '../data/normalization.js';
import { DT_SIZE_RULES } from './size-rules.js';
import type { PromptBatch, WindowBatch } from '../data/window-batch.js';
import { windowFromHistory, type EpisodeHistory } from '../data/window-from-history.js';

export type Conditioning = 'none' | 'taskEmbedding' | 'prompt';

export interface DecisionTransformerOptions {
  stateDim: number;
  actDim: number;
  /** Window length K. CPU default 5 (paper 20). */
  context?: number;
  /** Model width D. CPU default 32 (paper 256). */
  embedDim?: number;
  /** Transformer blocks. CPU default 2 (paper 6). */
  layers?: number;
  /** Attention heads. CPU default 2 (paper 8). */
  heads?: number;
  /** Block MLP width. Default 4 * embedDim. */
  ffnDim?: number;
  /** Dropout. CPU default 0 (paper 0.1). */
  dropout?: number;
  /** Block MLP activation. Default 'relu' (the official HarmoDT/Prompt-DT code). */
  activation?: Activation;
  /** Size of the timestep embedding table. Default 1000. */
  maxEpisodeLength?: number;
  /** Task signal. Default 'none'. */
  conditioning?: Conditioning;
  /** Tasks (for 'taskEmbedding'; recorded for the others). Default 1. */
  numTasks?: number;
  /** Prompt length k* for 'prompt'. Default 5. */
  promptLength?: number;
  seed?: Seed;
}

/** Resolved options (every field filled). */
export type DecisionTransformerConfig = Required<Omit<DecisionTransformerOptions, 'seed'>> & { seed: Seed };

const isSeed = (v: unknown) => typeof v === 'number' || typeof v === 'string';

/**
 * The options of `new DecisionTransformer(...)`: rules and the CPU defaults of harmodt.md §5
 * (the paper's / official code's values: context 20, embedDim 256, layers 6, heads 8,
 * dropout 0.1, ReLU; see the option docs above).
 */
export const DECISION_TRANSFORMER_OPTIONS = defineOptions('DecisionTransformer', {
  ...DT_SIZE_RULES,
  ffnDim: opt.optional(opt.integer({ min: 1 })),
  dropout: opt.number({ min: 0, max: 1, exclusiveMax: true, default: 0 }),
  activation: opt.oneOf(['relu', 'gelu', 'tanh', 'sigmoid', 'linear'] as const, { default: 'relu' }),
  maxEpisodeLength: opt.integer({ min: 1, default: 1000 }),
  conditioning: opt.oneOf(['none', 'taskEmbedding', 'prompt'] as const, { default: 'none' }),
  numTasks: opt.integer({ min: 1, default: 1 }),
  promptLength: opt.integer({ min: 1, default: 5 }),
  seed: opt.custom<Seed>('a number or string', isSeed, { default: 0 }),
});

/** CPU defaults of harmodt.md §5 (the paper's values are in the option docs). */
export const DECISION_TRANSFORMER_DEFAULTS = DECISION_TRANSFORMER_OPTIONS.defaults;

/** Fill the defaults and check every option (OptionError naming `DecisionTransformer.<option>`). */
export function resolveDTConfig(options: DecisionTransformerOptions): DecisionTransformerConfig {
  const o = DECISION_TRANSFORMER_OPTIONS.parse(options);
  if (o.embedDim % o.heads !== 0) throw new OptionError('DecisionTransformer.heads', `a divisor of embedDim (${o.embedDim})`, o.heads);
  return { ...o, ffnDim: o.ffnDim ?? 4 * o.embedDim };
}

/** Anything the rollout evaluator can drive: predicts the action at the newest step of each window. */
export interface WindowPolicy {
  readonly context: number;
  readonly stateDim: number;
  readonly actDim: number;
  /** The normalisation the policy was trained with (task names, state stats, RTG scale, targets). */
  readonly normalization: Normalization;
  /** [B, actDim] actions at the last (newest) position of every window. */
  predictLast(batch: WindowBatch): tf.Tensor2D;
}

export class DecisionTransformer extends Module implements WindowPolicy {
  readonly config: DecisionTransformerConfig;
  readonly embedReturn: Dense;
  readonly embedState: Dense;
  readonly embedAction: Dense;
  readonly embedTimestep: tf.Variable;
  readonly embedTask: tf.Variable | null;
  readonly promptReturn: Dense | null;
  readonly promptState: Dense | null;
  readonly promptAction: Dense | null;
  readonly promptTimestep: tf.Variable | null;
  readonly embedNorm: LayerNorm;
  readonly transformer: CausalTransformer;
  readonly predictAction: Dense;
  /** Set by training (or loadCheckpoint); identity until then. */
  normalization: Normalization;
  /** Prompt-DT: the fixed evaluation prompt of each task (set by training from the dataset). */
  evaluationPrompts: PromptBatch[] | null = null;
  private readonly rng: Rng;

  constructor(options: DecisionTransformerOptions) {
    super();
    const c = (this.config = resolveDTConfig(options));
    const rng = (this.rng = toRng(c.seed));
    const D = c.embedDim;
    this.embedReturn = new Dense({ inDim: 1, outDim: D, rng, name: 'dt/embed_return' });
    this.embedState = new Dense({ inDim: c.stateDim, outDim: D, rng, name: 'dt/embed_state' });
    this.embedAction = new Dense({ inDim: c.actDim, outDim: D, rng, name: 'dt/embed_action' });
    this.embedTimestep = ownVariable(randomNormal(rng, [c.maxEpisodeLength, D], 0, 0.02), 'dt/embed_timestep');
    this.embedTask = c.conditioning === 'taskEmbedding' ? ownVariable(randomNormal(rng, [c.numTasks, D], 0, 0.02), 'dt/embed_task') : null;
    const prompt = c.conditioning === 'prompt';
    this.promptReturn = prompt ? new Dense({ inDim: 1, outDim: D, rng, name: 'dt/prompt_embed_return' }) : null;
    this.promptState = prompt ? new Dense({ inDim: c.stateDim, outDim: D, rng, name: 'dt/prompt_embed_state' }) : null;
    this.promptAction = prompt ? new Dense({ inDim: c.actDim, outDim: D, rng, name: 'dt/prompt_embed_action' }) : null;
    this.promptTimestep = prompt ? ownVariable(randomNormal(rng, [c.maxEpisodeLength, D], 0, 0.02), 'dt/prompt_embed_timestep') : null;
    this.embedNorm = new LayerNorm({ dim: D, name: 'dt/embed_ln' });
    const tokens = 3 * (c.context + (prompt ? c.promptLength : 0));
    this.transformer = new CausalTransformer({
      inputDim: 1, // unused: we embed tokens ourselves and call encode()
      dModel: D,
      nHeads: c.heads,
      nLayers: c.layers,
      dFF: c.ffnDim,
      maxLen: tokens,
      dropout: c.dropout,
      activation: c.activation,
      positional: 'none',
      rng,
      name: 'dt/transformer',
    });
    this.predictAction = new Dense({ inDim: D, outDim: c.actDim, rng, name: 'dt/predict_action' });
    this.normalization = {
      taskNames: Array.from({ length: c.numTasks }, (_, i) => `task${i}`),
      stateDim: c.stateDim,
      actDim: c.actDim,
      stateMean: Array.from({ length: c.numTasks }, () => new Array(c.stateDim).fill(0)),
      stateStd: Array.from({ length: c.numTasks }, () => new Array(c.stateDim).fill(1)),
      rtgScale: 1,
      maxEpisodeLength: c.maxEpisodeLength,
    };
  }

  get context(): number {
    return this.config.context;
  }
  get stateDim(): number {
    return this.config.stateDim;
  }
  get actDim(): number {
    return this.config.actDim;
  }

  /** Every trained variable with a stable, human-readable name (checkpoint keys, mask names). */
  namedVariables(): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    const dense = (name: string, d: Dense | null) => {
      if (!d) return;
      out.push([`${name}/kernel`, d.kernel]);
      if (d.bias) out.push([`${name}/bias`, d.bias]);
    };
    const norm = (name: string, n: LayerNorm) => {
      out.push([`${name}/gamma`, n.gamma], [`${name}/beta`, n.beta]);
    };
    dense('embed_return', this.embedReturn);
    dense('embed_state', this.embedState);
    dense('embed_action', this.embedAction);
    out.push(['embed_timestep', this.embedTimestep]);
    if (this.embedTask) out.push(['embed_task', this.embedTask]);
    dense('prompt_embed_return', this.promptReturn);
    dense('prompt_embed_state', this.promptState);
    dense('prompt_embed_action', this.promptAction);
    if (this.promptTimestep) out.push(['prompt_embed_timestep', this.promptTimestep]);
    norm('embed_ln', this.embedNorm);
    this.transformer.blocks.forEach((b, i) => {
      norm(`block${i}/ln1`, b.norm1);
      dense(`block${i}/attn/query`, b.attention.query);
      dense(`block${i}/attn/key`, b.attention.key);
      dense(`block${i}/attn/value`, b.attention.value);
      dense(`block${i}/attn/output`, b.attention.output);
      norm(`block${i}/ln2`, b.norm2);
      dense(`block${i}/mlp/fc1`, b.fc1);
      dense(`block${i}/mlp/fc2`, b.fc2);
    });
    norm('final_ln', this.transformer.finalNorm);
    dense('predict_action', this.predictAction);
    return out;
  }

  get variables(): tf.Variable[] {
    return this.namedVariables().map(([, v]) => v);
  }

  override dispose(): void {
    super.dispose();
    this.transformer.dispose(); // also frees the unused input projection and the causal mask
  }

  /** Actions [B, K, actDim] for every position of every window (tanh, in [-1, 1]). */
  forward(batch: WindowBatch, options: { training?: boolean } = {}): tf.Tensor3D {
    this.checkBatch(batch);
    const c = this.config;
    const { size: B, context: K } = batch;
    const D = c.embedDim;
    return tf.tidy(() => {
      const rows = B * K;
      const taskRows = c.conditioning === 'taskEmbedding' ? repeatRows(batch.taskIds, K) : null;
      const main = this.embedSegment(
        rows, batch.returnsToGo, batch.states, batch.actions, batch.timesteps,
        this.embedReturn, this.embedState, this.embedAction, this.embedTimestep, taskRows,
      );
      let tokens = tf.reshape(main, [B, 3 * K, D]);
      let mask = tokenMask(batch.mask, B, K);
      let promptTokens = 0;
      if (c.conditioning === 'prompt') {
        const p = batch.prompt ?? this.defaultPrompts(batch.taskIds);
        const L = p.length;
        if (L !== c.promptLength) throw new ShapeError('WindowBatch.prompt', `length ${c.promptLength}`, `length ${L}`);
        const pe = this.embedSegment(B * L, p.returnsToGo, p.states, p.actions, p.timesteps, this.promptReturn!, this.promptState!, this.promptAction!, this.promptTimestep!, null);
        tokens = tf.concat([tf.reshape(pe, [B, 3 * L, D]), tokens], 1);
        const pm = tokenMask(p.mask, B, L);
        const both = new Float32Array(B * 3 * (L + K));
        for (let b = 0; b < B; b++) {
          both.set(pm.subarray(b * 3 * L, (b + 1) * 3 * L), b * 3 * (L + K));
          both.set(mask.subarray(b * 3 * K, (b + 1) * 3 * K), b * 3 * (L + K) + 3 * L);
        }
        mask = both;
        promptTokens = 3 * L;
      }
      const T = promptTokens + 3 * K;
      const h = this.transformer.encode(this.embedNorm.apply(tokens), {
        training: options.training ?? false,
        attentionMask: tf.tensor2d(mask, [B, T]),
      });
      const mainH = promptTokens > 0 ? tf.slice(h, [0, promptTokens, 0], [B, 3 * K, D]) : h;
      const stateH = tf.reshape(tf.slice(tf.reshape(mainH, [B, K, 3, D]), [0, 0, 1, 0], [B, K, 1, D]), [rows, D]);
      return tf.reshape(tf.tanh(this.predictAction.apply(stateH)), [B, K, c.actDim]) as tf.Tensor3D;
    });
  }

  /** [B, actDim] action at the newest position (K - 1) of each window. */
  predictLast(batch: WindowBatch): tf.Tensor2D {
    return tf.tidy(() => {
      const all = this.forward(batch);
      const [B, K, A] = all.shape;
      return tf.reshape(tf.slice(all, [0, K - 1, 0], [B, 1, A]), [B, A]) as tf.Tensor2D;
    });
  }

  /** The action for the newest state of a live episode of task `task` (id or name). */
  async act(task: number | string, history: EpisodeHistory, options: { targetReturn?: number } = {}): Promise<Float32Array> {
    const id = typeof task === 'string' ? this.normalization.taskNames.indexOf(task) : task;
    if (id < 0) throw new OptionError('taskId', `one of ${this.normalization.taskNames.join(', ')}`, task);
    const out = this.predictLast(windowFromHistory(this.normalization, id, history, this.context, options.targetReturn));
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  }

  /** [rows, 3, D] interleaved (R̂, s, a) token embeddings of one segment. */
  private embedSegment(
    rows: number, rtg: Float32Array, states: Float32Array, actions: Float32Array, timesteps: Int32Array,
    er: Dense, es: Dense, ea: Dense, table: tf.Variable, taskRows: Int32Array | null,
  ): tf.Tensor3D {
    const c = this.config;
    const time = tf.matMul(tf.tensor2d(oneHot(timesteps, c.maxEpisodeLength, 'timestep'), [rows, c.maxEpisodeLength]), table as tf.Tensor2D);
    let extra: tf.Tensor = time;
    if (taskRows && this.embedTask) {
      extra = tf.add(time, tf.matMul(tf.tensor2d(oneHot(taskRows, c.numTasks, 'task id'), [rows, c.numTasks]), this.embedTask as tf.Tensor2D));
    }
    const r = tf.add(er.apply(tf.tensor2d(rtg, [rows, 1])), extra);
    const s = tf.add(es.apply(tf.tensor2d(states, [rows, c.stateDim])), extra);
    const a = tf.add(ea.apply(tf.tensor2d(actions, [rows, c.actDim])), extra);
    return tf.stack([r, s, a], 1) as tf.Tensor3D;
  }

  /** Each row's task evaluation prompt (Prompt-DT at inference). */
  private defaultPrompts(taskIds: Int32Array): PromptBatch {
    const prompts = this.evaluationPrompts;
    if (!prompts) throw new OptionError('WindowBatch.prompt', 'a prompt per row (or a model trained on a dataset, which stores evaluation prompts)', 'none');
    const { stateDim: S, actDim: A, promptLength: L } = this.config;
    const out: PromptBatch = {
      length: L,
      states: new Float32Array(taskIds.length * L * S),
      actions: new Float32Array(taskIds.length * L * A),
      returnsToGo: new Float32Array(taskIds.length * L),
      timesteps: new Int32Array(taskIds.length * L),
      mask: new Float32Array(taskIds.length * L),
    };
    taskIds.forEach((t, b) => {
      const p = prompts[t];
      if (!p) throw new OptionError('taskId', `a task with a stored prompt (0..${prompts.length - 1})`, t);
      out.states.set(p.states, b * L * S);
      out.actions.set(p.actions, b * L * A);
      out.returnsToGo.set(p.returnsToGo, b * L);
      out.timesteps.set(p.timesteps, b * L);
      out.mask.set(p.mask, b * L);
    });
    return out;
  }

  private checkBatch(batch: WindowBatch): void {
    const c = this.config;
    if (batch.stateDim !== c.stateDim) throw new ShapeError('WindowBatch.states', `stateDim ${c.stateDim}`, `stateDim ${batch.stateDim}`);
    if (batch.actDim !== c.actDim) throw new ShapeError('WindowBatch.actions', `actDim ${c.actDim}`, `actDim ${batch.actDim}`);
    if (batch.context < 1 || batch.context > c.context) throw new ShapeError('WindowBatch', `context in [1, ${c.context}]`, `context ${batch.context}`);
    if (batch.states.length !== batch.size * batch.context * c.stateDim) throw new ShapeError('WindowBatch.states', `[${batch.size * batch.context * c.stateDim}] values`, [batch.states.length]);
  }
}

function oneHot(ids: Int32Array, n: number, what: string): Float32Array {
  const out = new Float32Array(ids.length * n);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < n)) throw new OptionError(what, `an integer in [0, ${n})`, id);
    out[i * n + id] = 1;
  }
  return out;
}

function repeatRows(ids: Int32Array, k: number): Int32Array {
  const out = new Int32Array(ids.length * k);
  for (let i = 0; i < ids.length; i++) out.fill(ids[i], i * k, (i + 1) * k);
  return out;
}

/** Step mask [B*K] -> token mask [B*3K] (each step's three tokens share its flag). */
function tokenMask(stepMask: Float32Array, B: number, K: number): Float32Array {
  const out = new Float32Array(B * 3 * K);
  for (let i = 0; i < B * K; i++) out.fill(stepMask[i], 3 * i, 3 * i + 3);
  return out;
}
