/**
 * A Decision Transformer training step (Chen et al. 2021; harmodt.md S1) at the
 * size of the harmodt spec's CPU reproduction: D 32, 2 layers, 2 heads, FFN 128
 * (ReLU, no dropout), context K 5, i.e. 15 tokens (return-to-go, state,
 * action per step), batch 32, state dim 8, action dim 2. Each token kind has
 * its own linear embedding, plus a learned timestep embedding (one-hot x
 * table, as on wasm), then LayerNorm; tensor-core's CausalTransformer blocks
 * (positional 'none'); a tanh action head on the state tokens; action MSE; one
 * Adam step (lr 1e-3). Built from tensor-core's layers directly, since
 * @paperkit/offline-rl is being written in parallel. PyTorch twin: `dt-step`
 * in bench/torch/decision-transformer.py (same architecture and optimizer).
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotRows, seededInts, seededUniform, type BenchStep, type BenchWorkload } from '../workload.js';

const B = 32;
const K = 5;
const D = 32;
const STATE = 8;
const ACT = 2;
const MAX_T = 100;

async function dtStep(): Promise<BenchStep> {
  const { CausalTransformer } = await import('../../packages/tensor-core/src/layers/causal-transformer.js');
  const { Dense } = await import('../../packages/tensor-core/src/layers/dense.js');
  const { LayerNorm } = await import('../../packages/tensor-core/src/layers/norms.js');
  const { ownVariable } = await import('../../packages/tensor-core/src/layers/module.js');
  const { randomNormal, createRng } = await import('../../packages/tensor-core/src/random.js');
  const { FusedAdamOptimizer } = await import('../../packages/tensor-core/src/training/fused-adam.js');
  const rng = createRng(0);
  const model = new CausalTransformer({ inputDim: D, dModel: D, nHeads: 2, nLayers: 2, dFF: 4 * D, maxLen: 3 * K, activation: 'relu', positional: 'none', rng });
  const embedReturn = new Dense({ inDim: 1, outDim: D, rng, name: 'dt/embed_return' });
  const embedState = new Dense({ inDim: STATE, outDim: D, rng, name: 'dt/embed_state' });
  const embedAction = new Dense({ inDim: ACT, outDim: D, rng, name: 'dt/embed_action' });
  const timestepTable = ownVariable(randomNormal(rng, [MAX_T, D], 0, 0.02), 'dt/embed_timestep');
  const embedNorm = new LayerNorm({ dim: D, name: 'dt/embed_ln' });
  const head = new Dense({ inDim: D, outDim: ACT, activation: 'tanh', rng, name: 'dt/predict_action' });

  const returns = tf.tensor3d(seededUniform(B * K, 61, 0, 2), [B, K, 1]);
  const states = tf.tensor3d(seededUniform(B * K * STATE, 62), [B, K, STATE]);
  const actions = tf.tensor3d(seededUniform(B * K * ACT, 63), [B, K, ACT]);
  const timesteps = tf.tensor2d(oneHotRows(seededInts(B * K, MAX_T - K, 64), MAX_T), [B * K, MAX_T]);

  // The encoder's input projection is not used: tokens are embedded here (encode() takes [B, 3K, D]).
  const variables = [
    ...model.blocks.flatMap((b) => b.trainableVariables), ...model.finalNorm.trainableVariables,
    ...embedReturn.trainableVariables, ...embedState.trainableVariables, ...embedAction.trainableVariables,
    timestepTable, ...embedNorm.trainableVariables, ...head.trainableVariables,
  ];
  const optimizer = new FusedAdamOptimizer({ learningRate: 1e-3 });
  const loss = (): tf.Scalar => {
    const time = tf.reshape(tf.matMul(timesteps, timestepTable as tf.Tensor2D), [B, K, D]);
    const tokens = tf.stack([embedReturn.apply(returns), embedState.apply(states), embedAction.apply(actions)].map((e) => tf.add(e, time)), 2);
    const h = model.encode(embedNorm.apply(tf.reshape(tokens, [B, 3 * K, D])));
    const stateTokens = tf.reshape(tf.slice(tf.reshape(h, [B, K, 3, D]), [0, 0, 1, 0], [B, K, 1, D]), [B, K, D]);
    return tf.mean(tf.square(tf.sub(head.apply(stateTokens), actions))) as tf.Scalar;
  };
  return {
    step() {
      optimizer.minimize(loss, false, variables);
    },
    dispose() {
      optimizer.dispose();
      for (const m of [model, embedReturn, embedState, embedAction, embedNorm, head]) m.dispose();
      tf.dispose([timestepTable, returns, states, actions, timesteps]);
    },
  };
}

export const workloads: BenchWorkload[] = [
  { name: 'decision-transformer step (D 32, L 2, H 2, K 5 = 15 tokens, batch 32)', torch: 'dt-step', setup: dtStep },
];
