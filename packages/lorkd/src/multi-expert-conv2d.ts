/**
 * MultiExpertConv2D: a Conv2D (NHWC, groups = 1) with T low-rank task experts,
 * spec section 2. Inputs: [x [batch, h, w, cin], taskRows [batch, T]].
 *
 * Factorisations:
 * - 'lowrank-kxk-1x1' (default): A_t = k x k conv cin -> r_t, B_t = 1x1 conv r_t -> cout,
 *   so delta_t unfolded to C_out x (C_in k k) has rank <= r_t; forward via {@link eksConv2d}.
 * - 'official': A_t [(r k), (C_in k)], B_t [(C_out k), (r k)], B_t A_t viewed as the
 *   (C_out, C_in, k, k) kernel (peft MultiLoraConv2d; rank <= r k); forward via
 *   {@link eksConv2dStacked}, since that delta is not a composition of two convs.
 */
import * as tf from '@tensorflow/tfjs';
import { eksConv2d, eksConv2dStacked, expertMask, officialConvDelta, rankOffsets } from './eks.js';
import type { ExpertLayer, ExpertLayerConfig, ExpertRouting } from './expert-layer.js';

export type ConvFactorization = 'lowrank-kxk-1x1' | 'official';

export interface MultiExpertConv2DConfig extends ExpertLayerConfig {
  filters: number;
  kernelSize: [number, number];
  strides?: [number, number];
  padding?: 'valid' | 'same';
  dilationRate?: [number, number];
  activation?: string;
  useBias?: boolean;
  factorization?: ConvFactorization;
  name?: string;
  trainable?: boolean;
  inputShape?: number[];
}

type LayerVariable = tf.LayerVariable;

export class MultiExpertConv2D extends tf.layers.Layer implements ExpertLayer {
  static className = 'MultiExpertConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: [number, number];
  readonly activation: string;
  readonly useBias: boolean;
  readonly factorization: ConvFactorization;
  readonly numTasks: number;
  readonly ranks: number[];
  readonly alpha: number;
  readonly routing: ExpertRouting;
  activeTask: number | null = null;
  private kernel!: LayerVariable;
  private bias: LayerVariable | null = null;
  private expertA!: LayerVariable;
  private expertB!: LayerVariable;
  private inChannels = 0;
  private readonly act: tf.layers.Layer | null;

  constructor(config: MultiExpertConv2DConfig) {
    super(config as unknown as tf.serialization.ConfigDict);
    this.filters = config.filters;
    this.kernelSize = [...config.kernelSize] as [number, number];
    this.strides = [...(config.strides ?? [1, 1])] as [number, number];
    this.padding = config.padding ?? 'valid';
    this.dilationRate = [...(config.dilationRate ?? [1, 1])] as [number, number];
    this.activation = config.activation ?? 'linear';
    this.useBias = config.useBias ?? true;
    this.factorization = config.factorization ?? 'lowrank-kxk-1x1';
    this.numTasks = config.numTasks;
    this.ranks = [...config.ranks];
    this.alpha = config.alpha;
    this.routing = config.routing ?? 'hard';
    this.act = this.activation === 'linear' ? null : tf.layers.activation({ activation: this.activation as never });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const xShape = (inputShape as tf.Shape[])[0];
    const cin = xShape[3] as number;
    this.inChannels = cin;
    const [kh, kw] = this.kernelSize;
    const R = this.ranks.reduce((a, r) => a + r, 0);
    const zeros = tf.initializers.zeros();
    this.kernel = this.addWeight('kernel', [kh, kw, cin, this.filters], 'float32', zeros);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', zeros);
    if (this.factorization === 'official') {
      const k = kh;
      this.expertA = this.addWeight('expert_a', [R * k, cin * k], 'float32', zeros);
      this.expertB = this.addWeight('expert_b', [this.filters * k, R * k], 'float32', zeros);
    } else {
      this.expertA = this.addWeight('expert_a', [kh, kw, cin, R], 'float32', zeros);
      this.expertB = this.addWeight('expert_b', [R, this.filters], 'float32', zeros);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = (inputShape as tf.Shape[])[0];
    const out = (size: number | null, k: number, s: number, d: number) => {
      if (size === null) return null;
      const eff = (k - 1) * d + 1;
      return this.padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - eff + 1) / s);
    };
    return [
      n,
      out(h, this.kernelSize[0], this.strides[0], this.dilationRate[0]),
      out(w, this.kernelSize[1], this.strides[1], this.dilationRate[1]),
      this.filters,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, task] = inputs as tf.Tensor[];
      const geometry = { strides: this.strides, padding: this.padding, dilations: this.dilationRate };
      let h: tf.Tensor;
      if (this.activeTask !== null) {
        const w = tf.add(this.kernel.read(), this.delta(this.activeTask)) as tf.Tensor4D;
        h = tf.conv2d(x as tf.Tensor4D, w, this.strides, this.padding, 'NHWC', this.dilationRate);
        if (this.bias) h = tf.add(h, this.bias.read());
      } else if (this.factorization === 'official') {
        const deltas = tf.concat(this.ranks.map((_, t) => this.delta(t)), 3);
        h = eksConv2dStacked(x, { kernel: this.kernel.read(), bias: this.bias?.read() ?? null, deltas, taskRows: task, ...geometry });
      } else {
        h = eksConv2d(x, {
          kernel: this.kernel.read(),
          bias: this.bias?.read() ?? null,
          a: this.expertA.read(),
          b: this.expertB.read(),
          mask: expertMask(task, this.ranks, this.alpha),
          ...geometry,
        });
      }
      return this.act ? (this.act.apply(h) as tf.Tensor) : h;
    });
  }

  delta(task: number): tf.Tensor4D {
    return tf.tidy(() => {
      const off = rankOffsets(this.ranks);
      const r = this.ranks[task];
      const s = this.alpha / r;
      const [kh, kw] = this.kernelSize;
      if (this.factorization === 'official') {
        const k = kh;
        const a = tf.slice(this.expertA.read(), [off[task] * k, 0], [r * k, -1]);
        const b = tf.slice(this.expertB.read(), [0, off[task] * k], [-1, r * k]);
        return tf.mul(officialConvDelta(a, b, k, this.inChannels, this.filters), s);
      }
      const cin = this.inChannels;
      const a = tf.reshape(tf.slice(this.expertA.read(), [0, 0, 0, off[task]], [-1, -1, -1, r]), [kh * kw * cin, r]);
      const b = tf.slice(this.expertB.read(), [off[task], 0], [r, -1]);
      return tf.reshape(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), s), [kh, kw, cin, this.filters]);
    });
  }

  baseKernel(): tf.Tensor {
    return this.kernel.read();
  }

  baseBias(): tf.Tensor | null {
    return this.bias?.read() ?? null;
  }

  expertParamCount(task: number): number {
    const [kh, kw] = this.kernelSize;
    const r = this.ranks[task];
    if (this.factorization === 'official') return r * kh * (this.inChannels * kh) + this.filters * kh * r * kh;
    return kh * kw * this.inChannels * r + r * this.filters;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
      factorization: this.factorization,
      numTasks: this.numTasks,
      ranks: this.ranks,
      alpha: this.alpha,
      routing: this.routing,
    };
  }
}

