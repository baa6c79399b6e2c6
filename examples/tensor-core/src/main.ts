// Train a small MLP on your own data with tensor-core, save its weights as
// safetensors, and load them back: the loop every paperkit method builds on.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MLP, createRng, fit, initBackend, mse, readSafetensors, writeSafetensors } from '@paperkit/tensor-core';
import { writeFileAtomic } from '@paperkit/tensor-core/node';

const backend = await initBackend(); // tfjs-node-gpu > tfjs-node > wasm > cpu
console.log(`running on ${backend.name}`);

// Your data: here y = sin(3x) + noise, drawn from a seeded generator.
const rng = createRng(42);
const n = 2000;
const xs = rng.uniformArray(n, -1, 1);
const ys = xs.map((x) => Math.sin(3 * x) + rng.normal(0, 0.05));
const x = tf.tensor2d(xs, [n, 1]);
const y = tf.tensor2d(ys, [n, 1]);

const model = new MLP({ sizes: [1, 64, 64, 1], activation: 'tanh', seed: 1 });
const result = await fit({
  data: { x, y },
  loss: (batch) => mse(model.apply(batch.x), batch.y),
  model,
  optimizer: { name: 'adam', lr: 0.01 },
  epochs: 30,
  batchSize: 64,
  seed: 1,
  progress: 'fit sin(3x)',
});
console.log(`loss ${result.epochLosses[0].toFixed(4)} -> ${result.lastLoss.toFixed(4)} in ${result.steps} steps`);

// Save every variable as safetensors (atomically), then read the file back.
const file = join(mkdtempSync(join(tmpdir(), 'paperkit-')), 'mlp.safetensors');
const tensors = Object.fromEntries(
  model.variables.map((v) => [v.name, { dtype: 'F32' as const, shape: v.shape, data: v.dataSync() as Float32Array }]),
);
await writeFileAtomic(file, writeSafetensors(tensors, { format: 'paperkit-example' }));
const loaded = readSafetensors(new Uint8Array(readFileSync(file)), { source: file });
console.log(`saved ${Object.keys(loaded.tensors).length} tensors to ${file}`);

tf.dispose([x, y]);
model.dispose();
