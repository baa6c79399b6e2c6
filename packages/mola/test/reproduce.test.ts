import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METHODS, judge, paired } from '../src/reproduce/index.js';

describe('reproduction rule', () => {
  it('paired: holds only with a positive mean AND a strict majority of winning seeds', () => {
    expect(paired('a', 'b', [0.9, 0.8, 0.7], [0.8, 0.85, 0.6]).holds).toBe(true); // +0.05 mean, 2/3 wins
    const c = paired('a', 'b', [0.9, 0.8, 0.7, 0.7], [0.5, 0.85, 0.75, 0.75]); // mean +0.0625 but 1/4 wins
    expect(c.mean).toBeCloseTo(0.0625, 10);
    expect(c.wins).toBe(1);
    expect(c.holds).toBe(false);
    expect(paired('a', 'b', [0.7, 0.7, 0.7], [0.6, 0.6, 0.95]).holds).toBe(false); // 2/3 wins, mean < 0
  });

  it('judge applies issue 17\'s rule to Grad vs HPS-wide and Router+TwD vs Router, and only reports TwD vs HPS', () => {
    const table: Record<string, number[]> = {
      [METHODS.grad]: [0.9, 0.91], [METHODS.wide]: [0.89, 0.9],
      [METHODS.twd]: [0.84, 0.85], [METHODS.router]: [0.82, 0.83], [METHODS.hps]: [0.88, 0.88],
    };
    const j = judge((m) => table[m]);
    expect(j.holds).toBe(true);
    expect(j.twdVsHps.holds).toBe(false);
    expect(j.text).toMatch(/Reported only/);
    table[METHODS.router] = [0.85, 0.86];
    expect(judge((m) => table[m]).holds).toBe(false);
  });
});

describe('browser safety', () => {
  it('nothing reachable from src/index.ts imports a Node built-in', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)) {
        const spec = m[1];
        expect(spec.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'child_process', 'http'].includes(spec), `${file} imports ${spec}`).toBe(false);
        expect(spec).not.toBe('@paperkit/tensor-core/node');
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    visit(resolve(root, 'index.ts'));
    expect(seen.size).toBeGreaterThan(10);
  });
});
