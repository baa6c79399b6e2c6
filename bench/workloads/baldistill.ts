/**
 * @paperkit/baldistill bench workloads: the two hot paths of a BalDistill run on the spec section 5 sizes.
 * - one student training step: MLP [x, onehot(d)] 24 -> 64 -> 64 -> 8 (rationale 4 | answer 4), loss
 *   CE(r) + CE(a), Adam lr 3e-3, batch 32 (300 of these per stage);
 * - IFD scoring of the whole 1423-row pool: log-softmax of the answer head with the input and with the null
 *   input, read back once (what each stage >= 1 runs before selection).
 * PyTorch twins: bench/torch/baldistill.py (keys in `torch`).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, makeOptimizer, softmaxCrossEntropy } from '../../packages/tensor-core/src/index.js';
import { ifdScores } from '../../packages/baldistill/src/index.js';
import { mlpStudent } from '../../packages/baldistill/src/reproduce/mlp-student.js';
import { makeWorld } from '../../packages/baldistill/src/reproduce/world.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

type TwinWorkload = BenchWorkload & { torch: string };


export const workloads: TwinWorkload[] = [
  {
    name: 'baldistill student step (24-64-64-8, two-head CE, Adam, batch 32)',
    torch: 'baldistill-student-step',
    async setup(): Promise<BenchStep> {
      const student = mlpStudent(8, { steps: 1 });
      const world = makeWorld({ seed: 0 });
      const rng = createRng(3);
      const data = world.pool.slice(0, 512).map((e) => ({ ...e, ...world.label(e.input), synthetic: false }));
      // Build the network once, then time single steps of the same loss the student trains.
      await student.fit(data, { seed: 0, stage: 0 });
      const net = (student as unknown as { net: { apply(x: tf.Tensor): tf.Tensor; trainableVariables: tf.Variable[] } }).net;
      const X = tf.tensor2d(world.pool.slice(0, 32).flatMap((e) => [...e.input.x, ...Array.from({ length: 8 }, (_, d) => (d === e.input.d ? 1 : 0))]), [32, 24]);
      const Y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, () => rng.int(4)), 'int32'), 4).toFloat();
      const A = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, () => rng.int(4)), 'int32'), 4).toFloat();
      const opt = makeOptimizer({ name: 'adam', lr: 3e-3 });
      return {
        step() {
          const cost = opt.minimize(() => {
            const logits = net.apply(X);
            const r = softmaxCrossEntropy(Y, tf.slice(logits, [0, 0], [-1, 4]));
            const a = softmaxCrossEntropy(A, tf.slice(logits, [0, 4], [-1, 4]));
            return tf.add(r, a) as tf.Scalar;
          }, true, net.trainableVariables);
          cost?.dataSync();
          cost?.dispose();
        },
        dispose() {
          opt.dispose();
          tf.dispose([X, Y, A]);
          student.dispose();
        },
      };
    },
  },
  {
    name: 'baldistill IFD scoring of the 1423-row pool (with and without input)',
    torch: 'baldistill-ifd-pool',
    async setup(): Promise<BenchStep> {
      const student = mlpStudent(8, { steps: 20 });
      const world = makeWorld({ seed: 0 });
      const data = world.pool.map((e) => ({ ...e, ...world.label(e.input), synthetic: false }));
      await student.fit(data, { seed: 0, stage: 0 });
      const inputs = world.pool.map((e) => e.input);
      let last = 0;
      return {
        async step() {
          const s = await ifdScores(student, inputs);
          last = s[0];
        },
        dispose() {
          void last;
          student.dispose();
        },
      };
    },
  },
];
