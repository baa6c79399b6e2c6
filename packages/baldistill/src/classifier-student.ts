/**
 * A tfjs student for classification-style distillation (spec section 6, `classifierStudent(model)`): any tfjs
 * network mapping a feature row to logits [rationale classes..., answer classes...]. The rationale is a class
 * too ("which of the reasons applies"), so the student learns CE(rationale) + CE(answer), the classifier
 * analogue of training on "input + rationale + The answer is: a".
 *
 * IFD for it (spec section 5): y_s = argmax p(a | x); one answer token, so
 *   IFD = PPL(y_s | x) / PPL(y_s) = p(y_s | null) / p(y_s | x),
 * with the null input a fixed feature row (zeros by default). `scoreRationale` adds the rationale as a
 * second token.
 * Each fit builds a fresh network from `createNet(seed)` (the official code trains a new LoRA per stage) and
 * takes `steps` Adam steps on seeded minibatches; the data stays on the device and losses are read only at
 * tensor-core's sync points.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, createRng, defineOptions, opt, softmaxCrossEntropy, trainSteps } from '@paperkit/tensor-core';
import type { Annotated, LogLikelihood, Response, Student } from './types.js';

/** What the student trains: a forward pass, its variables, and a way to free them. */
export interface ClassifierNet {
  apply(x: tf.Tensor): tf.Tensor;
  readonly trainableVariables: tf.Variable[];
  dispose(): void;
}

/** Wrap a tf.LayersModel (e.g. tf.sequential) as a ClassifierNet. Seed its initialisers from createNet's seed for reproducible runs. */
export function layersModelNet(model: tf.LayersModel): ClassifierNet {
  return {
    apply: (x) => model.apply(x, { training: true }) as tf.Tensor,
    get trainableVariables() {
      return model.trainableWeights.map((w) => w.read() as tf.Variable);
    },
    dispose: () => model.dispose(),
  };
}

export interface ClassifierStudentOptions<I> {
  /** A fresh network per fit; output width rationaleClasses + answerClasses. A LayersModel is wrapped. */
  createNet: (seed: number) => ClassifierNet | tf.LayersModel;
  /** The feature row of an input (length inputDim). */
  featurize: (input: I) => ArrayLike<number>;
  inputDim: number;
  answerClasses: number;
  /** Rationale classes (0: answer-only student, the "labels only" baseline). Default 0. */
  rationaleClasses?: number;
  /** The "no input" row for IFD's p(y | null). Default zeros. */
  nullInput?: ArrayLike<number>;
  /** Count the rationale as a scored token in logLikelihood. Default false (answer only, spec section 5). */
  scoreRationale?: boolean;
  /** Adam steps per fit. Default 300. */
  steps?: number;
  batchSize?: number;
  lr?: number;
  /** Weight of CE(rationale). Default 1. */
  rationaleWeight?: number;
}

/** classifierStudent's options and defaults (spec section 5: 300 Adam steps, lr 3e-3, batch 32). */
export const CLASSIFIER_STUDENT_OPTIONS = defineOptions('classifierStudent', {
  createNet: opt.func(),
  featurize: opt.func(),
  inputDim: opt.integer({ min: 1 }),
  answerClasses: opt.integer({ min: 2 }),
  rationaleClasses: opt.integer({ min: 0, default: 0 }),
  nullInput: opt.optional(opt.custom<ArrayLike<number>>('an array of numbers', (v) => Array.isArray(v) || ArrayBuffer.isView(v))),
  scoreRationale: opt.boolean({ default: false }),
  steps: opt.integer({ min: 1, default: 300 }),
  batchSize: opt.integer({ min: 1, default: 32 }),
  lr: opt.number({ min: 0, exclusiveMin: true, default: 3e-3 }),
  rationaleWeight: opt.number({ min: 0, default: 1 }),
});
export const CLASSIFIER_STUDENT_DEFAULTS = CLASSIFIER_STUDENT_OPTIONS.defaults;

const CHUNK = 4096;

export class ClassifierStudent<I> implements Student<I, number, number> {
  private net: ClassifierNet | null = null;
  private readonly o: Required<Omit<ClassifierStudentOptions<I>, 'nullInput'>> & { nullInput: Float32Array };
  /** Steps and final loss of the last fit. */
  lastFit: { steps: number; loss: number; examples: number } | null = null;

  constructor(options: ClassifierStudentOptions<I>) {
    CLASSIFIER_STUDENT_OPTIONS.parse(Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) as never);
    const o = { ...CLASSIFIER_STUDENT_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ClassifierStudentOptions<I> & typeof CLASSIFIER_STUDENT_DEFAULTS;
    if (o.scoreRationale && o.rationaleClasses === 0) throw new OptionError('classifierStudent.scoreRationale', 'false when rationaleClasses is 0', true);
    const nullInput = Float32Array.from(o.nullInput ?? new Float32Array(o.inputDim));
    if (nullInput.length !== o.inputDim) throw new ShapeError('classifierStudent.nullInput', `[${o.inputDim}]`, [nullInput.length]);
    this.o = { ...o, nullInput };
  }

  private get width(): number {
    return this.o.rationaleClasses + this.o.answerClasses;
  }

  private features(inputs: (I | null)[]): Float32Array {
    const F = this.o.inputDim;
    const out = new Float32Array(inputs.length * F);
    inputs.forEach((x, r) => {
      const row = x === null ? this.o.nullInput : this.o.featurize(x);
      if (row.length !== F) throw new ShapeError(`classifierStudent.featurize(input ${r})`, `[${F}]`, [row.length]);
      out.set(row, r * F);
    });
    return out;
  }

  private classId(v: number, n: number, what: string, id: string): number {
    if (!(Number.isInteger(v) && v >= 0 && v < n)) throw new OptionError(`classifierStudent.fit data "${id}".${what}`, `a class id in [0, ${n})`, v);
    return v;
  }

  reset(): void {
    this.net?.dispose();
    this.net = null;
  }

  async fit(data: Annotated<I, number, number>[], opts: { seed: number; stage: number }): Promise<void> {
    if (data.length === 0) throw new OptionError('classifierStudent.fit.data', 'at least one example', 0);
    const { answerClasses: Ca, rationaleClasses: Cr, steps, rationaleWeight } = this.o;
    const n = data.length;
    const labels = new Float32Array(n * this.width);
    data.forEach((ex, r) => {
      if (Cr > 0) labels[r * this.width + this.classId(ex.rationale, Cr, 'rationale', ex.id)] = 1;
      labels[r * this.width + Cr + this.classId(ex.answer, Ca, 'answer', ex.id)] = 1;
    });
    const X = tf.tensor2d(this.features(data.map((e) => e.input)), [n, this.o.inputDim]);
    const Y = tf.tensor2d(labels, [n, this.width]);
    this.reset();
    const made = this.o.createNet(opts.seed);
    this.net = made instanceof tf.LayersModel ? layersModelNet(made) : made;
    const net = this.net;
    // Seeded epoch-style minibatches: every row once per pass, in a fresh order each pass.
    const bs = Math.min(this.o.batchSize, n);
    const rng = createRng(`student/${opts.seed}`);
    const plan = new Int32Array(steps * bs);
    let order = rng.permutation(n);
    let pos = 0;
    for (let k = 0; k < plan.length; k++) {
      if (pos === n) (order = rng.permutation(n)), (pos = 0);
      plan[k] = order[pos++];
    }
    try {
      const result = await trainSteps({
        variables: net.trainableVariables,
        optimizer: { name: 'adam', lr: this.o.lr },
        steps,
        progress: false,
        loss: (step) => {
          const idx = tf.tensor1d(plan.subarray(step * bs, (step + 1) * bs), 'int32');
          const logits = net.apply(tf.gather(X, idx));
          const y = tf.gather(Y, idx);
          const answerLoss = softmaxCrossEntropy(tf.slice(y, [0, Cr], [-1, Ca]), tf.slice(logits, [0, Cr], [-1, Ca]));
          if (Cr === 0) return answerLoss;
          const rationaleLoss = softmaxCrossEntropy(tf.slice(y, [0, 0], [-1, Cr]), tf.slice(logits, [0, 0], [-1, Cr]));
          return tf.add(answerLoss, tf.mul(rationaleLoss, rationaleWeight)) as tf.Scalar;
        },
      });
      this.lastFit = { steps: result.steps, loss: result.lastLoss, examples: n };
    } finally {
      tf.dispose([X, Y]);
    }
  }

  private requireNet(): ClassifierNet {
    if (!this.net) throw new OptionError('classifierStudent', 'fit() before generate/logLikelihood/predict', 'an untrained student');
    return this.net;
  }

  /** Log-softmax rows [n, width] (rationale block and answer block normalised separately), read back once per chunk. */
  private async logProbs(inputs: (I | null)[]): Promise<Float32Array> {
    const net = this.requireNet();
    const { rationaleClasses: Cr, answerClasses: Ca } = this.o;
    const out = new Float32Array(inputs.length * this.width);
    for (let start = 0; start < inputs.length; start += CHUNK) {
      const part = inputs.slice(start, start + CHUNK);
      const t = tf.tidy(() => {
        const logits = net.apply(tf.tensor2d(this.features(part), [part.length, this.o.inputDim]));
        const a = tf.logSoftmax(tf.slice(logits, [0, Cr], [-1, Ca]));
        return Cr === 0 ? a : tf.concat([tf.logSoftmax(tf.slice(logits, [0, 0], [-1, Cr])), a], 1);
      });
      out.set(await t.data(), start * this.width);
      t.dispose();
    }
    return out;
  }

  async generateBatch(inputs: I[]): Promise<Response<number, number>[]> {
    const lp = await this.logProbs(inputs);
    const { rationaleClasses: Cr, answerClasses: Ca } = this.o;
    const W = this.width;
    const argmax = (row: number, from: number, n: number) => {
      let best = 0;
      for (let c = 1; c < n; c++) if (lp[row * W + from + c] > lp[row * W + from + best]) best = c;
      return best;
    };
    return inputs.map((_, r) => ({ rationale: Cr > 0 ? argmax(r, 0, Cr) : -1, answer: argmax(r, Cr, Ca) }));
  }

  async generate(input: I): Promise<Response<number, number>> {
    return (await this.generateBatch([input]))[0];
  }

  async logLikelihoodBatch(inputs: (I | null)[], responses: Response<number, number>[]): Promise<LogLikelihood[]> {
    if (responses.length !== inputs.length) throw new ShapeError('classifierStudent.logLikelihoodBatch responses', `[${inputs.length}]`, [responses.length]);
    const lp = await this.logProbs(inputs);
    const { rationaleClasses: Cr, answerClasses: Ca } = this.o;
    const W = this.width;
    return responses.map((resp, r) => {
      const a = this.classId(resp.answer, Ca, 'answer', `response ${r}`);
      let sum = lp[r * W + Cr + a];
      let tokens = 1;
      if (this.o.scoreRationale) {
        sum += lp[r * W + this.classId(resp.rationale, Cr, 'rationale', `response ${r}`)];
        tokens = 2;
      }
      return { sum, tokens };
    });
  }

  async logLikelihood(input: I | null, response: Response<number, number>): Promise<LogLikelihood> {
    return (await this.logLikelihoodBatch([input], [response]))[0];
  }

  /** Predicted answer class per input (evaluation). */
  async predict(inputs: I[]): Promise<Int32Array> {
    return Int32Array.from((await this.generateBatch(inputs)).map((r) => r.answer));
  }

  dispose(): void {
    this.reset();
  }
}

/** The tfjs student adapter: `classifierStudent({createNet, featurize, inputDim, answerClasses, ...})`. */
export function classifierStudent<I>(options: ClassifierStudentOptions<I>): ClassifierStudent<I> {
  return new ClassifierStudent(options);
}
