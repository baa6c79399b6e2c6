import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';
import { OptionError } from '../../src/errors.js';

// One vitest file = one process, so the backend state below is this file's alone.
// The tests run in order and build on each other's cache.

afterEach(() => {
  delete process.env.PAPERKIT_BACKEND;
  vi.restoreAllMocks();
});

describe('initBackend', () => {
  it('respects env PAPERKIT_BACKEND=cpu and tries nothing else', async () => {
    process.env.PAPERKIT_BACKEND = 'cpu';
    const info = await initBackend({ quiet: true });
    expect(info).toEqual({ name: 'cpu', source: '@tensorflow/tfjs', tried: [{ source: '@tensorflow/tfjs' }], threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reports the missing tfjs-node packages in `tried` with their errors and picks wasm', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(info.source).toBe('@tensorflow/tfjs-backend-wasm');
    expect(info.tried.map((t) => t.source)).toEqual([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-backend-wasm',
    ]);
    expect(info.tried[0].error).toMatch(/tfjs-node-gpu/);
    expect(info.tried[1].error).toMatch(/tfjs-node/);
    expect(info.tried[2].error).toBeUndefined();
    expect(tf.getBackend()).toBe('wasm');
    // one summary line that names the choice and the skipped packages
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\[paperkit\] tfjs backend: wasm from @tensorflow\/tfjs-backend-wasm, \d+ threads?; skipped .*tfjs-node-gpu.*tfjs-node/);
    expect(writes[0].trimEnd().includes('\n')).toBe(false);
  });

  it('registers the cpu fallback kernels on wasm (gather gradient works)', async () => {
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, [0, 0, 2])))(tf.ones([3, 2])).arraySync());
    expect(g).toEqual([[2, 2], [0, 0], [1, 1]]);
  });

  it('is idempotent: a repeated call returns the cached choice and logs nothing', async () => {
    const first = await initBackend({ quiet: true });
    const write = vi.spyOn(process.stderr, 'write');
    const again = await Promise.all([initBackend(), initBackend()]);
    expect(again[0]).toEqual(first);
    expect(again[1]).toEqual(first);
    expect(write).not.toHaveBeenCalled();
    expect(tf.getBackend()).toBe('wasm');
  });

  it('switches when a different backend is requested, and back again', async () => {
    const cpu = await initBackend({ backend: 'cpu' });
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const auto = await initBackend({ quiet: true });
    expect(auto.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls back along the chain when an explicitly requested native backend is missing', async () => {
    const info = await initBackend({ backend: 'node', quiet: true });
    expect(info.name).toBe('wasm');
    expect(info.tried.map((t) => [t.source, t.error !== undefined])).toEqual([
      ['@tensorflow/tfjs-node', true],
      ['@tensorflow/tfjs-node-gpu', true],
      ['@tensorflow/tfjs-backend-wasm', false],
    ]);
  });

  it('rejects an unknown PAPERKIT_BACKEND value with an OptionError naming the variable', async () => {
    process.env.PAPERKIT_BACKEND = 'gpu';
    await expect(initBackend({ quiet: true })).rejects.toThrow(OptionError);
    await expect(initBackend({ quiet: true })).rejects.toThrow(/PAPERKIT_BACKEND/);
  });

  it('accepts the short aliases', async () => {
    process.env.PAPERKIT_BACKEND = 'wasm';
    expect((await initBackend({ quiet: true })).name).toBe('wasm');
    expect((await initBackend({ backend: 'cpu', quiet: true })).name).toBe('cpu');
  });
});
