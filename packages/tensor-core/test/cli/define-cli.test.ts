import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCli } from '../../src/cli/define-cli.js';
import { FormatError } from '../../src/errors.js';
import { defineReproduction } from '../../src/report/define-reproduction.js';

const reproduction = defineReproduction({
  package: '@paperkit/toy',
  claim: 'A >= B',
  seeds: { full: 2, quick: 1 },
  tensors: false,
  flags: { images: { type: 'boolean', default: true, description: 'run the image table' } },
  runSeed: ({ seed, flags }) => ({ metrics: { A: { acc: 0.7 + seed / 10 + (flags.images ? 0 : -1) }, B: { acc: 0.6 } } }),
  decide: ({ metric }) => ({ holds: metric('A', 'acc') >= metric('B', 'acc'), verdict: `A ${metric('A', 'acc').toFixed(2)}` }),
});

const seen: unknown[] = [];
const cli = defineCli({
  name: 'toy',
  summary: 'a toy method',
  reproduction,
  defaultCommand: 'merge',
  commands: {
    merge: {
      summary: 'merge things',
      positionals: [{ name: 'config', description: 'the YAML' }, { name: 'out', description: 'output folder', required: false }],
      flags: {
        dryRun: { type: 'boolean', description: 'plan only' },
        density: { type: 'number', min: 0, max: 1, default: 0.5, description: 'density' },
        output: { type: 'string', short: 'o', description: 'file' },
        rate: { type: 'number', required: true, description: 'requests/s' },
      },
      run({ flags, args }) {
        seen.push({ flags, args });
        if (args.config === 'broken.yaml') throw new FormatError('broken.yaml', 'not YAML', 3);
        if (args.config === 'crash.yaml') throw new Error('boom');
        return 0;
      },
    },
  },
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

describe('defineCli', () => {
  it('parses flags in every form and drops a bare -- anywhere', async () => {
    seen.length = 0;
    const c = capture();
    expect(await cli.main(['merge', '--', 'c.yaml', 'out', '--dry-run', '--density=0.25', '-o', 'f.txt', '--rate', '3'], c.io)).toBe(0);
    expect(seen[0]).toEqual({ flags: { dryRun: true, density: 0.25, output: 'f.txt', rate: 3 }, args: { config: 'c.yaml', out: 'out' } });
  });

  it('runs the default command when the first argument names none', async () => {
    seen.length = 0;
    expect(await cli.main(['c.yaml', '--rate', '1'], capture().io)).toBe(0);
    expect(seen[0]).toEqual({ flags: { dryRun: false, density: 0.5, output: undefined, rate: 1 }, args: { config: 'c.yaml', out: undefined } });
  });

  it('exits 2 on usage mistakes and bad input, 1 on other failures', async () => {
    const c = capture();
    expect(await cli.main(['merge', 'c.yaml', '--rate', '1', '--nope'], c.io)).toBe(2);
    expect(c.err.at(-1)).toMatch(/--nope/);
    expect(await cli.main(['merge', 'c.yaml'], c.io)).toBe(2);
    expect(c.err.at(-1)).toMatch(/--rate: expected a value/);
    expect(await cli.main(['merge', 'c.yaml', '--rate', '1', '--density', '2'], c.io)).toBe(2);
    expect(c.err.at(-1)).toMatch(/--density: expected a number >= 0 <= 1, got 2/);
    expect(await cli.main(['merge', 'c.yaml', '--rate', 'fast'], c.io)).toBe(2);
    expect(await cli.main(['merge', 'broken.yaml', '--rate', '1'], c.io)).toBe(2);
    expect(c.err.at(-1)).toBe('toy: broken.yaml:3: not YAML');
    expect(await cli.main(['merge', 'crash.yaml', '--rate', '1'], c.io)).toBe(1);
    expect(c.err.at(-1)).toMatch(/Error: boom/);
  });

  it('prints help for the bin and for each subcommand', async () => {
    const c = capture();
    expect(await cli.main(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/commands:\n {2}merge +merge things\n {2}reproduce/);
    expect(await cli.main(['merge', '--help'], c.io)).toBe(0);
    expect(c.out.at(-1)).toMatch(/usage: toy merge <config> \[out\] \[options\]/);
    expect(c.out.at(-1)).toMatch(/-o, --output <text>/);
    expect(c.out.at(-1)).toMatch(/--density <number> +density \(default 0.5\)/);
    expect(await cli.main(['reproduce', '--help'], c.io)).toBe(0);
    expect(c.out.at(-1)).toMatch(/--images +run the image table \(default on/);
  });

  it('reproduce runs the definition, honours --no-<flag>, and writes the JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperkit-cli-'));
    try {
      const c = capture();
      const json = join(dir, 'r.json');
      expect(await cli.main(['reproduce', '--quick', '--no-images', '--json', json], c.io)).toBe(0);
      const result = JSON.parse(readFileSync(json, 'utf8'));
      expect(result.seeds).toEqual([0]);
      expect(result.holds).toBe(false);
      expect(c.out.join('\n')).toMatch(/DOES NOT HOLD: A -0.30/);
      expect(await cli.main(['reproduce', '--seeds', '2', '--json', json], capture().io)).toBe(0);
      expect(JSON.parse(readFileSync(json, 'utf8')).seeds).toEqual([0, 1]);
      expect(await cli.main(['reproduce', '--seeds', '0'], capture().io)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
