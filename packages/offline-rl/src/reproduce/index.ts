/**
 * offline-rl's reproduction: a DT sanity table. On each planar-suite task, a single-task
 * Decision Transformer trained on 100 near-optimal episodes (harmodt.md §5 data) and
 * conditioned on the best return in its data should reach the scripted expert's success
 * (1.00 on every task, §S4), beating the noisy behaviour policy that produced its data where
 * that policy falls short (the drawers, ≈ .86).
 *
 * Rule for `holds`: DT success >= expert success − 0.15 on every task (mean over seeds).
 * The visible-goal `push` task is left out: it needs about 900 steps (compoformer.md §5).
 *
 * Steps: 600 per task. At 300 (the first landing) seed 0's drawer-close DT scored .15 on the
 * evaluation episodes although its data succeed .90 and the expert 1.00: a checkpoint in the
 * middle of training, not a data, target or env fault. On 40 separate validation episodes
 * (seed 'validation', never the evaluation seeds) seed 0's drawer-close success went
 * .82/.35/.68/1.00/1.00/1.00 at 150/300/450/600/750/900 steps, seeds 1 and 2 were 1.00 from 300
 * steps on, and drawer-open stayed at .95-1.00 on all three: 600 is where every one had settled.
 * push-left on seed 1 oscillates the same way at any budget tried (validation .97/.00/.95/.68/.45/
 * .42/.80/1.00 at 150..1200 steps), so the rule can fail there; the README reports it.
 */
import { DecisionTransformer } from '../dt/decision-transformer.js';
import { trainDecisionTransformer } from '../dt/train-decision-transformer.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { PlanarSuite } from '../planar/planar-suite.js';
import { CONFLICT6, type PlanarTaskName } from '../planar/tasks.js';
import { defineReproduction } from '@paperkit/tensor-core';

/** tensor-core's reproduction runner, re-exported for packages that took it from here before it landed on main. */
export { defineReproduction } from '@paperkit/tensor-core';

const MARGIN = 0.15;

/** Sizes of the full and quick runs. */
export const SANITY_SIZES = Object.freeze({
  full: { tasks: CONFLICT6, steps: 600, episodes: 20, dataEpisodes: 100 },
  quick: { tasks: ['reach', 'drawer-open'] as readonly PlanarTaskName[], steps: 120, episodes: 10, dataEpisodes: 50 },
});

export const reproduction = defineReproduction({
  package: '@paperkit/offline-rl',
  claim: `a single-task Decision Transformer reaches the scripted expert's success on every planar-suite task (DT >= expert - ${MARGIN})`,
  seeds: { full: 2, quick: 1 },
  async runSeed({ seed, quick, log }) {
    const size = quick ? SANITY_SIZES.quick : SANITY_SIZES.full;
    const suite = PlanarSuite.create({ tasks: size.tasks });
    const data = suite.dataset({ episodesPerTask: size.dataEpisodes, quality: 'near-optimal', seed });
    const expert: Record<string, number> = {};
    const behaviour: Record<string, number> = {};
    const dt: Record<string, number> = {};
    const seconds: Record<string, number> = {};
    for (const task of size.tasks) {
      const t = suite.taskId(task);
      expert[task] = suite.scriptedScore(task, 'expert', size.episodes, `eval:${seed}`).success;
      behaviour[task] = suite.scriptedScore(task, 'near-optimal', size.episodes, `eval:${seed}`).success;
      const single = data.select([task]);
      const model = new DecisionTransformer({ stateDim: suite.stateDim, actDim: suite.actDim, maxEpisodeLength: suite.horizon, seed: `dt:${seed}:${task}` });
      try {
        const fit = await trainDecisionTransformer(model, single, { steps: size.steps, seed });
        const ev = await evaluatePolicy(model, suite, { episodes: size.episodes, tasks: [t], seed });
        dt[task] = ev.tasks[0].success;
        seconds[task] = fit.seconds + ev.seconds;
        log(`  ${task}: DT ${dt[task].toFixed(2)} (expert ${expert[task].toFixed(2)}, data ${behaviour[task].toFixed(2)}), ${seconds[task].toFixed(1)} s`);
      } finally {
        model.dispose();
      }
    }
    const mean = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0) / Object.values(r).length;
    return {
      metrics: {
        'scripted expert': { ...expert, mean: mean(expert) },
        'behaviour data (near-optimal)': { ...behaviour, mean: mean(behaviour) },
        'DT (single task)': { ...dt, mean: mean(dt) },
      },
      details: { seconds },
    };
  },
  decide({ metric, rows }) {
    const tasks = Object.keys(rows[0].metrics).filter((k) => k !== 'mean');
    const gaps = tasks.map((t) => ({ task: t, dt: metric('DT (single task)', t), expert: metric('scripted expert', t) }));
    const failing = gaps.filter((g) => g.dt < g.expert - MARGIN);
    const holds = failing.length === 0;
    const mean = metric('DT (single task)', 'mean');
    const verdict = holds
      ? `DT mean success ${mean.toFixed(2)}; within ${MARGIN} of the expert on all ${tasks.length} tasks`
      : `DT mean success ${mean.toFixed(2)}; short of the expert by more than ${MARGIN} on ${failing.map((g) => `${g.task} (${g.dt.toFixed(2)} vs ${g.expert.toFixed(2)})`).join(', ')}`;
    return { holds, verdict };
  },
  plot: { metrics: ['mean'] },
});
