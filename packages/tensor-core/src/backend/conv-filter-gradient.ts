/**
 * Conv2DBackpropFilter for the wasm backend, as one matrix product over image
 * patches:
 *   dW[i, j, c, o] = sum_{b, y, x} xpad[b, y*sh + i*dh, x*sw + j*dw, c] * dy[b, y, x, o]
 * The patches [B*oh*ow, kh*kw*cin] are gathered in JS (a copy), then the wasm
 * matmul kernel computes patches^T @ dy. tfjs 4.22 has no wasm kernel for this
 * (the weight gradient of every conv), and the cpu kernel it would otherwise
 * fall back to walks a TensorBuffer element by element: ~0.2 s for a small
 * 64x16x16x6 -> 8 conv, hundreds of times the forward pass.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike extends tf.KernelBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Largest patch matrix built in one go (floats); bigger problems use `fallback`. */
const MAX_PATCH_FLOATS = 1 << 26;

/** Build the kernel; `fallback` serves the cases it does not cover (NCHW, huge patch matrices). */
export function conv2dBackpropFilterViaPatches(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const matMul = tf.getKernel('BatchMatMul', 'wasm');
    if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || matMul == null) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const rows = batchSize * outHeight * outWidth;
    const cols = filterHeight * filterWidth * inChannels;
    if (rows * cols > MAX_PATCH_FLOATS) return fallback(args);

    const wasm = backend as WasmBackendLike;
    const input = wasm.readSync(x.dataId) as Float32Array;
    const patches = new Float32Array(rows * cols);
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    let row = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++, row++) {
          let dst = row * cols;
          for (let i = 0; i < filterHeight; i++) {
            const iy = oy * strideHeight + i - top;
            for (let j = 0; j < filterWidth; j++, dst += inChannels) {
              const ix = ox * strideWidth + j - left;
              if (iy < 0 || iy >= inHeight || ix < 0 || ix >= inWidth) continue; // zero padding
              const src = ((b * inHeight + iy) * inWidth + ix) * inChannels;
              patches.set(input.subarray(src, src + inChannels), dst);
            }
          }
        }
      }
    }
    const patchInfo = wasm.makeOutput([1, rows, cols], 'float32', undefined, patches);
    try {
      // dy is [B, oh, ow, cout] in row-major order: the same bytes viewed as [1, rows, cout].
      const dyView: tf.TensorInfo = { dataId: dy.dataId, shape: [1, rows, outChannels], dtype: dy.dtype };
      const product = matMul.kernelFunc({
        inputs: { a: patchInfo, b: dyView },
        attrs: { transposeA: true, transposeB: false },
        backend,
      }) as tf.TensorInfo;
      return { dataId: product.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
    } finally {
      wasm.disposeData(patchInfo.dataId, true);
    }
  };
}
