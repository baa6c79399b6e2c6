import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '@paperkit/tensor-core';
import { cli } from '../src/cli-program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) } };
}

describe('reprogramming-distill CLI', () => {
  it('--help lists the commands; reproduce --help states the claim', async () => {
    const c = capture();
    expect(await cli.main(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/reproduce/);
    expect(c.out.join('\n')).toMatch(/cka/);
    const r = capture();
    expect(await cli.main(['reproduce', '--help'], r.io)).toBe(0);
    const text = r.out.join('\n');
    for (const flag of ['--quick', '--seeds', '--json', '--plot', '--n', '--restarts']) expect(text).toContain(flag);
    expect(text).toMatch(/student only \+ 0\.03/);
  });

  it('bad input exits 2 with the offending flag or file named, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-cli-'));
    const c = capture();
    expect(await cli.main(['reproduce', '--bogus'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/--bogus/);
    expect(await cli.main(['reproduce', '--seeds', 'x', '--json', join(dir, 'r.json')], c.io)).toBe(2);
    expect(existsSync(join(dir, 'r.json'))).toBe(false);
    expect(await cli.main(['nope'], c.io)).toBe(2);
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, 'not an npy');
    expect(await cli.main(['cka', bad, bad], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/bad\.npy/);
    expect(await cli.main(['cka', join(dir, 'missing.npy'), bad], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/missing\.npy: cannot read/);
  });

  it('cka prints every estimate for two saved feature matrices (identical features: 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-cli-'));
    const data = Float32Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i * 1.7) + (i % 3));
    const a = join(dir, 'a.npy');
    writeFileSync(a, writeNpy({ dtype: 'f4', shape: [40, 3], data }));
    const c = capture();
    expect(await cli.main(['--', 'cka', a, a], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/linear CKA \(biased\)\s*\|\s*1(\.0+)?\s*\|/);
    expect(text).toMatch(/minibatch CKA/);
    expect(readFileSync(a).length).toBeGreaterThan(0);
  });
});
