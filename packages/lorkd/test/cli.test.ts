import { describe, expect, it } from 'vitest';
import { cli } from '../src/cli-program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

describe('lorkd CLI', () => {
  it('prints help naming the reproduce subcommand and its flags, --images among them', async () => {
    const c = capture();
    expect(await cli.main(['reproduce', '--help'], c.io)).toBe(0);
    const text = c.out.join('\n');
    for (const flag of ['--quick', '--seeds', '--json', '--plot', '--images']) expect(text).toContain(flag);
  });

  it('rejects an unknown flag with exit 2 and names it', async () => {
    const c = capture();
    expect(await cli.main(['reproduce', '--bogus'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--bogus');
  });
});
