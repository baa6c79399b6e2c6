/**
 * "Weak details": our second, harder dataset, built so that over-invariance is strong by
 * construction (issue 14). It follows the paper's synthetic experiment, where the invariant
 * part's variance is varied, and the spec's diagnosis: the class is carried by
 *
 *   core    (4 dims):   x = (2c - 1) mu_core + N(0, 1)              identical in every env
 *   details (32 dims):  x = (2c - 1) mu_e + N(0, 1)                 weak one by one, strong together;
 *                                                                    the direction is invariant but
 *                                                                    the strength mu_e changes with
 *                                                                    the environment (0.15 / 0.35 in
 *                                                                    training, 0.25 in validation, 0.2 at test)
 *   colour  (8 dims):   x = (2 col - 1) mu_s + sigma_s N(0, 1),  col = y xor Bern(e)
 *
 * with c ~ Bern(0.5), y = c xor Bern(0.25) and e = 0.2 / 0.1 (train), 0.5 (validation), 0.9
 * (test). A strong invariance penalty sees the details' strength change as a lack of
 * invariance and squeezes them out together with the colour, leaving the weaker core (about
 * 69 % test accuracy at best), while core + details reach about 72.5 %. The grey set zeroes the
 * colour dims; the half sets zero the first / second half of the 36 invariant dims.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, createRng, type Rng } from '@paperkit/tensor-core';
import { disposeEnvs, type InvarianceDataset, type LabelledEnv } from './colored-digits.js';

export interface WeakDetailsOptions {
  seed?: number;
  perEnv?: number;
  testSize?: number;
  coreDims?: number;
  detailDims?: number;
  colourDims?: number;
  coreStrength?: number;
  /** Detail strength mu_e of each training environment. Default [0.15, 0.35] (it grows with the colour's reliability, so no mix of colour and details is equally calibrated in both). */
  trainDetailStrengths?: number[];
  /** Default 0.25 (the midpoint of the training strengths). */
  validationDetailStrength?: number;
  /** Default 0.2. */
  testDetailStrength?: number;
  trainFlips?: number[];
  validationFlip?: number;
  testFlip?: number;
  labelNoise?: number;
  colourStrength?: number;
  colourNoise?: number;
}

export const WEAK_DETAILS_DEFAULTS = Object.freeze({
  seed: 0, perEnv: 2000, testSize: 2000, coreDims: 4, detailDims: 32, colourDims: 8, coreStrength: 0.6,
  trainDetailStrengths: [0.15, 0.35] as number[], validationDetailStrength: 0.25, testDetailStrength: 0.2, trainFlips: [0.2, 0.1] as number[],
  validationFlip: 0.5, testFlip: 0.9, labelNoise: 0.25, colourStrength: 1, colourNoise: 0.5,
});

type Resolved = typeof WEAK_DETAILS_DEFAULTS;

function rows(n: number, detail: number, flip: number, o: Resolved, rng: Rng, zero: (j: number) => boolean = () => false): LabelledEnv {
  const d = o.coreDims + o.detailDims + o.colourDims;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const clean = new Int32Array(n);
  const agrees = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.bernoulli(0.5) ? 1 : 0;
    const label = c ^ (rng.bernoulli(o.labelNoise) ? 1 : 0);
    const col = label ^ (rng.bernoulli(flip) ? 1 : 0);
    y[i] = label;
    clean[i] = c;
    agrees[i] = col === label ? 1 : 0;
    const sc = 2 * c - 1;
    for (let j = 0; j < d; j++) {
      let v: number;
      if (j < o.coreDims) v = sc * o.coreStrength + rng.normal();
      else if (j < o.coreDims + o.detailDims) v = sc * detail + rng.normal();
      else v = (2 * col - 1) * o.colourStrength + o.colourNoise * rng.normal();
      x[i * d + j] = zero(j) ? 0 : v;
    }
  }
  return { x: tf.tensor2d(x, [n, d]), y: tf.tensor2d(y, [n, 1]), cleanClass: clean, colourAgrees: agrees };
}

export function weakDetails(options: WeakDetailsOptions = {}): InvarianceDataset {
  const o = { ...WEAK_DETAILS_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Resolved;
  for (const k of ['perEnv', 'testSize'] as const) if (!(Number.isInteger(o[k]) && o[k] >= 2)) throw new OptionError(`weakDetails.${k}`, 'an integer >= 2', o[k]);
  for (const k of ['coreDims', 'detailDims', 'colourDims'] as const) if (!(Number.isInteger(o[k]) && o[k] >= 1)) throw new OptionError(`weakDetails.${k}`, 'an integer >= 1', o[k]);
  for (const k of ['validationFlip', 'testFlip', 'labelNoise'] as const) if (!(o[k] >= 0 && o[k] <= 1)) throw new OptionError(`weakDetails.${k}`, 'a probability in [0, 1]', o[k]);
  if (!Array.isArray(o.trainFlips) || o.trainFlips.length !== o.trainDetailStrengths.length || o.trainFlips.length < 1) {
    throw new OptionError('weakDetails.trainFlips', `one flip per training environment (${o.trainDetailStrengths.length} detail strengths given)`, o.trainFlips);
  }
  const rng = createRng(o.seed).fork('weak-details');
  const inv = o.coreDims + o.detailDims;
  const half = Math.floor(inv / 2);
  const train = o.trainFlips.map((e, i) => rows(o.perEnv, o.trainDetailStrengths[i], e, o, rng.fork(`train${i}`)));
  const validation = rows(o.testSize, o.validationDetailStrength, o.validationFlip, o, rng.fork('validation'));
  // The four test sets share their rows: the same generator state is replayed per set.
  const testSet = (zero?: (j: number) => boolean) => rows(o.testSize, o.testDetailStrength, o.testFlip, o, rng.fork('test'), zero);
  const sets = {
    test: testSet(),
    grey: testSet((j) => j >= inv),
    halfFirst: testSet((j) => j < half),
    halfSecond: testSet((j) => j >= half && j < inv),
  };
  const all = [...train, validation, sets.test, sets.grey, sets.halfFirst, sets.halfSecond];
  return { name: 'weak-details', inputDim: inv + o.colourDims, train, validation, ...sets, dispose: () => disposeEnvs(all) };
}
