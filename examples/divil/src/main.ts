/**
 * DivIL on your own tfjs model: a plain tf.sequential classifier trained on records from two
 * "hospitals" (environments), where a scanner artefact (spurious) tracks the label in both
 * but flips at a third hospital. We split the model at its feature layer and train it with
 * ERM, with IRMv1, and with IRMv1 + DivIL, then score the unseen hospital.
 *
 * Numbers are measured, not promised: IRMv1 may or may not beat ERM on the unseen hospital
 * for a given seed, and DivIL may or may not help (see the package README for the
 * multi-seed reproduction).
 *
 * Run: pnpm --filter example-divil start
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { accuracyOn, createDivil, splitSequential, type Env } from '@paperkit/divil';

await initBackend();

/** Your data: 12 measurements (the first 8 carry the diagnosis weakly) + 2 artefact channels. */
function hospital(n: number, artefactAgreement: number, seed: number): Env {
  const rng = createRng(seed);
  const x = new Float32Array(n * 10);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const sick = rng.bernoulli(0.5) ? 1 : 0;
    const label = rng.bernoulli(0.2) ? 1 - sick : sick; // noisy chart labels
    const artefact = rng.bernoulli(artefactAgreement) ? label : 1 - label;
    for (let j = 0; j < 8; j++) x[i * 10 + j] = (2 * sick - 1) * 0.4 + rng.normal();
    x[i * 10 + 8] = (2 * artefact - 1) + 0.3 * rng.normal();
    x[i * 10 + 9] = (2 * artefact - 1) + 0.3 * rng.normal();
    y[i] = label;
  }
  return { x: tf.tensor2d(x, [n, 10]), y: tf.tensor2d(y, [n, 1]) };
}

const train = [hospital(1500, 0.9, 1), hospital(1500, 0.8, 2)];
const unseen = hospital(2000, 0.1, 3);

function userModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [10], units: 32, activation: 'relu', name: 'hidden1', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
      tf.layers.dense({ units: 32, activation: 'relu', name: 'features', kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }),
      tf.layers.dense({ units: 1, name: 'logit', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }),
    ],
  });
}

for (const [name, options] of [
  ['ERM', { objective: 'erm', contrastWeight: 0 }],
  ['IRMv1', { objective: 'irm', penaltyWeight: 1e4, annealSteps: 100, contrastWeight: 0 }],
  ['IRMv1 + DivIL', { objective: 'irm', penaltyWeight: 1e4, annealSteps: 100, contrastWeight: 0.01 }],
] as const) {
  const model = userModel();
  const parts = splitSequential(model, 'features');
  const learner = createDivil(
    { featurizer: parts.featurizer, head: parts.head, trainableVariables: [...parts.featurizerVariables, ...parts.headVariables] },
    { ...options, seed: 0 },
  );
  await learner.fit(train, { steps: 400, batchSize: 256, optimizer: { name: 'adam', lr: 1e-3 }, progress: false });
  const acc = [await accuracyOn(learner, train[0]), await accuracyOn(learner, train[1]), await accuracyOn(learner, unseen)];
  console.log(`${name.padEnd(14)} train ${(50 * (acc[0] + acc[1])).toFixed(1)} %   unseen hospital ${(100 * acc[2]).toFixed(1)} %`);
  learner.dispose();
  model.dispose(); // the learner never disposes your model
}
tf.dispose([...train.flatMap((e) => [e.x, e.y]), unseen.x, unseen.y]);
