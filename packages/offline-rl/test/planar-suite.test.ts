import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONFLICT6, PLANAR_TASKS, PlanarEnv, PlanarSuite, expertAction } from '../src/index.js';
import { createRng, OptionError } from '@paperkit/tensor-core';

function hashDataset(suite: PlanarSuite, seed: number): string {
  const data = suite.dataset({ episodesPerTask: 10, seed });
  const h = createHash('sha256');
  for (const eps of data.episodes) for (const ep of eps) {
    h.update(Buffer.from(ep.observations.buffer));
    h.update(Buffer.from(ep.actions.buffer));
    h.update(Buffer.from(ep.rewards.buffer));
  }
  return h.digest('hex');
}

describe('planar-suite (harmodt.md S4)', () => {
  it('same seed gives an identical dataset hash; another seed a different one', () => {
    const suite = PlanarSuite.create({ tasks: CONFLICT6 });
    expect(hashDataset(suite, 3)).toBe(hashDataset(suite, 3));
    expect(hashDataset(suite, 3)).not.toBe(hashDataset(suite, 4));
  });

  it('the scripted expert succeeds on 100/100 episodes of every task', () => {
    const suite = PlanarSuite.create();
    for (const task of PLANAR_TASKS) expect(suite.scriptedScore(task, 'expert', 100, 7).success, task).toBe(1);
  });

  it('near-optimal data matches the measured success of S4 (1.00 except drawers about .86)', () => {
    const suite = PlanarSuite.create();
    const s = (t: (typeof PLANAR_TASKS)[number]) => suite.scriptedScore(t, 'near-optimal', 300, 1).success;
    expect(s('reach')).toBeGreaterThan(0.97);
    expect(s('push-left')).toBeGreaterThan(0.95);
    expect(s('drawer-open')).toBeGreaterThan(0.75);
    expect(s('drawer-open')).toBeLessThan(0.97);
  });

  it('actions are clipped to [-1, 1]: a huge action moves the hand by at most 0.1 per axis', () => {
    const env = new PlanarEnv('reach', createRng(0));
    const [x, y] = env.state.p;
    env.step([50, -50]);
    expect(env.state.p[0]).toBeCloseTo(Math.min(1, x + 0.1), 6);
    expect(env.state.p[1]).toBeCloseTo(Math.max(-1, y - 0.1), 6);
    const suite = PlanarSuite.create();
    const data = suite.dataset({ episodesPerTask: 5, quality: 'sub-optimal', seed: 0 });
    for (const eps of data.episodes) for (const ep of eps) for (const a of ep.actions) expect(Math.abs(a)).toBeLessThanOrEqual(1);
  });

  it('aliased pairs see identical observations but need opposite actions', () => {
    const open = new PlanarEnv('drawer-open', createRng(5));
    const close = new PlanarEnv('drawer-close', createRng(5));
    expect(Array.from(open.observe())).toEqual(Array.from(close.observe()));
    const left = new PlanarEnv('push-left', createRng(9));
    const right = new PlanarEnv('push-right', createRng(9));
    expect(Array.from(left.observe())).toEqual(Array.from(right.observe()));
    // Once the hand holds the handle, the experts push in opposite x directions.
    for (let t = 0; t < 15; t++) {
      open.step(expertAction(open));
      close.step(expertAction(close));
    }
    expect(Math.sign(expertAction(open)[0])).toBe(-Math.sign(expertAction(close)[0]));
  });

  it('rejects unknown and duplicate tasks', () => {
    expect(() => PlanarSuite.create({ tasks: ['reach', 'fly' as never] })).toThrow(OptionError);
    expect(() => PlanarSuite.create({ tasks: ['reach', 'reach'] })).toThrow(/distinct/);
  });
});
