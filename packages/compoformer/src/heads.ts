/**
 * Per-task output heads (compoformer.md section 2 step 1):
 *   h_t = Linear(D -> A) + tanh                        (task 0, and every baseline's per-task head)
 *   f_t = Linear(2D -> D, orthogonal, ReLU gain) -> GELU -> LayerNorm -> Linear(D -> A, orthogonal gain 0.01)
 * f_t has no tanh (quirk b): its actions are clipped to [-1, 1] at inference.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, LayerNorm, Module, gelu, ownVariable, type Rng } from '@paperkit/tensor-core';

/** [rows, cols] orthogonal matrix (Gram-Schmidt of a seeded normal draw) times `gain`, as torch.nn.init.orthogonal_. */
export function orthogonal(rng: Rng, rows: number, cols: number, gain: number): tf.Tensor2D {
  const tall = rows >= cols;
  const n = tall ? rows : cols;
  const m = tall ? cols : rows;
  // m orthonormal vectors of length n.
  const q: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const v = Float64Array.from(rng.normalArray(n));
    for (const u of q) {
      let d = 0;
      for (let k = 0; k < n; k++) d += v[k] * u[k];
      for (let k = 0; k < n; k++) v[k] -= d * u[k];
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += v[k] * v[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) v[k] /= norm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? q[c][r] : q[r][c]);
  return tf.tensor2d(out, [rows, cols]);
}

/** h_t: Linear(D -> A) + tanh. */
export class ActionHead extends Module {
  readonly dense: Dense;
  constructor(embedDim: number, actDim: number, rng: Rng, name: string) {
    super();
    this.dense = new Dense({ inDim: embedDim, outDim: actDim, init: 'kaiming', rng, name });
  }
  get variables(): tf.Variable[] {
    return this.dense.variables;
  }
  /** features [..., D] -> actions [..., A] in (-1, 1). */
  apply(features: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.tanh(this.dense.apply(features)));
  }
}

/** f_t: the fusion head mixing the composed old features c with the new module's feature phi_t. */
export class FusionHead extends Module {
  readonly kernel1: tf.Variable;
  readonly bias1: tf.Variable;
  readonly norm: LayerNorm;
  readonly kernel2: tf.Variable;
  readonly bias2: tf.Variable;

  constructor(
    readonly embedDim: number,
    readonly actDim: number,
    rng: Rng,
    name: string,
  ) {
    super();
    // torch stores Linear weights [out, in]; orthogonal_ on that layout, then transposed to our [in, out].
    this.kernel1 = ownVariable(tf.tidy(() => tf.transpose(orthogonal(rng, embedDim, 2 * embedDim, Math.SQRT2))), `${name}/fc1_kernel`);
    this.bias1 = ownVariable(tf.zeros([embedDim]), `${name}/fc1_bias`);
    this.norm = new LayerNorm({ dim: embedDim, name: `${name}/norm` });
    this.kernel2 = ownVariable(tf.tidy(() => tf.transpose(orthogonal(rng, actDim, embedDim, 0.01))), `${name}/fc2_kernel`);
    this.bias2 = ownVariable(tf.zeros([actDim]), `${name}/fc2_bias`);
  }

  get variables(): tf.Variable[] {
    return [this.kernel1, this.bias1, ...this.norm.variables, this.kernel2, this.bias2];
  }

  /** composed c [N, D] and own phi [N, D] -> raw actions [N, A] (unclipped). */
  apply(composed: tf.Tensor2D, own: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const x = tf.concat([composed, own], 1);
      const h = this.norm.apply(gelu(tf.add(tf.matMul(x, this.kernel1), this.bias1)));
      return tf.add(tf.matMul(h as tf.Tensor2D, this.kernel2), this.bias2) as tf.Tensor2D;
    });
  }
}
