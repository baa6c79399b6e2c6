/**
 * A user's view of LoRKD: three hospital departments share one small tfjs
 * classifier. We already have a bigger model that serves all departments (the
 * teacher); we want one small student with a low-rank expert per department,
 * then a plain, deployable network for one department.
 *
 * Run: pnpm --filter example-lorkd start
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { addTaskExperts, evaluateTasks, expertParams, mergeExpert, switchExpert, trainLoRKD, trainMTL } from '@paperkit/lorkd';

await initBackend();
const rng = createRng(42);

// --- Our data: 12 lab values per patient, a department id, and a diagnosis local to the department.
const departments = ['cardiology', 'nephrology', 'hepatology'];
const classesPerTask = [3, 2, 4]; // cardiology has 3 diagnoses, nephrology 2, hepatology 4
const FEATURES = 12;
const directions = departments.map(() => rng.normalArray(FEATURES * 2));
function makePatients(n: number) {
  const x = new Float32Array(n * FEATURES);
  const task: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = i % departments.length;
    for (let f = 0; f < FEATURES; f++) x[i * FEATURES + f] = rng.normal() + (f === t ? 1.5 : 0);
    // Each department reads the labs along its own two directions (conflicting for a shared net).
    let s1 = 0;
    let s2 = 0;
    for (let f = 0; f < FEATURES; f++) {
      s1 += x[i * FEATURES + f] * directions[t][f];
      s2 += x[i * FEATURES + f] * directions[t][FEATURES + f];
    }
    const c = classesPerTask[t];
    const angle = Math.atan2(s2, s1) + Math.PI; // 0..2 pi
    task.push(t);
    y.push(Math.min(c - 1, Math.floor((angle / (2 * Math.PI)) * c)));
  }
  return { x: tf.tensor2d(x, [n, FEATURES]), y, task };
}
const train = makePatients(1800);
const test = makePatients(900);
const totalClasses = classesPerTask.reduce((a, b) => a + b, 0);

// --- Our existing big model (stands in for the foundation model), trained on everything.
const teacher = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [FEATURES], units: 96, activation: 'relu' }),
    tf.layers.dense({ units: 96, activation: 'relu' }),
    tf.layers.dense({ units: totalClasses }),
  ],
});
await trainMTL({ model: teacher, data: train, classesPerTask, optimizer: 'adam', lr: 3e-3, epochs: 30 });

// --- Our small model, the one we can afford to deploy per department.
const small = () =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [FEATURES], units: 16, activation: 'relu' }),
      tf.layers.dense({ units: 16, activation: 'relu' }),
      tf.layers.dense({ units: totalClasses }), // one block of logits per department
    ],
  });

// Baseline: the small model trained on all departments at once.
const shared = small();
await trainMTL({ model: shared, data: train, classesPerTask, optimizer: 'adam', lr: 3e-3, epochs: 30 });

// LoRKD: add a rank-4 expert per department to every hidden layer, distil from the teacher.
const student = addTaskExperts(small(), { numTasks: departments.length, rank: 4, alpha: 4 });
await trainLoRKD({
  student, teacher, data: train, classesPerTask,
  kd: { weight: 1, temperature: 4 }, optimizer: 'adam', lr: 3e-3, epochs: 30,
});

const report = async (name: string, model: tf.LayersModel) => {
  const e = await evaluateTasks(model, test, { classesPerTask });
  console.log(`${name.padEnd(22)} ${e.perTask.map((a, t) => `${departments[t]} ${a.toFixed(3)}`).join('  ')}  mean ${e.meanTaskAccuracy.toFixed(3)}`);
};
await report('teacher', teacher);
await report('small shared model', shared);
await report('LoRKD student', student);

// Deploy cardiology: a plain tf.Sequential-like model with no task input and only its own head.
const cardiology = mergeExpert(student, 0, { classesPerTask: [3, 2, 4] });
const counts = expertParams(student, { classesPerTask });
console.log(`\nmerged cardiology model: ${cardiology.countParams()} params (teacher ${teacher.countParams()}, student while training ${counts.trainable})`);
console.log('layers:', cardiology.layers.map((l) => l.getClassName()).join(' -> '));
const sample = tf.slice(test.x, [0, 0], [1, FEATURES]); // patient 0 is a cardiology patient (i % 3 === 0)
console.log('cardiology logits for patient 0:', Array.from((cardiology.predict(sample) as tf.Tensor).dataSync()).map((v) => v.toFixed(2)).join(', '));

// Switching experts in place needs heads of equal size; a model merged without classesPerTask keeps
// every department's head block, so one deployed network can hop between departments.
const hopper = mergeExpert(student, 0);
switchExpert(hopper, 0, 2);
console.log('switched the full-head model from cardiology to hepatology in place');
