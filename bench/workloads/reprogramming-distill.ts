/**
 * @paperkit/reprogramming-distill bench workloads: one co-training Adam step of RD (spec
 * section 2) on cached teacher features, with the reproduction's shapes (student MLP
 * 64-32-32, reprogrammer 64-64-32, shared classifier 32->3, p_T = 64), the loss
 *   CE(C(h_S)) + a CE(C(R(h_T))) + b tau^2 KL + (1 - linear CKA(R(h_T), h_S)),  a = b = 0.5, tau = 4,
 * at the spec's batch 64 and at batch 512. The PyTorch twins are in
 * bench/torch/reprogramming-distill.py (same shapes, same loss, torch.optim.Adam).
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, MLP, makeOptimizer } from '../../packages/tensor-core/src/index.js';
import { rdLoss } from '../../packages/reprogramming-distill/src/index.js';
import { oneHotRows, seededInts, seededUniform, type BenchStep, type BenchWorkload } from '../workload.js';

function rdStep(batch: number): () => Promise<BenchStep> {
  return async () => {
    const x = tf.tensor2d(seededUniform(batch * 64, 31), [batch, 64]);
    const hT = tf.tensor2d(seededUniform(batch * 64, 32, 0, 1), [batch, 64]);
    const labels = tf.tensor2d(oneHotRows(seededInts(batch, 3, 33), 3), [batch, 3]);
    const student = new MLP({ sizes: [64, 32, 32], activation: 'relu', outputActivation: 'relu', seed: 1 });
    const reprogrammer = new MLP({ sizes: [64, 64, 32], activation: 'relu', seed: 2 });
    const classifier = new Dense({ inDim: 32, outDim: 3, seed: 3 });
    const variables = [...student.trainableVariables, ...reprogrammer.trainableVariables, ...classifier.trainableVariables];
    const optimizer = makeOptimizer({ name: 'adam', lr: 3e-3 });
    return {
      step() {
        const cost = optimizer.minimize(() => {
          const hS = student.apply(x);
          const hR = reprogrammer.apply(hT);
          return rdLoss({
            studentLogits: classifier.apply(hS), teacherLogits: classifier.apply(hR), studentFeatures: hS, teacherFeatures: hR, labels,
            weights: { teacherCe: 0.5, kl: 0.5, align: 1 }, temperature: 4,
          }).total;
        }, true, variables);
        cost?.dataSync();
        cost?.dispose();
      },
      dispose() {
        optimizer.dispose();
        tf.dispose([x, hT, labels]);
        student.dispose();
        reprogrammer.dispose();
        classifier.dispose();
      },
    };
  };
}

export const workloads: Array<BenchWorkload & { torch: string }> = [
  { name: 'reprogramming-distill RD co-training step (batch 64, KL + linear CKA)', torch: 'rd-step-b64', setup: rdStep(64) },
  { name: 'reprogramming-distill RD co-training step (batch 512, KL + linear CKA)', torch: 'rd-step-b512', setup: rdStep(512) },
];
