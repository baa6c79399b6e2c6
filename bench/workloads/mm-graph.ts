/**
 * @paperkit/mm-graph bench workloads: one full-batch GCN training step (2 layers, hidden 32,
 * PyG normalisation, dropout 0.5, cross-entropy on the training nodes, Adam) on the spec §5 NC
 * preset, with each message-passing implementation:
 * - spmm: the custom-gradient CSR multiply (forward A·X, backward Aᵀ·dY in JS), the default;
 * - gather: tf.gather + tf.unsortedSegmentSum (on wasm, tensor-core's one-pass segment sum; tfjs's
 *   cpu kernel builds a mask per segment and is far slower).
 */
import * as tf from '@tensorflow/tfjs';
import { makeOptimizer, sparseSoftmaxCrossEntropy } from '../../packages/tensor-core/src/index.js';
import { GCN, gatherRows, makeGraphInput, makeSyntheticNC, type MessagePassingPath } from '../../packages/mm-graph/src/index.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

function gcnStep(numNodes: number, path: MessagePassingPath): () => Promise<BenchStep> {
  return async () => {
    const g = makeSyntheticNC({ seed: 0, numNodes });
    const input = makeGraphInput(g, 'both', { path });
    const model = new GCN({ inDim: 48, outDim: 8, seed: 0 });
    const idx = g.nodeSplit!.train;
    const labels = tf.tensor1d(Int32Array.from(idx, (i) => g.labels![i]), 'int32');
    const optimizer = makeOptimizer({ name: 'adam', lr: 0.01 });
    const variables = model.trainableVariables;
    return {
      step() {
        const cost = optimizer.minimize(
          () => sparseSoftmaxCrossEntropy(labels, gatherRows(model.forward(input, { training: true }), idx, path)),
          true,
          variables,
        );
        cost?.dataSync();
        cost?.dispose();
      },
      dispose() {
        optimizer.dispose();
        labels.dispose();
        model.dispose();
        input.dispose();
      },
    };
  };
}

export const workloads: BenchWorkload[] = [
  { name: 'mm-graph gcn-step spmm N=1500', torch: 'mm-graph-gcn-spmm-1500', setup: gcnStep(1500, 'spmm') },
  { name: 'mm-graph gcn-step spmm N=300', noTorch: 'a smaller size of the N=1500 row, which has the twin', setup: gcnStep(300, 'spmm') },
  { name: 'mm-graph gcn-step gather N=300', noTorch: 'an alternative message-passing path of the same step; the twin (sparse matmul) is the spmm row\'s', setup: gcnStep(300, 'gather') },
  { name: 'mm-graph gcn-step gather N=1500', noTorch: 'an alternative message-passing path of the same step; the twin (sparse matmul) is the spmm row\'s', setup: gcnStep(1500, 'gather') },
];
