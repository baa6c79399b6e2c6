/**
 * A user's view of MoLA: three plants send the same 10 sensor readings to one
 * quality classifier, but plant B wired three sensors with inverted polarity
 * and plant C recalibrated two others. One shared network has to compromise;
 * MoLA gives each plant a small low-rank adapter on the shared backbone.
 *
 * - MoLA-Grad: we know the plant of every reading -> adapter by plant id, then
 *   export one plain tfjs model per plant (adapter merged in, zero overhead).
 * - MoLA-Router: at inference the plant is unknown -> a router picks the
 *   adapters (and heads) from the reading itself, trained with the TwD loss.
 *
 * Run: pnpm --filter example-mola start
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { addMoLA, evaluateMoLA, hardParameterSharing, trainMoLA, type TaskData } from '@paperkit/mola';

await initBackend();
const rng = createRng(7);

// --- Our data: 10 sensors + a 3-value plant fingerprint (line voltage etc.), 3 quality grades.
const SENSORS = 10;
const PLANTS = 3;
const weights = rng.normalArray(SENSORS * 3);
const polarity = [new Array(SENSORS).fill(1), [1, -1, 1, -1, 1, 1, -1, 1, 1, 1], [1, 1, 1, 1, -1, 1, 1, 1, -1, 1]];
function readings(n: number): TaskData {
  const x = new Float32Array(n * (SENSORS + PLANTS));
  const y: number[] = [];
  const plant: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = i % PLANTS;
    const s = Array.from({ length: SENSORS }, () => rng.normal());
    const scores = [0, 1, 2].map((g) => s.reduce((a, v, k) => a + Math.tanh(v) * weights[g * SENSORS + k], 0));
    y.push(scores.indexOf(Math.max(...scores)));
    plant.push(p);
    s.forEach((v, k) => (x[i * (SENSORS + PLANTS) + k] = v * polarity[p][k]));
    for (let q = 0; q < PLANTS; q++) x[i * (SENSORS + PLANTS) + SENSORS + q] = (q === p ? 1 : 0) + 0.3 * rng.normal();
  }
  return { x: tf.tensor2d(x, [n, SENSORS + PLANTS]), y, taskIds: plant };
}
const train = readings(3000);
const val = readings(600);
const test = readings(1500);

// --- Our existing model (any tf.LayersModel whose output is a Dense head).
function ourModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed }); // seeded, so every run prints the same
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [SENSORS + PLANTS], units: 32, activation: 'relu', name: 'features', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 32, activation: 'relu', name: 'mixer', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'grade', kernelInitializer: init(3) }),
    ],
  });
}
const fit = { steps: 600, validation: val, onEval: (p: { step: number; loss: number }) => p.step % 200 === 0 && console.log(`  step ${p.step} loss ${p.loss.toFixed(3)}`) };

console.log('shared network, one head per plant (HPS):');
const shared = hardParameterSharing(ourModel(), { numTasks: PLANTS });
await trainMoLA(shared, train, fit);
console.log(`  test accuracy ${evaluateMoLA(shared, test).meanTaskAccuracy.toFixed(3)}`);

console.log('MoLA-Grad (adapter by plant id, rank 4):');
const grad = addMoLA(ourModel(), { numAdapters: PLANTS, mode: 'grad', rank: 4 });
await trainMoLA(grad, train, fit);
console.log(`  test accuracy ${evaluateMoLA(grad, test).meanTaskAccuracy.toFixed(3)}`);

// One plain deployable model per plant: same layers as ourModel(), adapter folded into the weights.
const plantB = grad.mergeForTask(1);
const sample = tf.slice(test.x, [1], [1]); // row 1 is from plant B
const plain = ourModel();
const fmt = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v.toFixed(3)).join(' ');
console.log(`  plant B merged model: ${plantB.countParams()} params, same as ourModel (${plain.countParams()}); p(grade) = ${fmt(plantB.predict(sample) as tf.Tensor)}`);
plain.dispose();
// await plantB.save('file://./plant-b-model');  // (with tfjs-node) or 'downloads://plant-b' in a browser

console.log('MoLA-Router + TwD (no plant id at inference, heads included):');
const router = addMoLA(ourModel(), { numAdapters: PLANTS, mode: 'router', rank: 4, twd: { weight: 1, temperature: 0.3 } });
await trainMoLA(router, train, fit);
const ev = evaluateMoLA(router, test);
console.log(`  test accuracy ${ev.meanTaskAccuracy.toFixed(3)}, gate purity ${ev.gatePurity!.toFixed(2)}, routing entropy ${ev.routingEntropy!.toFixed(2)} nats`);
const probs = router.predict(sample); // no taskIds needed
console.log(`  p(grade) for the plant B reading, routed from the reading alone: ${fmt(probs)}`);

[shared, grad, router].forEach((m) => m.dispose());
plantB.dispose();
