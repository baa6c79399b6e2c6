import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core';
import { addTaskExperts, expertParams } from '../src/index.js';
import { mlp } from '../src/reproduce/models.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('expertParams', () => {
  it('counts the spec section 5 student: 4688 trained, 2244 deployed per region (vs a 22800-parameter teacher)', () => {
    const student = addTaskExperts(mlp(32, [32, 32], 16, createRng(0)), { numTasks: 4, rank: 4, alpha: 4 });
    const counts = expertParams(student, { classesPerTask: [4, 4, 4, 4] });
    // backbone 2 x (32*32 + 32) + heads 32*16 + 16; experts 2 layers x 4 x (32 + 32) each.
    expect(counts.perExpert).toEqual([512, 512, 512, 512]);
    expect(counts.backbone).toBe(2 * 1056 + 528);
    expect(counts.trainable).toBe(4688);
    expect(counts.deployed).toEqual([2244, 2244, 2244, 2244]);
    expect(mlp(32, [128, 128], 16, createRng(0)).countParams()).toBe(22800);
  });
});
