import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor, writeTorchFile } from './helpers/write-pt.js';

import { cli as program } from '../src/cli-program.js';

/** Run the CLI in-process; resolves to stdout, rejects with the exit code and stderr on failure. */
async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await program.main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  if (code !== 0) throw Object.assign(new Error(err.join('\n')), { code });
  return out.join('\n');
}

describe('mm-graph CLI', () => {
  it('--help lists bench, inspect, eval and reproduce', async () => {
    const help = await cli('--help');
    for (const cmd of ['bench', 'inspect', 'eval', 'reproduce']) expect(help).toContain(cmd);
  });

  it('inspect prints dtype and shape of every tensor in a directory of .pt files without reading them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-graph-cli-'));
    writeTorchFile(join(dir, 'clip_feat.pt'), tensor('float32', [3, 4], new Float32Array(12)));
    writeTorchFile(join(dir, 'split.pt'), { train_idx: [0, 1], val_idx: [2], test_idx: [] });
    const out = await cli('inspect', dir);
    expect(out).toContain('clip_feat.pt');
    expect(out).toContain('tensor float32 [3, 4]');
    expect(out).toMatch(/train_idx: list of 2/);
  });

  it('a missing file and a bad flag are bad input (exit 2) with a one-line message', async () => {
    await expect(cli('inspect', '/nonexistent/x.pt')).rejects.toMatchObject({ code: 2, message: 'mm-graph: /nonexistent/x.pt: no such file or directory' });
    await expect(cli('bench', '--task', 'zz')).rejects.toMatchObject({ code: 2 });
  });
});
