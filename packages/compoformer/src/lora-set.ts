/**
 * A task's LoRA set for the Grow variant and the LoRA baseline (spec section 2
 * step 4 "Grow"): on every block's fused QKV projection,
 *   W_qkv x + (B_t A_t x) * alpha / r,   A Kaiming-uniform, B = 0,
 * so a fresh set leaves the trunk's outputs unchanged. Our trunk keeps q, k, v
 * as three [D, D] kernels; one A [D, r] and B [r, 3D] per block is the same
 * adapter as on GPT-2's fused c_attn, split into its three column blocks.
 */
import * as tf from '@tensorflow/tfjs';
import { Module, kaimingUniform, ownVariable, type Rng } from '@paperkit/tensor-core';
import type { FunctionalTrunkConfig, TrunkWeights } from '@paperkit/offline-rl';

export class LoRASet extends Module {
  readonly A: tf.Variable[] = [];
  readonly B: tf.Variable[] = [];
  readonly scale: number;

  constructor(
    readonly config: FunctionalTrunkConfig,
    readonly rank: number,
    alpha: number,
    rng: Rng,
    name: string,
  ) {
    super();
    const D = config.embedDim;
    this.scale = alpha / rank;
    for (let l = 0; l < config.layers; l++) {
      // torch's A is [r, in] with kaiming_uniform(a = sqrt 5) over fan_in = in; ours is its transpose.
      this.A.push(ownVariable(tf.tidy(() => tf.transpose(kaimingUniform(rng, [rank, D]))), `${name}/block${l}/lora_A`));
      this.B.push(ownVariable(tf.zeros([rank, 3 * D]), `${name}/block${l}/lora_B`));
    }
  }

  get variables(): tf.Variable[] {
    return [...this.A, ...this.B];
  }

  /** The trunk weights `base` with this set's deltas added to every block's q/k/v kernels (differentiable in A, B). */
  view(base: TrunkWeights): TrunkWeights {
    const D = this.config.embedDim;
    const out: TrunkWeights = { ...base };
    for (let l = 0; l < this.config.layers; l++) {
      const delta = tf.mul(tf.matMul(this.A[l], this.B[l]), this.scale); // [D, 3D]
      ['query', 'key', 'value'].forEach((part, i) => {
        const name = `block${l}/${part}/kernel`;
        out[name] = tf.add(base[name], tf.slice(delta, [0, i * D], [D, D]));
      });
    }
    return out;
  }
}
