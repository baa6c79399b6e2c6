import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { finishReproduction, parseReproduceArgs } from '../../src/report/reproduce-cli.js';
import { rowsFromSeeds, type ReproductionResult } from '../../src/report/reproduction-result.js';

test('reproduce flags parse with defaults for full and quick runs', () => {
  expect(parseReproduceArgs([], { defaultSeeds: 3 })).toEqual({ quick: false, seeds: 3 });
  expect(parseReproduceArgs(['--quick'], { defaultSeeds: 3 })).toEqual({ quick: true, seeds: 1 });
  expect(parseReproduceArgs(['--seeds', '5', '--json=out.json', '--plot', 'p.svg'], { defaultSeeds: 3 })).toEqual({
    quick: false, seeds: 5, json: 'out.json', plot: 'p.svg',
  });
});

test('bad reproduce flags throw an OptionError naming the flag', () => {
  expect(() => parseReproduceArgs(['--seeds', '0'], { defaultSeeds: 3 })).toThrow(OptionError);
  expect(() => parseReproduceArgs(['--seed', '2'], { defaultSeeds: 3 })).toThrow(/--seed/);
  expect(() => parseReproduceArgs(['--json'], { defaultSeeds: 3 })).toThrow(/--json/);
});

test('finishing a reproduction prints the verdict and writes JSON and an SVG plot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperkit-repro-'));
  const result: ReproductionResult = {
    package: '@paperkit/example', claim: 'a beats b', quick: true, seeds: [0, 1], backend: 'cpu', seconds: 1.5,
    rows: rowsFromSeeds([{ a: { acc: 0.9 }, b: { acc: 0.5 } }, { a: { acc: 0.8 }, b: { acc: 0.6 } }]),
    holds: true, verdict: 'a 0.85 vs b 0.55',
  };
  const lines: string[] = [];
  await finishReproduction(result, { json: join(dir, 'r.json'), plot: join(dir, 'r.svg') }, { log: (l) => lines.push(l) });
  expect(lines.join('\n')).toContain('HOLDS: a 0.85 vs b 0.55');
  expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toEqual(result);
  const svg = readFileSync(join(dir, 'r.svg'), 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('acc');
  expect(existsSync(join(dir, 'r.json.tmp'))).toBe(false);
});
