import { afterEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/training/progress.js';

function fakeStream(isTTY = false) {
  const lines: string[] = [];
  const stream = { isTTY, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

afterEach(() => {
  delete process.env.PAPERKIT_PROGRESS;
});

describe('createProgress', () => {
  it('prints one plain line per 10% when not on a TTY, with the latest info', () => {
    const { stream, lines } = fakeStream();
    const p = createProgress(200, 'train', { stream });
    for (let i = 0; i < 200; i++) p.tick(1, i % 50 === 49 ? { loss: 1 / (i + 1), epoch: 2 } : undefined);
    p.stop();
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^train: 10% \(20\/200\) /);
    expect(lines[9]).toMatch(/^train: 100% \(200\/200\) .*\| loss=0\.005000 epoch=2\n$/);
  });

  it('says where it stopped when stopped early, and ignores ticks after stop', () => {
    const { stream, lines } = fakeStream();
    const p = createProgress(100, 'fit', { stream });
    p.tick(35);
    p.tick(2);
    p.stop();
    p.tick(65);
    p.stop();
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['fit: 35% (35/100)', 'fit: 37% (37/100)']);
  });

  it('is silent when disabled by option or by env PAPERKIT_PROGRESS=0', () => {
    const { stream, lines } = fakeStream();
    const p = createProgress(10, 'x', { stream, enabled: false });
    p.tick(10);
    p.stop();
    process.env.PAPERKIT_PROGRESS = '0';
    const q = createProgress(10, 'y', { stream });
    q.tick(10);
    q.stop();
    expect(lines).toEqual([]);
  });

  it('draws a live bar on an interactive stream', () => {
    const { stream, lines } = fakeStream(true);
    Object.assign(stream, { columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    const p = createProgress(4, 'bar', { stream, interactive: true });
    p.tick(4, { loss: 0.5 });
    p.stop();
    expect(lines.join('')).toMatch(/bar .*4\/4.*loss=0\.5000/);
  });
});
