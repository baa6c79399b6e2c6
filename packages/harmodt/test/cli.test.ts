import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanarSuite } from '@paperkit/offline-rl';
import { cli } from '../src/cli-program.js';

describe('harmodt CLI (in-process)', () => {
  it('--help exits 0; unknown commands and flags exit 2', async () => {
    expect(await cli.main(['--help'])).toBe(0);
    expect(await cli.main(['reproduce', '--help'])).toBe(0);
    expect(await cli.main(['fly'])).toBe(2);
    expect(await cli.main(['reproduce', '--bogus'])).toBe(2);
    expect(await cli.main(['train', '--out', 'x.safetensors'])).toBe(2);
  });

  it('train writes a checkpoint from D4RL JSON and conflict reads it back; a bad file exits 2 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'harmodt-'));
    const data = join(dir, 'd.json');
    const out = join(dir, 'm.safetensors');
    const ds = PlanarSuite.create({ tasks: ['reach', 'drawer-open'] }).dataset({ episodesPerTask: 3 });
    const json = Object.fromEntries(ds.taskNames.map((name, t) => {
      const eps = ds.episodes[t];
      const rows = (a: Float32Array, w: number) => Array.from({ length: a.length / w }, (_, i) => Array.from(a.subarray(i * w, (i + 1) * w)));
      return [name, {
        observations: eps.flatMap((e) => rows(e.observations, 8)),
        actions: eps.flatMap((e) => rows(e.actions, 2)),
        rewards: eps.flatMap((e) => Array.from(e.rewards)),
        timeouts: eps.flatMap((e) => Array.from({ length: e.length }, (_, k) => (k === e.length - 1 ? 1 : 0))),
      }];
    }));
    (await import('node:fs')).writeFileSync(data, JSON.stringify(json));
    expect(await cli.main(['train', '--data', data, '--out', out, '--steps', '4', '--mask-interval', '2'])).toBe(0);
    expect(await cli.main(['conflict', '--data', data, '--checkpoint', out])).toBe(0);
    const { writeFileSync, existsSync } = await import('node:fs');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"reach": {"observations": [[1, 2]], "actions": [[0, 0], [1, 1]], "rewards": [1]}}');
    const never = join(dir, 'never.safetensors');
    expect(await cli.main(['train', '--data', bad, '--out', never, '--steps', '2'])).toBe(2);
    expect(existsSync(never)).toBe(false);
  });
});
