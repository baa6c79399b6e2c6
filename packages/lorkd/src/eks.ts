/**
 * Efficient knowledge separation (EKS), spec section 2: one forward pass over a
 * mixed-task batch in which sample b only sees (and only sends gradient to) the
 * delta of its own task. The official code stacks per-sample weights and runs a
 * grouped conv (groups = batch); tfjs has no grouped conv, so we use the exact
 * masked equivalent
 *
 *   dense: y = x W0 + b + ((x A_all) * M) B_all
 *   conv:  h = conv(x, W0) + b + conv1x1(conv_kxk(x, A_all) * M, B_all)
 *
 * where A_all / B_all concatenate the T experts' factors along the rank axis and
 * M (B x R, R = sum_t r_t) holds s_t = alpha / r_t in the columns of the sample's
 * task block and 0 elsewhere. Because M multiplies the rank-space activations,
 * the gradient to A_t and B_t from a sample of another task is exactly zero
 * (a product with an exact 0), not merely small.
 *
 * All functions here are pure: they create and return tensors and own no state,
 * so users can call them from their own training loop inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';

/** Column ranges of each task's block in the concatenated rank axis. */
export function rankOffsets(ranks: readonly number[]): number[] {
  const offsets = [0];
  for (const r of ranks) offsets.push(offsets[offsets.length - 1] + r);
  return offsets;
}

/**
 * The [T, R * repeat] matrix E with E[t, j] = alpha / r_t for the columns j of
 * task t's block and 0 elsewhere; `taskRows @ E` is the EKS mask M. `repeat`
 * widens every rank column (the official conv factorisation works in rank r*k).
 * Returns a new tensor.
 */
export function expertBlockMatrix(ranks: readonly number[], alpha: number, repeat = 1): tf.Tensor2D {
  const total = ranks.reduce((a, r) => a + r, 0) * repeat;
  const values = new Float32Array(ranks.length * total);
  let col = 0;
  ranks.forEach((r, t) => {
    const s = alpha / r;
    for (let j = 0; j < r * repeat; j++) values[t * total + col + j] = s;
    col += r * repeat;
  });
  return tf.tensor2d(values, [ranks.length, total]);
}

/**
 * EKS mask M = taskRows @ E (spec section 2): one-hot rows give the hard
 * separation of LoRKD; soft rows (a router's softmax) give the soft-MoE mix.
 * Returns a new [B, R] tensor.
 */
export function expertMask(taskRows: tf.Tensor, ranks: readonly number[], alpha: number, repeat = 1): tf.Tensor2D {
  return tf.tidy(() => {
    if (taskRows.rank !== 2 || taskRows.shape[1] !== ranks.length) {
      throw new ShapeError('taskRows', `[batch, ${ranks.length}]`, taskRows.shape);
    }
    return tf.matMul(taskRows as tf.Tensor2D, expertBlockMatrix(ranks, alpha, repeat));
  });
}

export interface EksDenseParams {
  /** Shared base weight W0, [in, out]. */
  kernel: tf.Tensor;
  /** Optional base bias, [out]. */
  bias?: tf.Tensor | null;
  /** Concatenated down-projections A_all, [in, R]. */
  a: tf.Tensor;
  /** Concatenated up-projections B_all, [R, out]. */
  b: tf.Tensor;
  /** EKS mask [batch, R] from {@link expertMask} (task scale already folded in). */
  mask: tf.Tensor;
}

/** Dense EKS forward y = x W0 + b + ((x A_all) * M) B_all for x [batch, in]. Returns a new tensor. */
export function eksDense(x: tf.Tensor, p: EksDenseParams): tf.Tensor2D {
  return tf.tidy(() => {
    const [inDim, outDim] = p.kernel.shape;
    if (x.rank !== 2 || x.shape[1] !== inDim) throw new ShapeError('x', `[batch, ${inDim}]`, x.shape);
    const R = p.a.shape[1];
    if (p.a.rank !== 2 || p.a.shape[0] !== inDim) throw new ShapeError('a (A_all)', `[${inDim}, R]`, p.a.shape);
    if (p.b.rank !== 2 || p.b.shape[0] !== R || p.b.shape[1] !== outDim) {
      throw new ShapeError('b (B_all)', `[${R}, ${outDim}]`, p.b.shape);
    }
    if (p.mask.rank !== 2 || p.mask.shape[0] !== x.shape[0] || p.mask.shape[1] !== R) {
      throw new ShapeError('mask', `[${x.shape[0]}, ${R}]`, p.mask.shape);
    }
    const x2 = x as tf.Tensor2D;
    let y = tf.matMul(x2, p.kernel as tf.Tensor2D);
    if (p.bias) y = tf.add(y, p.bias);
    const low = tf.mul(tf.matMul(x2, p.a as tf.Tensor2D), p.mask);
    return tf.add(y, tf.matMul(low, p.b as tf.Tensor2D));
  });
}

export interface ConvGeometry {
  strides?: [number, number];
  padding?: 'valid' | 'same';
  dilations?: [number, number];
}

/** tf.conv2d in NHWC with a ConvGeometry; on wasm tensor-core supplies its filter gradient as a patch GEMM. */
function convNHWC(x: tf.Tensor4D, filter: tf.Tensor4D, g: Required<ConvGeometry>): tf.Tensor4D {
  return tf.conv2d(x, filter, g.strides, g.padding, 'NHWC', g.dilations);
}

export interface EksConv2dParams extends ConvGeometry {
  /** Shared base kernel W0, [kh, kw, cin, cout]. */
  kernel: tf.Tensor;
  bias?: tf.Tensor | null;
  /** Concatenated k x k down-convs A_all, [kh, kw, cin, R] (default factorisation). */
  a: tf.Tensor;
  /** Concatenated 1x1 up-convs B_all, [R, cout]. */
  b: tf.Tensor;
  /** EKS mask [batch, R]. */
  mask: tf.Tensor;
}

/**
 * Conv EKS forward, default factorisation 'lowrank-kxk-1x1' (spec section 2):
 * h = conv(x, W0) + b + conv1x1(conv_kxk(x, A_all) * M, B_all), x NHWC.
 * The k x k conv shares W0's strides, padding and dilation, so the sum equals a
 * conv with the per-sample kernel W0 + sum_t m_bt reshape(A_t B_t). Returns a new tensor.
 */
export function eksConv2d(x: tf.Tensor, p: EksConv2dParams): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, cout] = p.kernel.shape;
    if (x.rank !== 4 || x.shape[3] !== cin) throw new ShapeError('x', `[batch, h, w, ${cin}]`, x.shape);
    const R = p.a.shape[3];
    if (p.a.rank !== 4 || p.a.shape[0] !== kh || p.a.shape[1] !== kw || p.a.shape[2] !== cin) {
      throw new ShapeError('a (A_all)', `[${kh}, ${kw}, ${cin}, R]`, p.a.shape);
    }
    if (p.b.rank !== 2 || p.b.shape[0] !== R || p.b.shape[1] !== cout) throw new ShapeError('b (B_all)', `[${R}, ${cout}]`, p.b.shape);
    if (p.mask.rank !== 2 || p.mask.shape[0] !== x.shape[0] || p.mask.shape[1] !== R) {
      throw new ShapeError('mask', `[${x.shape[0]}, ${R}]`, p.mask.shape);
    }
    const { strides = [1, 1], padding = 'valid', dilations = [1, 1] } = p;
    const x4 = x as tf.Tensor4D;
    const g = { strides, padding, dilations };
    let h: tf.Tensor4D = convNHWC(x4, p.kernel as tf.Tensor4D, g);
    if (p.bias) h = tf.add(h, p.bias);
    const low = convNHWC(x4, p.a as tf.Tensor4D, g);
    const masked = tf.mul(low, tf.reshape(p.mask, [x.shape[0], 1, 1, R]));
    // A 1x1 conv is a matmul over the channel axis.
    const [n, oh, ow] = masked.shape;
    const up = tf.reshape(tf.matMul(tf.reshape(masked, [n * oh * ow, R]), p.b as tf.Tensor2D), [n, oh, ow, cout]);
    return tf.add(h, up);
  });
}

export interface EksConv2dStackedParams extends ConvGeometry {
  kernel: tf.Tensor;
  bias?: tf.Tensor | null;
  /** The T full-size task deltas side by side, [kh, kw, cin, T * cout] (scale already folded in). */
  deltas: tf.Tensor;
  /** Task rows [batch, T] (one-hot for LoRKD, a softmax for soft routing). */
  taskRows: tf.Tensor;
}

/**
 * Conv EKS for factorisations whose delta is not a composition of two convs (the
 * official (C_out k) x (r k) by (r k) x (C_in k) product viewed as a kernel):
 * h = conv(x, W0) + b + sum_t m_bt conv(x, delta_t), with all T deltas run as one
 * conv over T * cout channels and masked per sample. Returns a new tensor.
 */
export function eksConv2dStacked(x: tf.Tensor, p: EksConv2dStackedParams): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, cout] = p.kernel.shape;
    if (x.rank !== 4 || x.shape[3] !== cin) throw new ShapeError('x', `[batch, h, w, ${cin}]`, x.shape);
    const T = p.taskRows.shape[1] as number;
    if (p.deltas.rank !== 4 || p.deltas.shape[3] !== T * cout || p.deltas.shape[0] !== kh || p.deltas.shape[2] !== cin) {
      throw new ShapeError('deltas', `[${kh}, ${kw}, ${cin}, ${T} * ${cout}]`, p.deltas.shape);
    }
    const { strides = [1, 1], padding = 'valid', dilations = [1, 1] } = p;
    const x4 = x as tf.Tensor4D;
    const g = { strides, padding, dilations };
    let h: tf.Tensor4D = convNHWC(x4, p.kernel as tf.Tensor4D, g);
    if (p.bias) h = tf.add(h, p.bias);
    const all = convNHWC(x4, p.deltas as tf.Tensor4D, g);
    const [n, oh, ow] = all.shape;
    const perTask = tf.reshape(all, [n, oh, ow, T, cout]);
    const masked = tf.mul(perTask, tf.reshape(p.taskRows, [n, 1, 1, T, 1]));
    return tf.add(h, tf.sum(masked, 3));
  });
}

/**
 * The official conv delta of one task (peft MultiLoraConv2d): B_t A_t with
 * A_t [(r k), (C_in k)], B_t [(C_out k), (r k)], viewed as PyTorch's
 * (C_out, C_in, k, k) and transposed to the tfjs layout [k, k, C_in, C_out].
 * Returns a new tensor (unscaled).
 */
export function officialConvDelta(aT: tf.Tensor, bT: tf.Tensor, k: number, cin: number, cout: number): tf.Tensor4D {
  return tf.tidy(() =>
    tf.transpose(tf.reshape(tf.matMul(bT as tf.Tensor2D, aT as tf.Tensor2D), [cout, cin, k, k]), [2, 3, 1, 0]),
  );
}
