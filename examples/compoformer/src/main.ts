/**
 * CompoFormer on your own logged trajectories, no simulator needed.
 *
 * Pretend these are logs from a 3-joint arm: each "skill" maps the 6-d sensor
 * reading to a 3-d joint command. The logs arrive skill by skill, in D4RL layout
 * (flat arrays + timeouts). We learn them one after another with the offline
 * reuse check (held-out action error), so a skill that repeats an earlier one
 * is served by composition with zero new parameters, and nothing is forgotten.
 */
import { CompoFormer, TaskDataset } from '@paperkit/compoformer';
import { createRng, initBackend } from '@paperkit/tensor-core';

await initBackend();

const STATE = 6;
const ACT = 3;

/** Logged episodes of one skill: command = tanh(W * sensors) plus a little noise. */
function logsForSkill(skill: number, seed: string, episodes = 40, length = 25) {
  const wRng = createRng(`skill-matrix:${skill}`);
  const W = Array.from({ length: ACT * STATE }, () => wRng.normal());
  const rng = createRng(seed);
  const observations: number[] = [];
  const actions: number[] = [];
  const rewards: number[] = [];
  const timeouts: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let s = Array.from({ length: STATE }, () => rng.normal());
    for (let t = 0; t < length; t++) {
      observations.push(...s);
      const a = Array.from({ length: ACT }, (_, i) => Math.tanh(s.reduce((acc, v, j) => acc + W[i * STATE + j] * v, 0)) + 0.02 * rng.normal());
      actions.push(...a.map((x) => Math.max(-1, Math.min(1, x))));
      rewards.push(1);
      timeouts.push(t === length - 1 ? 1 : 0);
      s = s.map((v) => 0.9 * v + 0.3 * rng.normal());
    }
  }
  return TaskDataset.fromD4RL({ observations, actions, rewards, timeouts }, { stateDim: STATE, actDim: ACT });
}

const skills = [
  { id: 'wave', description: 'wave the arm side to side', skill: 0 },
  { id: 'lift', description: 'lift the payload to the shelf', skill: 1 },
  { id: 'wave-again', description: 'wave the arm side to side', skill: 0 },
];

const agent = new CompoFormer({ stateDim: STATE, actDim: ACT, variant: 'prune', stepsPerTask: 300, seed: 0 });
for (const s of skills) {
  const r = await agent.learnTask({ id: s.id, description: s.description, data: logsForSkill(s.skill, `logs:${s.id}`), check: { offline: true, maxMse: 0.05 } });
  console.log(`${s.id}: ${r.reused ? 'reused an earlier module (0 steps, 0 new parameters)' : `trained a new module (${r.trainedSteps} steps, ${r.newParams} new parameters)`}` +
    (r.composedSuccess === null ? '' : `, held-out action MSE of the composition ${r.composedSuccess.toFixed(4)}`));
}

// Held-out action error of every skill after the whole sequence (fresh logs, the agent acting step by step).
function heldOutMse(taskId: string, skill: number): number {
  const data = logsForSkill(skill, `test:${taskId}`, 5);
  let se = 0;
  let n = 0;
  for (const ep of data.episodes) {
    const states: Float32Array[] = [];
    const acts: Float32Array[] = [];
    const rewards: number[] = [];
    for (let t = 0; t < ep.length; t++) {
      states.push(ep.observations.subarray(t * STATE, (t + 1) * STATE));
      const a = agent.act(taskId, { states, actions: acts, rewards });
      for (let i = 0; i < ACT; i++) se += (a[i] - ep.actions[t * ACT + i]) ** 2;
      n += ACT;
      acts.push(ep.actions.subarray(t * ACT, (t + 1) * ACT));
      rewards.push(1);
    }
  }
  return se / n;
}
for (const s of skills) console.log(`${s.id}: held-out action MSE after all skills ${heldOutMse(s.id, s.skill).toFixed(4)}`);
agent.dispose();
