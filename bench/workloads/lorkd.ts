/**
 * @paperkit/lorkd bench workloads (spec section 5, "EKS vs loop"): one Adam step
 * of the reproduction's student (D-32-32 ReLU, 4 region heads, rank-4 experts
 * on both hidden layers, Hinton KD with tau 4) on a mixed batch of 128 rows,
 * - with the efficient-knowledge-separation forward (one masked pass), and
 * - with loop separation (one pass per task sub-batch with W0 + delta_t).
 * Both compute the same loss and the same gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, makeOptimizer } from '../../packages/tensor-core/src/index.js';
import { addTaskExperts, classBlockMatrix, lorkdLoss, taskOneHot, withActiveTask } from '../../packages/lorkd/src/index.js';
import { mlp } from '../../packages/lorkd/src/reproduce/models.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

const T = 4;
const C = 4;
const D = 32;
const B = 128;

function setupStudent() {
  const rng = createRng(0);
  const student = addTaskExperts(mlp(D, [32, 32], T * C, rng.fork('student')), { numTasks: T, rank: 4, alpha: 4 });
  const ids = Int32Array.from({ length: B }, () => rng.int(T));
  const x = tf.tensor2d(rng.normalArray(B * D), [B, D]);
  const labels = tf.tensor1d(Int32Array.from(ids, (t) => t * C + rng.int(C)), 'int32');
  const teacher = tf.tensor2d(rng.normalArray(B * T * C), [B, T * C]);
  const rows = taskOneHot(ids, T);
  const blocks = classBlockMatrix([C, C, C, C]);
  const mask = tf.matMul(rows, blocks);
  const optimizer = makeOptimizer({ name: 'adam', lr: 3e-3 });
  const vars = student.trainableWeights.map((w) => w.read() as tf.Variable);
  const groups = Array.from({ length: T }, (_, t) => ids.reduce<number[]>((acc, id, i) => (id === t ? [...acc, i] : acc), []));
  const sub = groups.map((g) => ({
    n: g.length,
    x: tf.gather(x, g),
    rows: tf.gather(rows, g),
    labels: tf.gather(labels, g),
    teacher: tf.gather(teacher, g),
    mask: tf.gather(mask, g),
  }));
  const dispose = () => {
    tf.dispose([x, labels, teacher, rows, blocks, mask, ...sub.flatMap((s) => [s.x, s.rows, s.labels, s.teacher, s.mask])]);
    optimizer.dispose();
    student.dispose();
  };
  return { student, x, rows, labels, teacher, mask, optimizer, vars, sub, dispose };
}

export const workloads: BenchWorkload[] = [
  {
    name: 'lorkd EKS training step (T=4, r=4, batch 128, KD)',
    torch: 'lorkd-eks-step',
    async setup(): Promise<BenchStep> {
      const s = setupStudent();
      return {
        step: () => {
          const cost = s.optimizer.minimize(() => {
            const logits = s.student.apply([s.x, s.rows], { training: true }) as tf.Tensor;
            return lorkdLoss({ logits, labels: s.labels, blockMask: s.mask, teacherLogits: s.teacher, kdWeight: 1, temperature: 4 }).total;
          }, true, s.vars);
          cost?.dataSync();
          cost?.dispose();
        },
        dispose: s.dispose,
      };
    },
  },
  {
    name: 'lorkd loop-separation training step (same loss, one pass per task)',
    noTorch: 'the same loss and gradients as the EKS row, computed task by task: its twin is that row\'s',
    async setup(): Promise<BenchStep> {
      const s = setupStudent();
      return {
        step: () => {
          const cost = s.optimizer.minimize(() => {
            let total: tf.Scalar | null = null;
            s.sub.forEach((part, t) => {
              if (part.n === 0) return;
              const logits = withActiveTask(s.student, t, () => s.student.apply([part.x, part.rows], { training: true }) as tf.Tensor);
              const loss = tf.mul(lorkdLoss({ logits, labels: part.labels, blockMask: part.mask, teacherLogits: part.teacher, kdWeight: 1, temperature: 4 }).total, part.n / B) as tf.Scalar;
              total = total ? (tf.add(total, loss) as tf.Scalar) : loss;
            });
            return total!;
          }, true, s.vars);
          cost?.dataSync();
          cost?.dispose();
        },
        dispose: s.dispose,
      };
    },
  },
];
