/**
 * Link decoders (spec §2 "Decoders/losses"): score s(u, v) from node representations.
 *  - 'hadamard-mlp' (GCN/SAGE/MLP in `lp/models.py`): s = MLP(h_u ⊙ h_v), MLP = Lin-ReLU-Lin-ReLU-Lin(→1).
 *  - 'dot' (MMGCN/MGAT): s = ⟨h_u, h_v⟩.
 */
import * as tf from '@tensorflow/tfjs';
import { MLP, Module, OptionError, type Seed } from '@paperkit/tensor-core';
import { DEFAULT_PATH, gatherRows, type MessagePassingPath } from './message-passing.js';

export type DecoderKind = 'hadamard-mlp' | 'dot';

export interface LinkDecoder extends Module {
  readonly kind: DecoderKind;
  /** Logits for pairs (src[i], dst[i]) from representations h [N, d]; returns [P]. */
  score(h: tf.Tensor2D, src: Int32Array, dst: Int32Array, path?: MessagePassingPath): tf.Tensor1D;
}

export class HadamardMLPDecoder extends Module implements LinkDecoder {
  readonly kind = 'hadamard-mlp';
  readonly mlp: MLP;

  constructor(options: { dim: number; hidden?: number; seed?: Seed }) {
    super();
    const hidden = options.hidden ?? options.dim;
    this.mlp = new MLP({ sizes: [options.dim, hidden, hidden, 1], seed: options.seed ?? 0, name: 'link-mlp' });
  }

  get variables(): tf.Variable[] {
    return this.mlp.variables;
  }

  score(h: tf.Tensor2D, src: Int32Array, dst: Int32Array, path: MessagePassingPath = DEFAULT_PATH): tf.Tensor1D {
    return tf.tidy(() => {
      const prod = tf.mul(gatherRows(h, src, path), gatherRows(h, dst, path));
      return tf.reshape(this.mlp.apply(prod), [src.length]) as tf.Tensor1D;
    });
  }
}

export class DotDecoder extends Module implements LinkDecoder {
  readonly kind = 'dot';

  get variables(): tf.Variable[] {
    return [];
  }

  score(h: tf.Tensor2D, src: Int32Array, dst: Int32Array, path: MessagePassingPath = DEFAULT_PATH): tf.Tensor1D {
    return tf.tidy(() => tf.sum(tf.mul(gatherRows(h, src, path), gatherRows(h, dst, path)), 1) as tf.Tensor1D);
  }
}

/** Build a decoder by name; `dim` is the encoder's output width. */
export function makeDecoder(kind: DecoderKind, options: { dim: number; seed?: Seed }): LinkDecoder {
  if (kind === 'hadamard-mlp') return new HadamardMLPDecoder(options);
  if (kind === 'dot') return new DotDecoder();
  throw new OptionError('decoder', "'hadamard-mlp' | 'dot'", kind);
}
