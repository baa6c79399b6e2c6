import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../src/cli-program.js';

const dir = mkdtempSync(join(tmpdir(), 'divil-cli-'));
const run = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await cli.main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    stderr.mockRestore();
  }
};
afterEach(() => vi.restoreAllMocks());

function writeData(path: string, n: number, seed: number): void {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = Array.from({ length: n }, (_, i) => {
    const y = rand() < 0.5 ? 1 : 0;
    const env = i % 2;
    return JSON.stringify({ x: [y + 0.3 * (rand() - 0.5), rand(), env === 0 ? y : 1 - y], y, env });
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('divil CLI', () => {
  it('--help exits 0 and lists the commands; reproduce --help names its flags', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/reproduce/);
    expect(r.out).toMatch(/train/);
    const h = await run('reproduce', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/--quick/);
    expect(h.out).toMatch(/--dataset/);
  });

  it('unknown flags and bad option values exit 2', async () => {
    expect((await run('reproduce', '--bogus')).code).toBe(2);
    const bad = await run('reproduce', '--dataset', 'mnist');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--dataset/);
    expect((await run('train', 'x.jsonl', '--steps', '0')).code).toBe(2);
  });

  it('train fits an env-labelled JSONL file, prints per-env accuracy and writes --json atomically (a bare -- is ignored)', async () => {
    const data = join(dir, 'train.jsonl');
    writeData(data, 120, 3);
    const json = join(dir, 'out.json');
    const r = await run('train', '--', data, '--steps', '20', '--hidden', '8', '--batch', '0', '--beta', '0.01', '--json', json);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/train env 0/);
    expect(r.out).toMatch(/train env 1/);
    const parsed = JSON.parse(readFileSync(json, 'utf8'));
    expect(Object.keys(parsed.accuracy)).toEqual(['train env 0', 'train env 1']);
  });

  it('a malformed line is a FormatError naming file and line (exit 2, nothing written)', async () => {
    const data = join(dir, 'bad.jsonl');
    writeFileSync(data, `${JSON.stringify({ x: [1, 2], y: 1, env: 0 })}\n${JSON.stringify({ x: [1], y: 0, env: 1 })}\n`);
    const json = join(dir, 'never.json');
    const r = await run('train', data, '--json', json);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.jsonl:2: "x" has 1 numbers/);
    expect(existsSync(json)).toBe(false);
    const missing = await run('train', join(dir, 'missing.jsonl'));
    expect(missing.code).toBe(2);
  });
});
