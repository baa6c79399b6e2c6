import { describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core';
import { makeWorld } from '../src/reproduce/world.js';
import { OracleTeacher } from '../src/reproduce/oracle-teacher.js';

describe('section-5 world and oracle teacher', () => {
  const world = makeWorld({ seed: 0 });
  it('has the long-tailed pool and a balanced test split, labelled by the oracle', () => {
    const count = (d: number) => world.pool.filter((e) => e.input.d === d).length;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(count)).toEqual([1000, 217, 89, 47, 28, 19, 13, 10]);
    expect(world.test.length).toBe(1600);
    for (const e of world.pool.slice(0, 50)) expect(e.gold).toBe(world.label(e.input).answer);
  });

  it('the same seed gives the same world', () => {
    expect(makeWorld({ seed: 0 }).pool[5].input).toEqual(world.pool[5].input);
    expect(makeWorld({ seed: 1 }).pool[5].input).not.toEqual(world.pool[5].input);
  });

  it('annotates correctly ~95% of the time and flips synthetic labels at synthNoise', async () => {
    const t = new OracleTeacher({ world, rng: createRng(1) });
    let right = 0;
    for (const e of world.pool.slice(0, 1000)) if ((await t.annotate(e)).answer === e.gold) right++;
    // wrong rationale w.p. 0.05, of which 1/4 still hits the right answer: ~0.9625
    expect(right / 1000).toBeGreaterThan(0.94);
    expect(right / 1000).toBeLessThan(0.985);
    const noisy = new OracleTeacher({ world, rng: createRng(2), synthNoise: 0.35 });
    const made = await noisy.synthesize('d5', [], 2000);
    const flipped = made.filter((e) => e.answer !== world.label(e.input).answer).length / made.length;
    expect(flipped).toBeGreaterThan(0.31);
    expect(flipped).toBeLessThan(0.39);
    expect(made.every((e) => e.domain === 'd5' && world.domains[5].pi[e.rationale] === e.answer)).toBe(true);
  });
});
