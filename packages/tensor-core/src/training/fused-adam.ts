/**
 * Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019,
 * Algorithm 2) with the per-variable update done in one kernel call.
 *
 * tf.train.adam issues about a dozen elementwise kernels per variable per step
 * (two moment updates, square, two bias corrections, sqrt, add, div, mul, add,
 * plus the accumulated beta powers), each allocating a full-size tensor. On
 * the wasm backend the fused kernel `PaperkitAdamUpdate` (registered by
 * registerFastWasmKernels, see ../backend/fast-wasm-kernels.ts) reads the
 * parameter, gradient and both moments once and writes the three results. On
 * a backend without that kernel the same arithmetic runs as ordinary tfjs ops,
 * so the optimizer works everywhere and only the speed differs.
 *
 * Results equal tf.train.adam's within float32 rounding (the fused kernel
 * computes in double precision and stores float32); with weightDecay > 0 the
 * update is AdamW's theta <- theta - lr * (adam_direction + wd * theta).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors.js';
import { FUSED_ADAM_KERNEL, type AdamUpdateAttrs } from '../backend/fast-wasm-kernels.js';

export interface FusedAdamOptions {
  /** Default 1e-3. */
  learningRate?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8 (PyTorch's default; tfjs's own default is 1e-7). */
  epsilon?: number;
  /** Decoupled weight decay (AdamW); default 0 = plain Adam. */
  weightDecay?: number;
}

/** A named tensor as tf.Optimizer passes them (tfjs-core's NamedTensor, not re-exported by the union package). */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
}

export class FusedAdamOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'FusedAdam';
  }

  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private step = 0;
  private readonly moments = new Map<string, Moments>();

  constructor(options: FusedAdamOptions = {}) {
    super();
    this.learningRate = check('learningRate', options.learningRate ?? 1e-3, (x) => x > 0, 'a finite number > 0');
    this.beta1 = check('beta1', options.beta1 ?? 0.9, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    this.beta2 = check('beta2', options.beta2 ?? 0.999, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    this.epsilon = check('epsilon', options.epsilon ?? 1e-8, (x) => x > 0, 'a finite number > 0');
    this.weightDecay = check('weightDecay', options.weightDecay ?? 0, (x) => x >= 0, 'a finite number >= 0');
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    this.step += 1;
    const attrs: AdamUpdateAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      step: this.step,
      weightDecay: this.weightDecay,
    };
    const fused = tf.getKernel(FUSED_ADAM_KERNEL, tf.getBackend()) != null;
    const registered = tf.engine().registeredVariables;
    tf.tidy(() => {
      for (const { name, tensor: grad } of list) {
        if (grad == null) continue;
        const variable = registered[name];
        if (variable == null) continue;
        const state = this.momentsOf(name, variable);
        if (fused && variable.dtype === 'float32' && grad.dtype === 'float32') {
          const [p, m, v] = tf.engine().runKernel(
            FUSED_ADAM_KERNEL,
            { param: variable, grad, m: state.m, v: state.v },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
          state.m.assign(m);
          state.v.assign(v);
          variable.assign(p);
        } else {
          this.compositeUpdate(variable, grad, state, attrs);
        }
      }
    });
    this.incrementIterations();
  }

  /** The same update as ordinary tfjs ops (backends without the fused kernel). */
  private compositeUpdate(variable: tf.Variable, grad: tf.Tensor, state: Moments, a: AdamUpdateAttrs): void {
    const m = tf.add(tf.mul(state.m, a.beta1), tf.mul(grad, 1 - a.beta1));
    const v = tf.add(tf.mul(state.v, a.beta2), tf.mul(tf.square(grad), 1 - a.beta2));
    const c1 = 1 - Math.fround(Math.pow(a.beta1, a.step));
    const c2 = 1 - Math.fround(Math.pow(a.beta2, a.step));
    const direction = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), a.epsilon));
    let next = tf.sub(variable, tf.mul(direction, a.learningRate));
    if (a.weightDecay > 0) next = tf.sub(next, tf.mul(variable, a.learningRate * a.weightDecay));
    state.m.assign(m);
    state.v.assign(v);
    variable.assign(next);
  }

  private momentsOf(name: string, variable: tf.Variable): Moments {
    let state = this.moments.get(name);
    if (state === undefined) {
      state = tf.tidy(() => ({
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      }));
      this.moments.set(name, state);
    }
    return state;
  }

  override dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
    super.dispose();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [name, { m, v }] of this.moments) {
      weights.push({ name: `${name}/m`, tensor: m }, { name: `${name}/v`, tensor: v });
    }
    return weights;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.step = this.iterations;
    for (const { name, tensor } of rest) {
      const slash = name.lastIndexOf('/');
      const owner = name.slice(0, slash);
      const which = name.slice(slash + 1);
      if (which !== 'm' && which !== 'v') throw new OptionError('weights', "names ending in '/m' or '/v'", name);
      const variable = tf.engine().registeredVariables[owner];
      if (variable == null) throw new OptionError('weights', `a registered variable named '${owner}'`, name);
      this.momentsOf(owner, variable)[which].assign(tensor);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
    };
  }
}

function check(option: string, value: number, ok: (x: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new OptionError(option, expected, value);
  return value;
}
