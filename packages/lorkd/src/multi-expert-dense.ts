/**
 * MultiExpertDense: a Dense layer with T low-rank task experts (spec section 2),
 * y = act(x W0 + b + ((x A_all) * M) B_all) with M from the one-hot task input.
 * Inputs: [x [batch, in], taskRows [batch, T]].
 *
 * tensor-core's MultiAdapterDense computes the same sum, but it is a Module that
 * owns plain tf.Variables; a layer inside a user's LayersModel must own
 * LayerVariables (for trainableWeights, save/load and getWeights), so this layer
 * holds its weights itself and delegates the math to the pure {@link eksDense}.
 */
import * as tf from '@tensorflow/tfjs';
import { eksDense, expertMask, rankOffsets } from './eks.js';
import type { ExpertLayer, ExpertLayerConfig, ExpertRouting } from './expert-layer.js';

export interface MultiExpertDenseConfig extends ExpertLayerConfig {
  units: number;
  activation?: string;
  useBias?: boolean;
  name?: string;
  trainable?: boolean;
  inputShape?: number[];
}

type LayerVariable = tf.LayerVariable;

export class MultiExpertDense extends tf.layers.Layer implements ExpertLayer {
  static className = 'MultiExpertDense';
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly numTasks: number;
  readonly ranks: number[];
  readonly alpha: number;
  readonly routing: ExpertRouting;
  activeTask: number | null = null;
  private kernel!: LayerVariable;
  private bias: LayerVariable | null = null;
  private expertA!: LayerVariable;
  private expertB!: LayerVariable;
  private readonly act: tf.layers.Layer | null;

  constructor(config: MultiExpertDenseConfig) {
    super(config as unknown as tf.serialization.ConfigDict);
    this.units = config.units;
    this.activation = config.activation ?? 'linear';
    this.useBias = config.useBias ?? true;
    this.numTasks = config.numTasks;
    this.ranks = [...config.ranks];
    this.alpha = config.alpha;
    this.routing = config.routing ?? 'hard';
    this.act = this.activation === 'linear' ? null : tf.layers.activation({ activation: this.activation as never });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const xShape = (inputShape as tf.Shape[])[0];
    const inDim = xShape[xShape.length - 1] as number;
    const R = this.ranks.reduce((a, r) => a + r, 0);
    this.kernel = this.addWeight('kernel', [inDim, this.units], 'float32', tf.initializers.zeros());
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.expertA = this.addWeight('expert_a', [inDim, R], 'float32', tf.initializers.zeros());
    this.expertB = this.addWeight('expert_b', [R, this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const xShape = (inputShape as tf.Shape[])[0];
    return [xShape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, task] = inputs as tf.Tensor[];
      let y: tf.Tensor;
      if (this.activeTask !== null) {
        const w = tf.add(this.kernel.read(), this.delta(this.activeTask));
        y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
        if (this.bias) y = tf.add(y, this.bias.read());
      } else {
        y = eksDense(x, {
          kernel: this.kernel.read(),
          bias: this.bias?.read() ?? null,
          a: this.expertA.read(),
          b: this.expertB.read(),
          mask: expertMask(task, this.ranks, this.alpha),
        });
      }
      return this.act ? (this.act.apply(y) as tf.Tensor) : y;
    });
  }

  delta(task: number): tf.Tensor2D {
    return tf.tidy(() => {
      const off = rankOffsets(this.ranks);
      const r = this.ranks[task];
      const a = tf.slice(this.expertA.read(), [0, off[task]], [-1, r]) as tf.Tensor2D;
      const b = tf.slice(this.expertB.read(), [off[task], 0], [r, -1]) as tf.Tensor2D;
      return tf.mul(tf.matMul(a, b), this.alpha / r);
    });
  }

  baseKernel(): tf.Tensor {
    return this.kernel.read();
  }

  baseBias(): tf.Tensor | null {
    return this.bias?.read() ?? null;
  }

  expertParamCount(task: number): number {
    const inDim = this.kernel.shape[0] as number;
    return this.ranks[task] * (inDim + this.units);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      numTasks: this.numTasks,
      ranks: this.ranks,
      alpha: this.alpha,
      routing: this.routing,
    };
  }
}

