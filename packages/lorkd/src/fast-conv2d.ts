/**
 * Conv2D with a fast filter gradient. On tfjs 4.22 the wasm backend has no
 * Conv2DBackpropFilter kernel, and the cpu kernel tensor-core falls back to
 * walks a TensorBuffer element by element: for a 64 x 16 x 16 x 6 -> 8 conv it
 * costs ~0.2 s per call, hundreds of times the forward pass. LoRKD's conv
 * experts would train at that speed on the default backend.
 *
 * The filter gradient is a GEMM over image patches:
 *   dW[i, j, c, o] = sum_{b, y, x} xpad[b, y*s + i*d, x*s + j*d, c] * dy[b, y, x, o]
 * so we gather the kh*kw shifted (strided) views of the padded input, stack
 * them on the channel axis ([B*oh*ow, kh*kw*cin]) and multiply by dy
 * ([B*oh*ow, cout]) once. The input gradient keeps tfjs's Conv2DBackpropInput
 * (fast on wasm). Results equal tfjs's gradient within float32 rounding
 * (test/fast-conv2d.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

export interface FastConvGeometry {
  strides: [number, number];
  padding: 'valid' | 'same';
  dilations: [number, number];
}

function padAmounts(size: number, out: number, k: number, s: number, d: number, padding: 'valid' | 'same'): [number, number] {
  if (padding === 'valid') return [0, 0];
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** dL/dW of y = conv2d(x, W) given dy, as one patch GEMM. Returns a new [kh, kw, cin, cout] tensor. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: FastConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, cout] = filterShape;
    const [n, h, w] = x.shape;
    const [, oh, ow] = dy.shape;
    const [sh, sw] = g.strides;
    const [dh, dw] = g.dilations;
    const [pt, pb] = padAmounts(h, oh, kh, sh, dh, g.padding);
    const [pl, pr] = padAmounts(w, ow, kw, sw, dw, g.padding);
    const xp = pt + pb + pl + pr > 0 ? tf.pad(x, [[0, 0], [pt, pb], [pl, pr], [0, 0]]) : x;
    const views: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const begin = [0, i * dh, j * dw, 0];
        views.push(sh === 1 && sw === 1
          ? tf.slice(xp, begin, [n, oh, ow, cin])
          : tf.stridedSlice(xp, begin, [n, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1, cin], [1, sh, sw, 1]));
      }
    }
    const patches = tf.reshape(views.length === 1 ? views[0] : tf.concat(views, 3), [n * oh * ow, kh * kw * cin]);
    const grad = tf.matMul(patches as tf.Tensor2D, tf.reshape(dy, [n * oh * ow, cout]) as tf.Tensor2D, true, false);
    return tf.reshape(grad, [kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

/**
 * y = conv2d(x, W) (NHWC) whose gradient uses {@link conv2dFilterGrad} for W.
 * Dilated convs (tfjs has no conv gradient for them) use plain tf.conv2d.
 */
export function conv2dFast(x: tf.Tensor4D, filter: tf.Tensor4D, g: FastConvGeometry): tf.Tensor4D {
  if (g.dilations[0] !== 1 || g.dilations[1] !== 1) return tf.conv2d(x, filter, g.strides, g.padding, 'NHWC', g.dilations);
  const op = tf.customGrad(((...args: unknown[]) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, g.strides, g.padding),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        return [tf.conv2dTranspose(d, ws, xs.shape, g.strides, g.padding), conv2dFilterGrad(xs, d, ws.shape, g)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, filter) as tf.Tensor4D;
}

let registered = false;

/**
 * Opt-in, process-wide: replace the filter half of tfjs's Conv2D gradient with
 * the patch GEMM, so plain tf.layers.conv2d models (teachers, baselines) train
 * at the same speed as the expert layers. Idempotent. Convs with explicit
 * numeric padding or dilation keep tfjs's own gradient.
 */
export function registerFastConvFilterGradient(): void {
  if (registered) return;
  const original = tf.getGradient('Conv2D');
  if (!original) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const a = attrs as unknown as { strides: number | [number, number]; pad: unknown; dilations: number | [number, number]; dataFormat: string };
      const pair = (v: number | [number, number]): [number, number] => (Array.isArray(v) ? v : [v, v]);
      const dil = pair(a.dilations ?? 1);
      if ((a.pad !== 'same' && a.pad !== 'valid') || dil[0] !== 1 || dil[1] !== 1 || a.dataFormat === 'NCHW') {
        return original.gradFunc(dy, saved, attrs);
      }
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g: FastConvGeometry = { strides: pair(a.strides), padding: a.pad, dilations: [1, 1] };
      const d = dy as tf.Tensor4D;
      return {
        x: () => tf.conv2dTranspose(d, filter, x.shape, g.strides, g.padding),
        filter: () => conv2dFilterGrad(x, d, filter.shape, g),
      };
    },
  });
}
