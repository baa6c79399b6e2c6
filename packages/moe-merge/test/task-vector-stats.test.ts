import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@paperkit/tensor-core';
import { taskVectorStats } from '../src/node-models.js';
import { saveTinyLlama } from './helpers.js';

let dir: string;
beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'moe-tv-'));
  await saveTinyLlama(join(dir, 'base'));
  await saveTinyLlama(join(dir, 'a'), { noise: 0.1, seed: 1 });
  await saveTinyLlama(join(dir, 'b'), { noise: 0.1, seed: 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shared task-vector statistics', () => {
  it('independent random task vectors: cosine near 0, sign conflicts near 50%', () => {
    const s = taskVectorStats(join(dir, 'base'), [join(dir, 'a'), join(dir, 'b')]);
    expect(Math.abs(s.meanCosine)).toBeLessThan(0.05);
    expect(s.signConflictRate).toBeGreaterThan(0.45);
    expect(s.signConflictRate).toBeLessThan(0.55);
    expect(s.perTensor.every((t) => !t.name.includes('.mlp.'))).toBe(true);
  });
  it('an expert compared with itself: cosine 1, no conflicts', () => {
    const s = taskVectorStats(join(dir, 'base'), [join(dir, 'a'), join(dir, 'a')]);
    expect(s.meanCosine).toBeCloseTo(1, 6);
    expect(s.signConflictRate).toBe(0);
  });
});
