import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smoothGoodputReproduction } from '../src/reproduce/index.js';

describe('reproduction E1–E4 (tiny size)', () => {
  it('returns a ReproductionResult with every experiment row, the E1 identity and a verdict that names E1 and E2', async () => {
    const r = await smoothGoodputReproduction({ n: 80, e3Grid: [0.5, 1], e4Grid: [0.5, 1], capacityEps: 0.5 }).run({ seeds: 1, log: () => {} });
    expect(r.package).toBe('@paperkit/smooth-goodput');
    expect(r.seeds).toEqual([0]);
    expect(r.rows.map((row) => row.method)).toEqual([
      'E1 raw', 'E1 paced 90ms', 'E2 fcfs', 'E2 drop-on-miss 500ms', 'E3 prefill-first', 'E3 chunked',
      'E4 alpha=0', 'E4 alpha=1', 'E4 alpha=2.5', 'E4 alpha=5', 'E4 token throughput',
    ]);
    const metric = (method: string, name: string) => r.rows.find((row) => row.method === method)!.metrics[name].mean;
    // pacing at θ = 90 ms ≤ V = 200 ms leaves smooth goodput unchanged (same T), and lowers it at 30 tok/s
    expect(metric('E1 paced 90ms', 'smoothGoodput5')).toBeCloseTo(metric('E1 raw', 'smoothGoodput5'), 9);
    expect(metric('E1 paced 90ms', 'smoothGoodput30')).toBeLessThanOrEqual(metric('E1 raw', 'smoothGoodput30'));
    expect(metric('E1 paced 90ms', 'meanTpotMs')).toBeGreaterThan(metric('E1 raw', 'meanTpotMs'));
    expect(typeof r.holds).toBe('boolean');
    expect(r.verdict).toMatch(/E1 .*E2 /);
  });
});

describe('no tensor work', () => {
  it('no source file imports @tensorflow/tfjs or tensor-core\'s tfjs entry (only /base and /node), so it installs without tfjs', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
      }
    };
    walk(join(__dirname, '..', 'src'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/from '@tensorflow\/tfjs/);
      expect(text, f).not.toMatch(/from '@paperkit\/tensor-core'/);
    }
  });
});
