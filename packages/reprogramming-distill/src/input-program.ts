/**
 * Input-side reprogramming (classic model reprogramming; spec section 2, optional):
 * a learnable additive pattern delta applied through a fixed mask m, f_T(x + m * delta).
 * The teacher's weights stay frozen but gradients pass through it to delta, so teacher
 * features cannot be cached when an input program is used.
 */
import * as tf from '@tensorflow/tfjs';
import { Module, OptionError, ShapeError, ownVariable } from '@paperkit/tensor-core';

export class InputProgram extends Module {
  /** delta, the shape of one input example; starts at 0 (the program starts as the identity). */
  readonly delta: tf.Variable;
  /** m, same shape as delta (1 = learnable position); null = everywhere. */
  readonly mask: tf.Tensor | null;

  constructor(exampleShape: readonly number[], mask?: tf.Tensor) {
    super();
    if (exampleShape.length === 0 || exampleShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new OptionError('inputProgram', 'inputs with a known per-example shape', exampleShape);
    }
    if (mask && (mask.rank !== exampleShape.length || mask.shape.some((d, i) => d !== exampleShape[i]))) {
      throw new ShapeError('inputProgram.mask', `[${exampleShape.join(', ')}] (one input example)`, mask.shape);
    }
    this.delta = ownVariable(tf.zeros([...exampleShape]), 'rd_input_program/delta');
    this.mask = mask ? tf.keep(tf.cast(mask, 'float32').clone()) : null;
  }

  get variables(): tf.Variable[] {
    return [this.delta];
  }

  /** x [B, ...] -> x + m * delta. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(x, this.mask ? tf.mul(this.mask, this.delta) : this.delta));
  }

  override dispose(): void {
    super.dispose();
    if (this.mask && !this.mask.isDisposed) this.mask.dispose();
  }
}

/** Image border mask [height, width, channels]: 1 within `border` pixels of the edge, 0 inside (the usual reprogramming frame). */
export function borderMask(height: number, width: number, channels: number, border: number): tf.Tensor3D {
  for (const [name, v] of [['height', height], ['width', width], ['channels', channels], ['border', border]] as const) {
    if (!Number.isInteger(v) || v < (name === 'border' ? 0 : 1)) throw new OptionError(`borderMask.${name}`, 'a positive integer', v);
  }
  const out = new Float32Array(height * width * channels);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const edge = r < border || c < border || r >= height - border || c >= width - border;
      if (edge) for (let k = 0; k < channels; k++) out[(r * width + c) * channels + k] = 1;
    }
  }
  return tf.tensor3d(out, [height, width, channels]);
}
