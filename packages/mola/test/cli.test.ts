import { describe, expect, it } from 'vitest';
import { cli } from '../src/cli-program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

describe('mola CLI', () => {
  it('prints help naming the reproduce subcommand and its flags', async () => {
    const c = capture();
    expect(await cli.main(['reproduce', '--help'], c.io)).toBe(0);
    const text = c.out.join('\n');
    for (const flag of ['--quick', '--seeds', '--json', '--plot', '--setting', '--steps']) expect(text).toContain(flag);
  });

  it('rejects an unknown flag and a bad --setting with exit 2, naming them', async () => {
    const c = capture();
    expect(await cli.main(['reproduce', '--bogus'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--bogus');
    const d = capture();
    expect(await cli.main(['reproduce', '--setting', 'nope'], d.io)).toBe(2);
    expect(d.err.join('\n')).toContain('--setting');
  });
});
