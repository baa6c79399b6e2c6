import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPOFORMER_DEFAULTS, CompoFormer } from '../src/compoformer.js';
import { EWCCL, EWCCL_DEFAULTS } from '../src/baselines/ewc.js';
import { L2CL } from '../src/baselines/l2.js';
import { LoRACL } from '../src/baselines/lora.js';
import { PackNetCL } from '../src/baselines/packnet.js';
import { FinetuneCL } from '../src/baselines/shared-trunk.js';
import type { ContinualLearner } from '../src/continual-learner.js';
import { CapacityError, UnknownTaskError } from '../src/errors.js';
import { LoRASet } from '../src/lora-set.js';
import { TaskDataset } from '../src/task-dataset.js';
import { disposeWindowTensors, initTrunkWeights, resolveFunctionalTrunkConfig, trunkFeatures, windowTensors } from '@paperkit/offline-rl';
import { episodeWindows, type History } from '../src/windows.js';
import { createRng } from '@paperkit/tensor-core';
import { SMALL, linearTask, setupBackend } from './helpers.js';

beforeAll(setupBackend);

const FAST = { ...SMALL, stepsPerTask: 10, warmupSteps: 5, batchSize: 16 };

/** Fixed probe histories (3 steps) for bitwise output comparisons. */
function probe(n = 6): History[] {
  const rng = createRng('probe');
  return Array.from({ length: n }, () => ({
    states: Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => rng.normal())),
    actions: Array.from({ length: 2 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]),
    rewards: [1, 1],
  }));
}

const flat = (xs: Float32Array[]) => xs.flatMap((x) => Array.from(x));

describe('CompoFormer zero forgetting (spec section 7)', () => {
  for (const variant of ['prune', 'grow'] as const) {
    it(`${variant}: after learning task t+1, outputs of every task <= t on a probe batch are bitwise unchanged`, async () => {
      const agent = new CompoFormer({ ...FAST, variant, seed: 3 });
      await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0, 1) });
      await agent.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1), check: { offline: true, maxMse: 1e-9 } });
      const h = probe();
      const before = { a: flat(agent.actBatch(h.map(() => 'a'), h)), b: flat(agent.actBatch(h.map(() => 'b'), h)) };
      const cfg = agent.config;
      const w = windowTensors(episodeWindows(linearTask(5).episodes.slice(0, 2), cfg.context, 4, 2, linearTask(5).normalization(), cfg.maxEpisodeLength));
      const fresh0 = tf.tidy(() => trunkFeatures(cfg, agent.moduleView(0, true), w).dataSync());
      const r = await agent.learnTask({ id: 'c', description: 'slide the block up', data: linearTask(2, 0.5), check: { offline: true, maxMse: 1e-9 } });
      expect(r.reused).toBe(false);
      expect(r.trainedSteps).toBe(10);
      expect(flat(agent.actBatch(h.map(() => 'a'), h))).toEqual(before.a);
      expect(flat(agent.actBatch(h.map(() => 'b'), h))).toEqual(before.b);
      // Recomputed from the live variables (not the cache): module 0's weights did not move.
      const after0 = tf.tidy(() => trunkFeatures(cfg, agent.moduleView(0, true), w).dataSync());
      expect(Array.from(after0)).toEqual(Array.from(fresh0));
      disposeWindowTensors(w);
      agent.dispose();
    });
  }

  it('prune: evaluating task t uses exactly the union of masks <= t', async () => {
    const agent = new CompoFormer({ ...FAST, variant: 'prune', seed: 4 });
    await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0, 1) });
    await agent.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1), check: { offline: true, maxMse: 1e-9 } });
    const own = agent.ownership!;
    const name = 'block0/fc1/kernel';
    const v0 = agent.moduleView(0)[name].dataSync();
    const live = agent.moduleView(1)[name].dataSync();
    const u0 = own.unionMask(name, 0);
    let outside = 0;
    v0.forEach((x, i) => {
      if (!u0[i]) expect(Math.abs(x)).toBe(0);
      else expect(x).toBe(live[i]);
      if (!u0[i] && live[i] !== 0) outside++;
    });
    // Module 1 trained some of the weights module 0's view zeroes.
    expect(outside).toBeGreaterThan(0);
    // Module 1's view also keeps module 1's weights; masks are disjoint.
    const m0 = own.ownMask(name, 0);
    const m1 = own.ownMask(name, 1);
    m0.forEach((x, i) => expect(x + m1[i]).toBeLessThanOrEqual(1));
    expect(own.ownedBy(1)).toBeGreaterThan(0);
    agent.dispose();
  });
});

describe('LoRA sets', () => {
  it('a fresh LoRA set (B = 0) leaves the trunk outputs unchanged', () => {
    const cfg = resolveFunctionalTrunkConfig(SMALL);
    const base = initTrunkWeights(cfg, 1);
    const lora = new LoRASet(cfg, 4, 1, createRng(2), 'test_lora');
    const ds = linearTask(0);
    const w = windowTensors(episodeWindows(ds.episodes.slice(0, 2), cfg.context, 4, 2, ds.normalization(), cfg.maxEpisodeLength));
    const a = tf.tidy(() => trunkFeatures(cfg, base, w).dataSync());
    const b = tf.tidy(() => trunkFeatures(cfg, lora.view(base), w).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    disposeWindowTensors(w);
    lora.dispose();
    tf.dispose(Object.values(base));
  });
});

describe('reuseNormalization', () => {
  it("a reused task acts with its module's statistics ('module') or with its own ('task')", async () => {
    const actions = async (reuseNormalization: 'module' | 'task') => {
      const agent = new CompoFormer({ ...FAST, seed: 14, reuseNormalization });
      await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0) });
      // The same task from other episodes: other state statistics; the check passes, so 'a' is reused.
      const r = await agent.learnTask({ id: 'a-2', description: 'turn the dial left', data: linearTask(7), check: () => 1 });
      expect(r.reused).toBe(true);
      const out = { own: agent.actBatch(['a', 'a'], probe(2)), reused: agent.actBatch(['a-2', 'a-2'], probe(2)) };
      agent.dispose();
      return out;
    };
    const module = await actions('module');
    expect(module.reused).toEqual(module.own);
    const task = await actions('task');
    expect(task.own).toEqual(module.own);
    expect(task.reused).not.toEqual(task.own);
  });
  it('refuses an unknown value', () => {
    expect(() => new CompoFormer({ ...FAST, reuseNormalization: 'both' as never })).toThrow(/CompoFormer.reuseNormalization/);
  });
});

describe('options (defineOptions)', () => {
  it('every learner names its class in an OptionError and refuses unknown keys', () => {
    const { warmupSteps: _warmup, ...base } = FAST;
    expect(() => new EWCCL({ ...base, alpha: 2 })).toThrow(/EWCCL\.alpha: expected a finite number >= 0 and <= 1/);
    expect(() => new L2CL({ ...base, lambda: 0 })).toThrow(/L2CL\.lambda/);
    expect(() => new PackNetCL({ ...base, pruneQuantile: 1 })).toThrow(/PackNetCL\.pruneQuantile/);
    expect(() => new LoRACL({ ...base, loraRank: 99 })).toThrow(/LoRACL\.loraRank/);
    expect(() => new FinetuneCL({ ...base, lr: -1 })).toThrow(/FinetuneCL\.lr/);
    expect(() => new FinetuneCL({ ...base, warmupSteps: 5 } as never)).toThrow(/FinetuneCL\.warmupSteps/);
    expect(() => new CompoFormer({ ...FAST, tresHold: 0.5 } as never)).toThrow(/CompoFormer\.tresHold/);
    expect(() => new CompoFormer({ ...FAST, gradClip: -1 })).toThrow(/CompoFormer\.gradClip/);
  });
  it('the defaults constants are the defineOptions defaults', () => {
    expect(COMPOFORMER_DEFAULTS).toMatchObject({ variant: 'prune', threshold: 0.8, warmupSteps: 50, stepsPerTask: 300, reuseNormalization: 'module' });
    expect(EWCCL_DEFAULTS).toMatchObject({ lambda: 5000, alpha: 0.5 });
  });
});

describe('reuse check', () => {
  it('a passed check adds no parameters, leaves the free-weight count unchanged and trains for 0 steps', async () => {
    const agent = new CompoFormer({ ...FAST, seed: 5 });
    await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0, 1) });
    const params = agent.parameterCount();
    const free = agent.freeWeights();
    const r = await agent.learnTask({ id: 'a-2', description: 'turn the dial left', data: linearTask(0, 1), check: () => 1 });
    expect(r.reused).toBe(true);
    expect(r.trainedSteps).toBe(0);
    expect(r.newParams).toBe(0);
    expect(agent.parameterCount()).toBe(params);
    expect(agent.freeWeights()).toBe(free);
    expect(agent.plan('a-2')).toEqual({ kind: 'reused', module: 0 });
    // A reused task acts exactly like the module it selected.
    const h = probe();
    expect(flat(agent.actBatch(h.map(() => 'a-2'), h))).toEqual(flat(agent.actBatch(h.map(() => 'a'), h)));
    agent.dispose();
  });

  it('the offline check fails on an aliased task (same states, opposite actions) and a new module is trained', async () => {
    const agent = new CompoFormer({ ...FAST, stepsPerTask: 40, seed: 6 });
    await agent.learnTask({ id: 'left', description: 'turn the dial left', data: linearTask(0, 1) });
    const r = await agent.learnTask({ id: 'right', description: 'turn the dial right', data: linearTask(1, -1), check: { offline: true, maxMse: 0.05 } });
    expect(r.check).toBe('offline');
    expect(r.composedSuccess!).toBeGreaterThan(0.05);
    expect(r.reused).toBe(false);
    expect(agent.moduleCount).toBe(2);
    agent.dispose();
  });

  it('an online check below the threshold trains; at or above it reuses', async () => {
    const agent = new CompoFormer({ ...FAST, threshold: 0.8, seed: 7 });
    await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0, 1) });
    expect((await agent.learnTask({ id: 'b', description: 'turn the dial left', data: linearTask(1, 1), check: () => 0.7 })).reused).toBe(false);
    expect((await agent.learnTask({ id: 'c', description: 'turn the dial left', data: linearTask(2, 1), check: () => 0.8 })).reused).toBe(true);
    agent.dispose();
  });
});

describe('frozen-module cache', () => {
  it('cached features and policy outputs equal recomputed ones', async () => {
    const agent = new CompoFormer({ ...FAST, seed: 8 });
    await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0, 1) });
    await agent.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1), check: { offline: true, maxMse: 1e-9 } });
    const ds = linearTask(3);
    const cfg = agent.config;
    const w = windowTensors(episodeWindows(ds.episodes, cfg.context, 4, 2, ds.normalization(), cfg.maxEpisodeLength));
    const cached = agent.cacheOutputs(w, 1);
    const direct = tf.tidy(() => {
      const o = agent.moduleOutputs(w, 1);
      return [...o.phis, ...o.policies];
    });
    [...cached.phis, ...cached.policies].forEach((t, i) => {
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(t, direct[i]))).dataSync()[0])).toBeLessThan(1e-6);
    });
    tf.dispose([...cached.phis, ...cached.policies, ...direct]);
    disposeWindowTensors(w);
    agent.dispose();
  });

  it('training without the cache gives the same losses as with it', async () => {
    const run = async (cacheFrozen: boolean) => {
      const agent = new CompoFormer({ ...FAST, seed: 9, cacheFrozen });
      await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0, 1) });
      const r = await agent.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1), check: { offline: true, maxMse: 1e-9 } });
      agent.dispose();
      return r.finalLoss;
    };
    expect(await run(false)).toBeCloseTo(await run(true), 4);
  });
});

describe('bad input (spec section 7 "must throw")', () => {
  it('rejects bad options', () => {
    expect(() => new CompoFormer({ stateDim: 4, actDim: 2, threshold: 1.5 })).toThrow(/threshold/);
    expect(() => new CompoFormer({ stateDim: 4, actDim: 2, threshold: -0.1 })).toThrow(/threshold/);
    expect(() => new CompoFormer({ stateDim: 4, actDim: 2, pruneQuantile: 1 })).toThrow(/pruneQuantile/);
    expect(() => new CompoFormer({ stateDim: 4, actDim: 2, pruneQuantile: 0 })).toThrow(/pruneQuantile/);
    expect(() => new CompoFormer({ stateDim: 4, actDim: 2, variant: 'other' as 'prune' })).toThrow(/variant/);
  });

  it('rejects an empty description, a duplicate id (even with other dimensions), data of the wrong width, and act() on an unknown task', async () => {
    const agent = new CompoFormer({ ...FAST, seed: 10 });
    await expect(agent.learnTask({ id: 'x', description: '  ', data: linearTask(0) })).rejects.toThrow(/description/);
    await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0) });
    await expect(agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0, 1, 4, 5, 6, 2) })).rejects.toThrow(/already learned/);
    await expect(agent.learnTask({ id: 'w', description: 'turn the dial left', data: linearTask(0, 1, 4, 5, 6, 2) })).rejects.toThrow(/stateDim 4/);
    expect(() => agent.act('nope', probe(1)[0])).toThrow(UnknownTaskError);
    expect(agent.taskIds()).toEqual(['a']);
    agent.dispose();
  });

  it('rejects NaN values and mismatched arrays in the data', () => {
    expect(() => TaskDataset.fromTrajectories([{ observations: [[0, 0, 0, Number.NaN]], actions: [[0, 0]], rewards: [1] }], { stateDim: 4, actDim: 2 })).toThrow(/non-finite/);
    expect(() => TaskDataset.fromTrajectories([{ observations: [[0, 0, 0, 0]], actions: [[0, 0], [1, 1]], rewards: [1] }], { stateDim: 4, actDim: 2 })).toThrow(/actions/);
    expect(() => TaskDataset.fromD4RL({ observations: new Float32Array(8), actions: new Float32Array(4), rewards: [1, 1], terminals: [0] }, { stateDim: 4, actDim: 2 })).toThrow(/terminals/);
  });

  it('throws CapacityError when the prune variant has no free weights left', async () => {
    const agent = new CompoFormer({ ...FAST, seed: 11 });
    await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0) });
    const own = agent.ownership!;
    const zeros = Object.fromEntries(own.names.map((n) => [n, new Float32Array(own.owners[n].length)]));
    own.assign(99, zeros, 1e-9, 'fill');
    await expect(agent.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1), check: { offline: true, maxMse: 1e-9 } })).rejects.toThrow(CapacityError);
    expect(agent.taskIds()).toEqual(['a']);
    agent.dispose();
  });
});

describe('memory', () => {
  const { warmupSteps: _warmup, ...BASELINE } = FAST; // warmupSteps is CompoFormer's own option
  const learners: Array<[string, (steps: number) => ContinualLearner]> = [
    ['CompoFormer', (steps) => new CompoFormer({ ...FAST, stepsPerTask: steps, warmupSteps: steps, seed: 12 })],
    ['Finetune', (steps) => new FinetuneCL({ ...BASELINE, stepsPerTask: steps, seed: 12 })],
    ['L2', (steps) => new L2CL({ ...BASELINE, stepsPerTask: steps, seed: 12 })],
    ['EWC', (steps) => new EWCCL({ ...BASELINE, stepsPerTask: steps, seed: 12 })],
    ['PackNet', (steps) => new PackNetCL({ ...BASELINE, stepsPerTask: steps, seed: 12 })],
    ['LoRA', (steps) => new LoRACL({ ...BASELINE, stepsPerTask: steps, seed: 12 })],
  ];
  for (const [name, make] of learners) {
    it(`${name}: tf.memory().numTensors is the same after 5 and after 40 training steps per task, and back to the start after dispose`, async () => {
      const count = async (steps: number) => {
        const start = tf.memory().numTensors;
        const agent = make(steps);
        await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0) });
        await agent.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1), check: { offline: true, maxMse: 1e-9 } });
        agent.actBatch(['a', 'b'], probe(2));
        const held = tf.memory().numTensors - start;
        agent.dispose();
        return { held, left: tf.memory().numTensors - start };
      };
      await count(2); // warm-up: shared caches (the trunk's causal masks) are created once per process
      const short = await count(5);
      const long = await count(40);
      expect(long.held).toBe(short.held);
      expect([short.left, long.left]).toEqual([0, 0]);
    });
  }
});
