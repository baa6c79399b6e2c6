/**
 * A user's view of @paperkit/offline-rl: train a Decision Transformer on our own logged
 * trajectories (here: a 1-D cart we want at position 0) and run it online with a target
 * return. Also shows the planar-suite for quick experiments.
 *
 * Run: pnpm --filter example-offline-rl start
 */
import { createRng, initBackend } from '@paperkit/tensor-core';
import { DecisionTransformer, MultiTaskDataset, PlanarSuite, evaluatePolicy, trainDecisionTransformer, type EnvSuite } from '@paperkit/offline-rl';

await initBackend();
const T = 25;
function cart(seed: string | number) {
  const rng = createRng(seed);
  let x = rng.uniform(-2, 2);
  let v = 0;
  return {
    observe: (out = new Float32Array(2)) => ((out[0] = x), (out[1] = v), out),
    step(a: ArrayLike<number>) {
      v = 0.8 * v + 0.2 * Math.max(-1, Math.min(1, a[0]));
      x += v;
      return { reward: Math.exp(-Math.abs(x)), success: Math.abs(x) < 0.1 };
    },
  };
}

// Our logs: one episode per entry, from a noisy hand-written controller.
const rng = createRng(1);
const trajectories = Array.from({ length: 150 }, (_, e) => {
  const env = cart(`log:${e}`);
  const observations: number[][] = [];
  const actions: number[][] = [];
  const rewards: number[] = [];
  for (let t = 0; t < T; t++) {
    const [x, v] = env.observe();
    const a = Math.max(-1, Math.min(1, -1.5 * x - 2 * v + rng.normal(0, 0.5)));
    observations.push([x, v]);
    actions.push([a]);
    rewards.push(env.step([a]).reward);
  }
  return { task: 'cart', observations, actions, rewards };
});
const data = MultiTaskDataset.fromTrajectories(trajectories);
console.log(`episodes ${data.episodes[0].length}, best return ${data.bestReturn(0).toFixed(2)}, mean ${data.meanReturn(0).toFixed(2)}`);

const model = new DecisionTransformer({ stateDim: 2, actDim: 1, maxEpisodeLength: T });
await trainDecisionTransformer(model, data, { steps: 300, onLog: ({ step, loss }) => console.log(`step ${step + 1}: loss ${loss.toFixed(4)}`) });
const suite: EnvSuite = { taskNames: ['cart'], stateDim: 2, actDim: 1, horizon: T, makeEnv: (_t, seed) => cart(seed) };
for (const scale of [0.5, 1]) {
  const ev = await evaluatePolicy(model, suite, { episodes: 30, targetScale: scale });
  console.log(`target ${scale} x best return: success ${ev.tasks[0].success.toFixed(2)}, return ${ev.tasks[0].meanReturn.toFixed(2)}`);
}

// The built-in planar-suite: scripted-expert success on each task.
const planar = PlanarSuite.create();
console.log(planar.tasks.map((t) => `${t} ${planar.scriptedScore(t, 'near-optimal', 50).success.toFixed(2)}`).join(', '));
model.dispose();
