import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cli } from '../src/cli-program.js';

function capture() {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  return { lines, restore: () => { spy.mockRestore(); err.mockRestore(); } };
}

describe('compoformer CLI (in-process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compoformer-cli-'));

  it('--help lists the commands and exits 0', async () => {
    const out = capture();
    expect(await cli.main(['--help'])).toBe(0);
    out.restore();
    expect(out.lines.join('\n')).toMatch(/reproduce/);
    expect(out.lines.join('\n')).toMatch(/metrics/);
  });

  it('metrics prints P, F, BWT, FWT of the spec hand matrix', async () => {
    const file = join(dir, 'm.json');
    writeFileSync(file, JSON.stringify({ matrix: [[0.8, 0.1, 0], [0.5, 0.9, 0.2], [0.4, 0.7, 1]] }));
    const out = capture();
    expect(await cli.main(['metrics', file])).toBe(0);
    out.restore();
    const text = out.lines.join('\n');
    expect(text).toMatch(/0\.7/);
    expect(text).toMatch(/-0\.3/);
    expect(text).toMatch(/0\.15/);
  });

  it('bad input exits 2: a missing file, malformed JSON, an unknown flag', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"matrix": 3}');
    const out = capture();
    expect(await cli.main(['metrics', join(dir, 'nope.json')])).toBe(2);
    expect(await cli.main(['metrics', bad])).toBe(2);
    expect(await cli.main(['encode', 'x', '--wat'])).toBe(2);
    out.restore();
  });

  it('encode prints the non-zero buckets of a description', async () => {
    const out = capture();
    expect(await cli.main(['encode', 'push', 'the', 'puck', '--dim', '16'])).toBe(0);
    out.restore();
    expect(out.lines.join('\n')).toMatch(/bucket/);
  });

  it('reproduce --quick (one baseline) writes the ReproductionResult JSON atomically', async () => {
    const json = join(dir, 'r.json');
    const out = capture();
    expect(await cli.main(['reproduce', '--quick', '--methods', 'Finetune', '--json', json])).toBe(0);
    out.restore();
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.package).toBe('@paperkit/compoformer');
    expect(result.rows[0].method).toBe('Finetune');
    expect(result.holds).toBe(false);
    expect(result.verdict).toMatch(/needs every method/);
  }, 300_000);
});
