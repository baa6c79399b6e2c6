/**
 * The seeded "synthetic Colored digits" of the spec (section 5), a download-free stand-in
 * for Colored MNIST. Ten 7x7 binary digit templates t_k (P(1) = 0.3, from seed 1234 + s);
 * per example: k ~ U{0..9}, class c = [k < 5], label y = c xor Bern(0.25), colour
 * col = y xor Bern(e), grey image g = max(0, t_k * Bern(0.8) + 0.3 N(0, 1)); x in R^98 puts
 * g in channel col (pixels 49 col .. 49 col + 48) and zeros in the other.
 * Train envs e = 0.2 and 0.1, validation env e = 0.5 (ours: a third environment used only for
 * model selection, never the test one), test env e = 0.9, the grey test (g in both
 * channels) and the half tests (test env with the first / second half of the pixels zeroed).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, createRng, type Rng } from '@paperkit/tensor-core';
import type { Env } from '../environments.js';

export interface ColoredDigitsOptions {
  seed?: number;
  /** Rows per training environment. Default 2000. */
  perEnv?: number;
  /** Rows of the validation, test, grey and half sets. Default 2000. */
  testSize?: number;
  /** Colour-flip probability e of each training environment. Default [0.2, 0.1]. */
  trainFlips?: number[];
  /** Default 0.5. */
  validationFlip?: number;
  /** Default 0.9. */
  testFlip?: number;
  /** Default 0.25. */
  labelNoise?: number;
  /** Probability that a template pixel survives. Default 0.8. */
  pixelKeep?: number;
  /** Std of the additive pixel noise. Default 0.3. */
  pixelNoise?: number;
  /** P(template pixel = 1). Default 0.3. */
  templateDensity?: number;
}

export const COLORED_DIGITS_DEFAULTS = Object.freeze({
  seed: 0, perEnv: 2000, testSize: 2000, trainFlips: [0.2, 0.1] as number[], validationFlip: 0.5, testFlip: 0.9,
  labelNoise: 0.25, pixelKeep: 0.8, pixelNoise: 0.3, templateDensity: 0.3,
});

/** An environment with the per-row facts the diagnostics and tests need. */
export interface LabelledEnv extends Env {
  /** Clean (noise-free) class per row, the invariant target of the linear probe. */
  cleanClass: Int32Array;
  /** Whether the spurious cue agrees with the label per row. */
  colourAgrees: Uint8Array;
}

/** What both synthetic generators return. */
export interface InvarianceDataset {
  name: string;
  inputDim: number;
  train: LabelledEnv[];
  validation: LabelledEnv;
  test: LabelledEnv;
  /** The test rows with the spurious cue removed (colour-free). */
  grey: LabelledEnv;
  /** The test rows with the first / second half of the invariant inputs zeroed. */
  halfFirst: LabelledEnv;
  halfSecond: LabelledEnv;
  dispose(): void;
}

const PIXELS = 49;

function checkProb(name: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new OptionError(`coloredDigits.${name}`, 'a probability in [0, 1]', p);
  return p;
}

function checkCount(name: string, n: unknown): number {
  if (!(Number.isInteger(n) && (n as number) >= 2)) throw new OptionError(name, 'an integer >= 2', n);
  return n as number;
}

/** The ten templates of seed s (drawn from RNG seed 1234 + s). */
export function digitTemplates(seed: number, density = 0.3): Uint8Array[] {
  const rng = createRng(1234 + seed);
  return Array.from({ length: 10 }, () => Uint8Array.from({ length: PIXELS }, () => (rng.next() < density ? 1 : 0)));
}

interface Drawn {
  grey: Float32Array; // [n, 49]
  y: Float32Array;
  colour: Uint8Array;
  clean: Int32Array;
}

function drawRows(n: number, flip: number, templates: Uint8Array[], o: typeof COLORED_DIGITS_DEFAULTS, rng: Rng): Drawn {
  const grey = new Float32Array(n * PIXELS);
  const y = new Float32Array(n);
  const colour = new Uint8Array(n);
  const clean = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(10);
    const c = k < 5 ? 1 : 0;
    const label = c ^ (rng.bernoulli(o.labelNoise) ? 1 : 0);
    colour[i] = label ^ (rng.bernoulli(flip) ? 1 : 0);
    y[i] = label;
    clean[i] = c;
    const t = templates[k];
    for (let p = 0; p < PIXELS; p++) {
      const on = t[p] && rng.bernoulli(o.pixelKeep) ? 1 : 0;
      grey[i * PIXELS + p] = Math.max(0, on + o.pixelNoise * rng.normal());
    }
  }
  return { grey, y, colour, clean };
}

/** Lay the grey image into channels: 'colour' (the drawn channel only), 'both' (grey test); zero pixels in [from, to). */
function toEnv(d: Drawn, mode: 'colour' | 'both', zeroFrom = 0, zeroTo = 0): LabelledEnv {
  const n = d.y.length;
  const x = new Float32Array(n * 2 * PIXELS);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < PIXELS; p++) {
      const v = p >= zeroFrom && p < zeroTo ? 0 : d.grey[i * PIXELS + p];
      if (mode === 'both') {
        x[i * 2 * PIXELS + p] = v;
        x[i * 2 * PIXELS + PIXELS + p] = v;
      } else x[i * 2 * PIXELS + d.colour[i] * PIXELS + p] = v;
    }
  }
  const agrees = Uint8Array.from(d.y, (label, i) => (label === d.colour[i] ? 1 : 0));
  return { x: tf.tensor2d(x, [n, 2 * PIXELS]), y: tf.tensor2d(d.y, [n, 1]), cleanClass: d.clean, colourAgrees: agrees };
}

export function disposeEnvs(envs: Env[]): void {
  for (const e of envs) tf.dispose([e.x, e.y]);
}

export function coloredDigits(options: ColoredDigitsOptions = {}): InvarianceDataset {
  const o = { ...COLORED_DIGITS_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof COLORED_DIGITS_DEFAULTS;
  if (!Number.isInteger(o.seed)) throw new OptionError('coloredDigits.seed', 'an integer', o.seed);
  checkCount('coloredDigits.perEnv', o.perEnv);
  checkCount('coloredDigits.testSize', o.testSize);
  if (!Array.isArray(o.trainFlips) || o.trainFlips.length < 1) throw new OptionError('coloredDigits.trainFlips', 'a non-empty array of probabilities', o.trainFlips);
  o.trainFlips.forEach((p, i) => checkProb(`trainFlips[${i}]`, p));
  for (const k of ['validationFlip', 'testFlip', 'labelNoise', 'pixelKeep', 'templateDensity'] as const) checkProb(k, o[k]);
  if (!(o.pixelNoise >= 0)) throw new OptionError('coloredDigits.pixelNoise', 'a number >= 0', o.pixelNoise);
  const templates = digitTemplates(o.seed, o.templateDensity);
  const rng = createRng(o.seed).fork('colored-digits');
  const train = o.trainFlips.map((e, i) => toEnv(drawRows(o.perEnv, e, templates, o, rng.fork(`train${i}`)), 'colour'));
  const validation = toEnv(drawRows(o.testSize, o.validationFlip, templates, o, rng.fork('validation')), 'colour');
  const testRows = drawRows(o.testSize, o.testFlip, templates, o, rng.fork('test'));
  const half = Math.floor(PIXELS / 2);
  const sets = {
    test: toEnv(testRows, 'colour'),
    grey: toEnv(testRows, 'both'),
    halfFirst: toEnv(testRows, 'colour', 0, half),
    halfSecond: toEnv(testRows, 'colour', half, PIXELS),
  };
  const all = [...train, validation, sets.test, sets.grey, sets.halfFirst, sets.halfSecond];
  return { name: 'colored-digits', inputDim: 2 * PIXELS, train, validation, ...sets, dispose: () => disposeEnvs(all) };
}
