import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkg = fileURLToPath(new URL('..', import.meta.url));
const cli = (...args: string[]) => run('npx', ['tsx', '--conditions=@paperkit/source', 'src/cli.ts', ...args], { cwd: pkg });

describe('lorkd CLI', () => {
  it('prints help naming the reproduce subcommand and its flags', async () => {
    const { stdout } = await cli('reproduce', '--help');
    expect(stdout).toMatch(/--quick/);
    expect(stdout).toMatch(/--seeds/);
    expect(stdout).toMatch(/--json/);
    expect(stdout).toMatch(/--plot/);
  });

  it('rejects an unknown flag with a non-zero exit', async () => {
    await expect(cli('reproduce', '--bogus')).rejects.toMatchObject({ code: 1 });
  });
});
