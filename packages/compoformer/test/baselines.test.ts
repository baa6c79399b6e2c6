import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EWCCL } from '../src/baselines/ewc.js';
import { L2CL } from '../src/baselines/l2.js';
import { LoRACL } from '../src/baselines/lora.js';
import { PackNetCL } from '../src/baselines/packnet.js';
import { FinetuneCL } from '../src/baselines/shared-trunk.js';
import { SMALL, linearTask, setupBackend } from './helpers.js';

beforeAll(setupBackend);
const FAST = { ...SMALL, stepsPerTask: 8, batchSize: 16 };

/** The trunk variables and the penalty of a regularised baseline, through its public penalty(). */
function internals(agent: L2CL | EWCCL) {
  return { vars: (agent as unknown as { trunkVariables: tf.Variable[] }).trunkVariables, penalty: () => agent.penalty() };
}

describe('L2 and EWC penalties (spec section 7)', () => {
  it('are 0 at theta* and their gradients equal lambda (theta - theta*) and lambda F (theta - theta*)', async () => {
    const l2 = new L2CL({ ...FAST, lambda: 3, seed: 1 });
    const ewc = new EWCCL({ ...FAST, lambda: 3, seed: 1 });
    for (const agent of [l2, ewc]) await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0) });
    for (const agent of [l2, ewc]) {
      const { vars, penalty } = internals(agent);
      expect(tf.tidy(() => penalty()!.dataSync()[0])).toBe(0);
      const anchors = vars.map((v) => v.clone());
      const delta = vars.map((v, i) => tf.tidy(() => tf.mul(tf.onesLike(v), 0.01 * (i + 1))));
      vars.forEach((v, i) => v.assign(tf.add(v, delta[i])));
      const { grads } = tf.variableGrads(() => penalty()!, vars);
      const fishers = agent instanceof EWCCL ? agent.fisherDiagonal! : vars.map((v) => tf.onesLike(v));
      vars.forEach((v, i) => {
        const expected = tf.tidy(() => tf.mul(tf.mul(fishers[i], tf.sub(v, anchors[i])), 3));
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(grads[v.name], expected))).dataSync()[0])).toBeLessThan(1e-4);
        tf.dispose(expected);
      });
      tf.dispose([...anchors, ...delta, ...fishers, ...Object.values(grads)]);
      agent.dispose();
    }
  });

  it("EWC's Fisher is non-negative and merged as alpha F_old + (1 - alpha) F_new", async () => {
    const ewc = new EWCCL({ ...FAST, seed: 2 });
    await ewc.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0) });
    const first = ewc.fisherDiagonal!.map((f) => f.clone());
    expect(Math.min(...first.map((f) => tf.tidy(() => tf.min(f).dataSync()[0])))).toBeGreaterThanOrEqual(0);
    await ewc.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1) });
    // The merged Fisher keeps at least half of the old one, coordinate-wise.
    const merged = ewc.fisherDiagonal!;
    merged.forEach((f, i) => expect(tf.tidy(() => tf.min(tf.sub(f, tf.mul(first[i], 0.5))).dataSync()[0])).toBeGreaterThanOrEqual(-1e-7));
    tf.dispose([...first, ...merged]);
    ewc.dispose();
  });
});

describe('baselines share learnTask', () => {
  it('Finetune forgets the first of two aliased tasks; PackNet and LoRA keep it bitwise', async () => {
    const probe = [{ states: [[0.3, -0.2, 0.5, 1.0]], actions: [], rewards: [] }];
    for (const make of [() => new FinetuneCL({ ...FAST, seed: 3 }), () => new PackNetCL({ ...FAST, seed: 3 }), () => new LoRACL({ ...FAST, seed: 3 })]) {
      const agent = make();
      const r = await agent.learnTask({ id: 'a', description: 'turn the dial left', data: linearTask(0) });
      expect(r.trainedSteps).toBe(8);
      const before = Array.from(agent.act('a', probe[0]));
      await agent.learnTask({ id: 'b', description: 'turn the dial right', data: linearTask(1, -1) });
      const after = Array.from(agent.act('a', probe[0]));
      if (agent instanceof FinetuneCL) expect(after).not.toEqual(before);
      else expect(after).toEqual(before);
      agent.dispose();
    }
  });
});
