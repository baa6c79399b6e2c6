import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TaskAttention } from '../src/task-attention.js';
import { hashedBow } from '../src/text-encoder.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('text-conditioned attention (spec section 7)', () => {
  const enc = hashedBow({ dim: 64 });
  const texts = ['move the gripper to the goal', 'press the button on the top wall', 'pull the drawer handle to open the drawer'];
  const keys = () => tf.tensor2d(texts.map((t) => Array.from(enc.encode(t) as Float32Array)));

  it("with qkInit 'identity' the logits equal e_t . e_j / sqrt(d), weights sum to 1 and an identical description is the argmax", () => {
    const att = new TaskAttention({ textDim: 64, qkDim: 64, qkInit: 'identity' });
    const e = enc.encode(texts[1]) as Float32Array;
    const q = tf.tensor1d(e);
    const k = keys();
    const logits = att.logits(q, k).arraySync() as number[];
    texts.forEach((t, j) => {
      const ej = enc.encode(t) as Float32Array;
      expect(logits[j]).toBeCloseTo(e.reduce((s, v, i) => s + v * ej[i], 0) / 8, 5);
    });
    const w = att.weights(q, k).arraySync() as number[];
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(w.indexOf(Math.max(...w))).toBe(1);
    expect(att.hardWeights(q, k).arraySync()).toEqual([0, 1, 0]);
    tf.dispose([q, k]);
    att.dispose();
  });

  it("with qkInit 'official' (all ones) the logits depend only on coordinate sums", () => {
    const att = new TaskAttention({ textDim: 4, qkDim: 3, qkInit: 'official' });
    const q = tf.tensor1d([1, 0, 0, 0]);
    const k = tf.tensor2d([[0.5, 0.5, 0, 0], [0, 0, 0, 1]]);
    const l = att.logits(q, k).arraySync() as number[];
    expect(l[0]).toBeCloseTo(l[1], 6);
    expect(l[0]).toBeCloseTo((1 * 1 * 3) / Math.sqrt(3), 5);
    tf.dispose([q, k]);
    att.dispose();
  });

  it("rejects qkDim != text dim with 'identity'", () => {
    expect(() => new TaskAttention({ textDim: 4, qkDim: 3, qkInit: 'identity' })).toThrow(/qkDim/);
  });
});
