/**
 * A user merging their own dense experts into one Mixtral MoE.
 *
 *   pnpm --filter example-moe-merge start                 # builds two tiny experts of its own, then merges
 *   pnpm --filter example-moe-merge start BASE E1 E2 ...  # your own Llama/Mistral checkpoint directories
 *
 * Steps: (1) have a base and experts fine-tuned from it (here: a tiny Llama
 * trained on "counting up" and "counting down" token streams), (2) write a
 * mergekit-moe YAML with a shared_merge key, (3) merge, (4) inspect the
 * output, (5) run the merged file and a perplexity-routed composition in tfjs,
 * (6) fine-tune only the router of the merged MoE on my mixed data.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, initBackend, softmaxCrossEntropy, trainSteps } from '@paperkit/tensor-core';
import { formatInspect, MixtralModel, PerplexityRoutedMoE, TinyLlama, tokenLogProbs } from '@paperkit/moe-merge';
import { inspectCheckpoint, loadMixtral, loadTinyLlama, mergeFromYamlFile, saveTinyLlama } from '@paperkit/moe-merge/node';

await initBackend({ quiet: true });
const work = mkdtempSync(join(tmpdir(), 'moe-merge-example-'));
const T = 16;

/** My data: counting up or down by a random step, modulo the vocabulary of 32 tokens. */
function myData(direction: 1 | -1 | 0, n: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const out = new Int32Array(n * T);
  for (let r = 0; r < n; r++) {
    const d = direction === 0 ? (rng.bernoulli(0.5) ? 1 : -1) : direction;
    const step = d * (1 + rng.int(3));
    out[r * T] = rng.int(32);
    for (let t = 1; t < T; t++) out[r * T + t] = (((out[r * T + t - 1] + step) % 32) + 32) % 32;
  }
  return out;
}

async function train(model: TinyLlama | MixtralModel, data: Int32Array, steps: number, seed: number, variables?: tf.Variable[]): Promise<void> {
  const rng = createRng(seed);
  const rows = data.length / T;
  await trainSteps({
    steps,
    variables: variables ?? (model instanceof TinyLlama ? model.trainableVariables : model.variables),
    optimizer: { name: 'adam', lr: 5e-3 },
    progress: false,
    loss: () => {
      const batch = new Int32Array(16 * T);
      for (let i = 0; i < 16; i++) {
        const r = rng.int(rows);
        batch.set(data.subarray(r * T, (r + 1) * T), i * T);
      }
      const ids = tf.tensor2d(batch, [16, T], 'int32');
      const logits = tf.reshape(tf.slice(model.logits(ids), [0, 0, 0], [16, T - 1, 32]), [-1, 32]);
      const labels = tf.oneHot(tf.reshape(tf.slice(ids, [0, 1], [16, T - 1]), [-1]) as tf.Tensor1D, 32);
      return softmaxCrossEntropy(labels, logits);
    },
  });
}

let base = process.argv[2];
let experts = process.argv.slice(3);
if (!base) {
  console.log('no checkpoint directories given: training a tiny base and two experts of my own...');
  const m = new TinyLlama({ seed: 0 });
  await train(m, myData(0, 2048, 1), 150, 1);
  base = join(work, 'base');
  await saveTinyLlama(m, base);
  m.dispose();
  experts = [];
  for (const [name, dir] of [['up', 1], ['down', -1]] as const) {
    const e = await loadTinyLlama(base);
    await train(e, myData(dir, 2048, 2 + dir), 80, 3 + dir);
    await saveTinyLlama(e, join(work, name));
    e.dispose();
    experts.push(join(work, name));
  }
}

// A mergekit-moe YAML plus `shared_merge`; prompts as token ids (or text with a local tokenizer.json).
const prompts = [[[1, 2, 3, 4, 5, 6]], [[20, 19, 18, 17, 16, 15]]];
const yaml = [
  `base_model: ${base}`,
  'gate_mode: hidden',
  'dtype: float32',
  'experts_per_token: 1',
  'shared_merge: {method: dare_ties, density: 0.8, lambda: 0.5}',
  'experts:',
  ...experts.flatMap((dir, i) => [`  - source_model: ${dir}`, `    positive_prompts: ${JSON.stringify(prompts[i % prompts.length])}`]),
].join('\n');
writeFileSync(join(work, 'moe.yaml'), `${yaml}\n`);

const out = join(work, 'my-moe');
const result = await mergeFromYamlFile(join(work, 'moe.yaml'), out);
result.plan.forEach((line) => console.log(line));
result.warnings.forEach((w) => console.log(`warning: ${w}`));
console.log(formatInspect(inspectCheckpoint(out)).split('\n').slice(-2).join('\n'));

// Run the file we wrote, and compare with routing whole sequences by perplexity over the full experts.
const moe = await loadMixtral(out, { trainable: true });
const expertModels = await Promise.all(experts.map((d) => loadTinyLlama(d)));
const ppl = new PerplexityRoutedMoE(expertModels, { topK: 1, prefixTokens: 6 });
const test = tf.tensor2d(myData(0, 256, 99), [256, T], 'int32');
const heldOut = (model: MixtralModel | PerplexityRoutedMoE) =>
  tf.tidy(() => tf.neg(tf.mean(tf.slice(tokenLogProbs(model.logits(test), test), [0, 5], [-1, -1]))).dataSync()[0]);
for (const [name, model] of [['Mixtral file', moe], ['PPL-routed experts', ppl]] as const) console.log(`${name}: held-out NLL ${heldOut(model).toFixed(3)}`);

// Fine-tune only the router rows (everything else frozen) on my mixed data; top-k routing has a gradient.
await train(moe, myData(0, 2048, 7), 40, 8, moe.routerVariables);
console.log(`Mixtral file after 40 router-only steps: held-out NLL ${heldOut(moe).toFixed(3)}`);
moe.dispose();
expertModels.forEach((m) => m.dispose());
test.dispose();
rmSync(work, { recursive: true, force: true });
