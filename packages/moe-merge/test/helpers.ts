import * as tf from '@tensorflow/tfjs';
import { createRng } from '@paperkit/tensor-core';
import { TinyLlama } from '../src/llama/tiny-llama.js';
import { saveTinyLlama as saveModel } from '../src/node-models.js';
import { TINY_LLAMA_CONFIG, type LlamaConfig } from '../src/llama/llama-config.js';

/** Save a tiny Llama whose weights are the seed-0 base plus N(0, noise) (noise 0 = identical to the base). */
export async function saveTinyLlama(dir: string, options: { noise?: number; seed?: number; config?: Partial<LlamaConfig> } = {}): Promise<void> {
  const config = { ...TINY_LLAMA_CONFIG, ...(options.config ?? {}) } as LlamaConfig;
  const base = new TinyLlama({ config, seed: 0 });
  const rng = createRng(options.seed ?? 1);
  const noise = options.noise ?? 0;
  const m = new TinyLlama({ config }, (name) => {
    const d = Float32Array.from(base.tensor(name).dataSync());
    if (noise > 0) for (let i = 0; i < d.length; i++) d[i] += rng.normal(0, noise);
    return d;
  });
  base.dispose();
  await saveModel(m, dir);
  m.dispose();
}

export function ids(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, undefined, 'int32');
}
