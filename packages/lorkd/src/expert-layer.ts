/**
 * What MultiExpertDense and MultiExpertConv2D share: the task-expert bookkeeping
 * of spec section 2 (T experts of rank r_t, scale s_t = alpha / r_t) and the
 * loop-mode switch used by the loop-separation baseline.
 */
import type * as tf from '@tensorflow/tfjs';

export type ExpertRouting = 'hard' | 'soft';

export interface ExpertLayerConfig {
  numTasks: number;
  /** Rank of each task's expert (length numTasks). */
  ranks: number[];
  /** LoRA alpha; expert t is scaled by alpha / ranks[t]. */
  alpha: number;
  /** 'hard': one-hot task rows (LoRKD); 'soft': router mixes (soft MoE). Only documents intent; the math is the same. */
  routing?: ExpertRouting;
}

/** A layer that carries T low-rank task deltas on a shared base weight. */
export interface ExpertLayer {
  readonly numTasks: number;
  readonly ranks: number[];
  readonly alpha: number;
  /**
   * When set, the layer ignores its task input and uses the materialised weight
   * W0 + delta_t for the whole batch: the per-task loop of spec section 4.
   */
  activeTask: number | null;
  /** The scaled delta s_t * B_t A_t in the base kernel's layout. Returns a new tensor. */
  delta(task: number): tf.Tensor;
  /** The shared base kernel W0 (the variable's current value, not a copy). */
  baseKernel(): tf.Tensor;
  /** The base bias, or null. */
  baseBias(): tf.Tensor | null;
  /** Number of expert parameters of task t (its A_t and B_t). */
  expertParamCount(task: number): number;
}

export function isExpertLayer(layer: unknown): layer is ExpertLayer & tf.layers.Layer {
  return typeof layer === 'object' && layer !== null && typeof (layer as ExpertLayer).delta === 'function'
    && Array.isArray((layer as ExpertLayer).ranks);
}
