/**
 * A user's view of Reprogramming Distillation: we have a frozen "foundation" model that
 * reads 20 lab values (trained on a big, different task: which of 8 organ panels a record
 * came from) and only 150 labelled patients for a new 3-way triage task. We want a small
 * model of our own architecture for the bedside device, not the FM.
 *
 * Run: pnpm --filter example-reprogramming-distill start
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend, softmaxCrossEntropy, trainSteps } from '@paperkit/tensor-core';
import { cacheTeacherFeatures, evaluateAccuracy, gaussianJitter, reprogramDistill, trainStudentOnly } from '@paperkit/reprogramming-distill';

await initBackend();
const rng = createRng(2024);
const LABS = 20;

// --- Our records: a 6-d latent physiology drives 20 noisy lab values.
const mixing = rng.normalArray(6 * LABS, 0, 0.6);
function records(n: number) {
  const x = new Float32Array(n * LABS);
  const organ: number[] = [];
  const triage: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: 6 }, () => rng.normal());
    for (let f = 0; f < LABS; f++) {
      let s = 0;
      for (let k = 0; k < 6; k++) s += z[k] * mixing[k * LABS + f];
      x[i * LABS + f] = Math.tanh(s) + 0.3 * rng.normal();
    }
    organ.push((z[0] > 0 ? 1 : 0) + (z[1] > 0 ? 2 : 0) + (z[2] > 0 ? 4 : 0)); // the FM's pretraining task
    triage.push(z[0] - z[1] > 0.4 ? 0 : z[2] * z[3] > 0 ? 1 : 2); // our new task
  }
  return { x: tf.tensor2d(x, [n, LABS]), organ, triage };
}
const big = records(3000);
const train = records(150);
const test = records(2000);

// Seeded initialisers, so every run prints the same numbers.
const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

// --- The foundation model (in real life: loaded with tf.loadLayersModel and never trained by us).
const fm = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [LABS], units: 96, activation: 'relu', ...init(1) }),
    tf.layers.dense({ units: 48, activation: 'relu', name: 'embedding', ...init(2) }),
    tf.layers.dense({ units: 8, ...init(3) }),
  ],
});
const organOneHot = tf.oneHot(tf.tensor1d(big.organ, 'int32'), 8).toFloat();
await trainSteps({
  model: fm, steps: 600, optimizer: { name: 'adam', lr: 2e-3 }, progress: 'pretraining the stand-in FM',
  loss: (s) => tf.tidy(() => {
    const idx = tf.tensor1d(Array.from({ length: 128 }, (_, i) => (s * 128 + i) % 3000), 'int32');
    return softmaxCrossEntropy(tf.gather(organOneHot, idx), fm.apply(tf.gather(big.x, idx)) as tf.Tensor);
  }),
});

// --- Our small bedside model: a different architecture (narrow, tanh, 16-d features).
const bedside = () =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [LABS], units: 24, activation: 'tanh', ...init(4) }),
      tf.layers.dense({ units: 16, activation: 'relu', ...init(5) }),
    ],
  });

// The FM's 'embedding' features of 8 jittered copies of our 150 patients, computed once and shared by both runs
// (so the baseline sees exactly the same augmented inputs as RD).
const cache = cacheTeacherFeatures({
  teacher: fm, teacherFeatureLayer: 'embedding', data: { x: train.x, y: train.triage }, numClasses: 3,
  augment: gaussianJitter(0.05), copies: 8, seed: 1,
});

// Baseline: the small model on our patients only.
const alone = await trainStudentOnly({ student: bedside(), numClasses: 3, data: cache, steps: 400, seed: 1 });

// RD: reprogram the FM features into the student's 16-d space, co-train through a shared classifier with KL + CKA.
const rd = await reprogramDistill({
  teacher: fm, teacherFeatureLayer: 'embedding', student: bedside(), numClasses: 3,
  teacherCache: cache, steps: 400, seed: 1, progress: 'reprogramming distillation',
});

const acc = (m: tf.LayersModel | ((x: tf.Tensor) => tf.Tensor)) => evaluateAccuracy(m, test.x, test.triage).toFixed(3);
console.log(`\ntriage accuracy on 2000 held-out patients:`);
console.log(`  small model alone          ${acc(alone.deployModel)}  (${alone.deployModel.countParams()} params)`);
console.log(`  small model via RD         ${acc(rd.deployModel)}  (${rd.deployModel.countParams()} params, deployed)`);
console.log(`  reprogrammed FM (teacher)  ${acc((x) => rd.teacherLogits(x))}  (FM ${fm.countParams()} params + R, not deployed)`);
console.log(`RD took ${rd.history.seconds.toFixed(1)} s for ${rd.history.steps} steps; teacher features cached: ${rd.history.teacherCached}`);
console.log('deployed layers:', rd.deployModel.layers.map((l) => l.getClassName()).join(' -> '));
