/**
 * A small image classifier for the synthetic and MNIST-sized reproductions:
 * [conv3x3 ('same') -> ReLU -> maxPool 2x2] per entry of `filters`, flatten,
 * Dense to numClasses (logits). Inputs are NHWC [B, h, w, c] (tfjs layout).
 * Training needs Conv2DBackpropFilter: present on cpu/tensorflow; on wasm,
 * tensor-core's initBackend registers a cpu fallback kernel for it.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { glorotUniform, toRng, type Rng, type Seed } from '../random.js';
import { Dense, checkDim } from './dense.js';
import { Module, ownVariable } from './module.js';

export interface TinyCNNOptions {
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  /** Output channels of each conv stage. Default [8, 16]. */
  filters?: number[];
  /** Square kernel size. Default 3. */
  kernelSize?: number;
  numClasses: number;
  seed?: Seed;
  rng?: Rng;
  name?: string;
}

export class TinyCNN extends Module {
  readonly inputShape: [number, number, number];
  readonly filters: readonly number[];
  readonly kernelSize: number;
  readonly numClasses: number;
  /** Per stage: kernel [k, k, cin, cout] and bias [cout]. */
  readonly convs: Array<{ kernel: tf.Variable; bias: tf.Variable }>;
  readonly head: Dense;
  /** Width of the flattened feature vector fed to the head. */
  readonly featureDim: number;

  constructor(options: TinyCNNOptions) {
    super();
    const shape = options.inputShape;
    if (!Array.isArray(shape) || shape.length !== 3) throw new OptionError('inputShape', '[height, width, channels]', shape);
    shape.forEach((s, i) => checkDim(`inputShape[${i}]`, s));
    this.inputShape = [shape[0], shape[1], shape[2]];
    this.filters = [...(options.filters ?? [8, 16])];
    this.filters.forEach((f, i) => checkDim(`filters[${i}]`, f));
    this.kernelSize = checkDim('kernelSize', options.kernelSize ?? 3);
    this.numClasses = checkDim('numClasses', options.numClasses);
    const rng = options.rng ?? toRng(options.seed ?? 0);
    const name = options.name ?? 'tiny_cnn';

    let [h, w, c] = this.inputShape;
    this.convs = this.filters.map((out, i) => {
      const kernel = ownVariable(glorotUniform(rng, [this.kernelSize, this.kernelSize, c, out]), `${name}/conv${i}/kernel`);
      const bias = ownVariable(tf.zeros([out]), `${name}/conv${i}/bias`);
      // 'same' conv keeps h, w; 2x2/2 pooling with 'valid' padding floors them.
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      c = out;
      if (h < 1 || w < 1) throw new OptionError('filters', `at most ${i} stages for inputShape [${shape.join(', ')}] (each halves h and w)`, options.filters);
      return { kernel, bias };
    });
    this.featureDim = h * w * c;
    this.head = new Dense({ inDim: this.featureDim, outDim: this.numClasses, rng, name: `${name}/head` });
  }

  get variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const conv of this.convs) out.push(conv.kernel, conv.bias);
    out.push(...this.head.variables);
    return out;
  }

  /** x [B, h, w, c] -> flattened conv features [B, featureDim]. */
  features(x: tf.Tensor): tf.Tensor2D {
    const [h, w, c] = this.inputShape;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      throw new ShapeError('TinyCNN input x', `[B, ${h}, ${w}, ${c}] (NHWC)`, x.shape);
    }
    return tf.tidy(() => {
      let y = x as tf.Tensor4D;
      for (const conv of this.convs) {
        y = tf.relu(tf.add(tf.conv2d(y, conv.kernel as tf.Tensor4D, 1, 'same'), conv.bias)) as tf.Tensor4D;
        y = tf.maxPool(y, 2, 2, 'valid');
      }
      return tf.reshape(y, [x.shape[0], this.featureDim]) as tf.Tensor2D;
    });
  }

  /** x [B, h, w, c] -> logits [B, numClasses]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.features(x)) as tf.Tensor2D);
  }
}
