import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor, writeTorchFile } from './helpers/write-pt.js';

const cli = (...args: string[]) =>
  execFileSync('npx', ['tsx', '--conditions=@paperkit/source', 'src/cli.ts', ...args], { cwd: join(__dirname, '..'), encoding: 'utf8' });

describe('mm-graph CLI', () => {
  it('--help lists bench, inspect, eval and reproduce', () => {
    const help = cli('--help');
    for (const cmd of ['bench', 'inspect', 'eval', 'reproduce']) expect(help).toContain(cmd);
  });

  it('inspect prints dtype and shape of every tensor in a directory of .pt files without reading them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-graph-cli-'));
    writeTorchFile(join(dir, 'clip_feat.pt'), tensor('float32', [3, 4], new Float32Array(12)));
    writeTorchFile(join(dir, 'split.pt'), { train_idx: [0, 1], val_idx: [2], test_idx: [] });
    const out = cli('inspect', dir);
    expect(out).toContain('clip_feat.pt');
    expect(out).toContain('tensor float32 [3, 4]');
    expect(out).toMatch(/train_idx: list of 2/);
  });
});
