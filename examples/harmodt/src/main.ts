/**
 * A user's view of HarmoDT: our own two-task controller data. A heater and a cooler share one
 * room model: the observation is [temperature, outside], the action a valve in [-1, 1]. The
 * "heat" task wants 22°C, the "cool" task 18°C, but nothing in the observation says which task
 * is running, so one shared policy must compromise. HarmoDT gives each task its own mask
 * (harmony subspace) of one shared Decision Transformer.
 *
 * Run: pnpm --filter example-harmodt start
 */
import { createRng, initBackend } from '@paperkit/tensor-core';
import { DecisionTransformer, MultiTaskDataset, evaluatePolicy, trainDecisionTransformer, type EnvSuite } from '@paperkit/offline-rl';
import { HarmoDT, conflictReport, saveHarmoDT } from '@paperkit/harmodt';

await initBackend();
const T = 30;
const targets = { heat: 22, cool: 18 };
type Task = keyof typeof targets;
const tasks: Task[] = ['heat', 'cool'];

// --- Our simulator (any environment works: EnvSuite only needs makeEnv(task, seed)).
function room(task: Task, seed: string | number) {
  const rng = createRng(seed);
  let temp = rng.uniform(17, 23);
  const outside = rng.uniform(5, 30);
  return {
    observe: (out = new Float32Array(2)) => ((out[0] = temp), (out[1] = outside), out),
    step(a: ArrayLike<number>) {
      const valve = Math.max(-1, Math.min(1, a[0]));
      temp += 0.8 * valve + 0.02 * (outside - temp);
      const err = Math.abs(temp - targets[task]);
      return { reward: Math.exp(-err), success: err < 0.5 };
    },
  };
}
const suite: EnvSuite = { taskNames: tasks, stateDim: 2, actDim: 1, horizon: T, makeEnv: (t, seed) => room(tasks[t], seed) };

// --- Our logged data, D4RL layout: a noisy proportional controller per task, 60 episodes each.
const rng = createRng(7);
const logs = Object.fromEntries(
  tasks.map((task) => {
    const observations: number[][] = [];
    const actions: number[][] = [];
    const rewards: number[] = [];
    const timeouts: number[] = [];
    for (let e = 0; e < 60; e++) {
      const env = room(task, `log:${task}:${e}`);
      for (let t = 0; t < T; t++) {
        const o = Array.from(env.observe());
        const a = Math.max(-1, Math.min(1, 0.6 * (targets[task] - o[0]) + rng.normal(0, 0.3)));
        observations.push(o);
        actions.push([a]);
        rewards.push(env.step([a]).reward);
        timeouts.push(t === T - 1 ? 1 : 0);
      }
    }
    return [task, { observations, actions, rewards, timeouts }];
  }),
);
const data = MultiTaskDataset.fromD4RL(logs, { normalize: 'global' }); // one normalisation: the state says nothing about the task

// --- Baseline: one shared DT without a task signal.
const shared = new DecisionTransformer({ stateDim: 2, actDim: 1, maxEpisodeLength: T });
await trainDecisionTransformer(shared, data, { steps: 400 });
const base = await evaluatePolicy(shared, suite, { episodes: 20 });

// --- HarmoDT: the masks are the only task signal.
const harmo = new HarmoDT({ stateDim: 2, actDim: 1, numTasks: 2, maxEpisodeLength: T, maskInterval: 25 });
await harmo.fit(data, { steps: 400, onLog: ({ step, loss }) => console.log(`step ${step + 1}: loss ${loss.toFixed(4)}`) });
const ours = await evaluatePolicy(harmo, suite, { episodes: 20 });

console.log('success (shared DT -> HarmoDT):', tasks.map((t, i) => `${t} ${base.tasks[i].success.toFixed(2)} -> ${ours.tasks[i].success.toFixed(2)}`).join(', '));
const report = await conflictReport(harmo, data);
console.log(`gradient cosine heat/cool ${report.cosines[0][1].toFixed(3)}; within-mask conflict rate ${report.meanConflictRate.toFixed(3)}`);
// Deploy: act on a live history, or save weights + masks + normalisation.
const env = room('cool', 'live');
console.log('valve for a live cool episode:', (await harmo.act('cool', { observations: [Array.from(env.observe())], actions: [], rewards: [] }))[0].toFixed(3));
console.log(`checkpoint: ${(await saveHarmoDT(harmo)).length} bytes`);
shared.dispose();
harmo.dispose();
