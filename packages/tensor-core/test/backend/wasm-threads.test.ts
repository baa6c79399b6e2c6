import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';
import { PARALLEL_MIN_FLOPS } from '../../src/backend/parallel-kernels.js';
import { simdModuleBytes } from '../../src/backend/simd-kernels.js';
import { MAX_WASM_THREADS, poolSlot, resolveWasmThreads } from '../../src/backend/wasm-threads.js';
import { runOnThreadPool } from '../../src/backend/thread-pool.js';
import { OptionError } from '../../src/errors.js';

// One vitest file = one process: this file starts the threaded build (the
// other test files run single-threaded, see vitest.config.ts).

const require = createRequire(import.meta.url);
const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
const root = resolve(__dirname, '../../../..');

afterEach(() => {
  process.env.PAPERKIT_THREADS = '1'; // as vitest.config.ts sets it
});

describe('resolveWasmThreads', () => {
  it('takes the option, else env PAPERKIT_THREADS, else the usable cores, capped at 8', () => {
    expect(resolveWasmThreads(3)).toBe(3);
    expect(resolveWasmThreads(64)).toBe(MAX_WASM_THREADS);
    process.env.PAPERKIT_THREADS = '2';
    expect(resolveWasmThreads(undefined)).toBe(2);
    process.env.PAPERKIT_THREADS = 'auto';
    expect(resolveWasmThreads(undefined)).toBeGreaterThanOrEqual(1);
  });

  it('rejects counts that are not whole numbers >= 1, naming where they came from', () => {
    expect(() => resolveWasmThreads(0)).toThrow(OptionError);
    expect(() => resolveWasmThreads(1.5)).toThrow(/threads/);
    process.env.PAPERKIT_THREADS = 'many';
    expect(() => resolveWasmThreads(undefined)).toThrow(/PAPERKIT_THREADS/);
  });
});

describe('poolSlot', () => {
  it("finds the pool pointer's address in the threaded build shipped with tfjs", () => {
    const slot = poolSlot(readFileSync(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.wasm')));
    expect(slot).not.toBeNull();
    expect(slot! % 4).toBe(0);
    expect(slot!).toBeGreaterThan(0);
  });

  it('returns null for modules without that function, and for truncated bytes', () => {
    expect(poolSlot(simdModuleBytes())).toBeNull();
    expect(poolSlot(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]))).toBeNull();
  });
});

describe('the threaded wasm backend', () => {
  it('starts with the threads asked for and says so', async () => {
    const info = await initBackend({ backend: 'wasm', threads: 2, quiet: true });
    expect(info.name).toBe('wasm');
    expect(info.threadsFallback).toBeUndefined();
    expect(info.threads).toBe(2);
  });

  it('runs large products on the pool, matching a plain JS product', () => {
    const [m, k, n] = [200, 300, 260];
    expect(2 * m * k * n).toBeGreaterThan(PARALLEL_MIN_FLOPS);
    const a = tf.randomNormal([m, k], 0, 1, 'float32', 1);
    const b = tf.randomNormal([k, n], 0, 1, 'float32', 2);
    const pooled = tf.matMul(a, b).dataSync();
    const nested = runOnThreadPool(() => runOnThreadPool(() => tf.matMul(a, b).dataSync()));
    expect(Array.from(nested)).toEqual(Array.from(pooled));
    const av = a.dataSync();
    const bv = b.dataSync();
    for (const [i, j] of [[0, 0], [m - 1, n - 1], [57, 131]]) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += av[i * k + t] * bv[t * n + j];
      expect(pooled[i * n + j]).toBeCloseTo(sum, 3);
    }
    tf.dispose([a, b]);
  });

  it('runs the SIMD kernels on the shared heap (transposed products, Adam) without leaking', () => {
    const x = tf.randomNormal([64, 96], 0, 1, 'float32', 3);
    const w = tf.randomNormal([64, 32], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        const viaTranspose = tf.matMul(x, w, true, false); // x^T w through the fast kernel
        const reference = tf.matMul(tf.transpose(x).clone(), w);
        expect(tf.max(tf.abs(tf.sub(viaTranspose, reference))).dataSync()[0]).toBeLessThan(1e-4);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });

  it('gives bit-identical results on 1 and 2 threads, lets a script exit, and falls back without SharedArrayBuffer', () => {
    // A child per setting: the build is chosen once per process. The product
    // is large enough to run on the pool; XNNPACK splits its outputs between
    // threads, never a sum, so the bits must not depend on the thread count.
    const script = [
      "import { createHash } from 'node:crypto';",
      // absolute paths: the script lives in a temp folder, outside any node_modules
      `import * as tf from ${JSON.stringify(require.resolve('@tensorflow/tfjs'))};`,
      `import { initBackend } from ${JSON.stringify(join(root, 'packages/tensor-core/src/index.ts'))};`,
      // tsx itself needs SharedArrayBuffer, so it is removed here, not by a node flag
      "if (process.env.NO_SHARED_MEMORY === '1') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;",
      'const info = await initBackend({ quiet: true });',
      "const a = tf.randomNormal([200, 300], 0, 1, 'float32', 1);",
      "const b = tf.randomNormal([300, 260], 0, 1, 'float32', 2);",
      'const y = tf.matMul(a, b).dataSync();',
      "const hash = createHash('sha256').update(new Uint8Array(y.buffer, y.byteOffset, y.byteLength)).digest('hex');",
      'console.log(JSON.stringify({ threads: info.threads, fallback: info.threadsFallback ?? null, hash }));',
    ].join('\n');
    const folder = mkdtempSync(join(tmpdir(), 'paperkit-threads-'));
    const file = join(folder, 'child.mts');
    writeFileSync(file, script);
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const run = (threads: string, noSharedMemory = false) => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', file], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, PAPERKIT_THREADS: threads, NO_SHARED_MEMORY: noSharedMemory ? '1' : '0' },
      });
      expect(child.error).toBeUndefined(); // a timeout (a pool that kept the process alive) is an error
      expect(child.status, child.stderr).toBe(0);
      return JSON.parse(child.stdout.trim().split('\n').pop()!) as { threads: number; fallback: string | null; hash: string };
    };
    const two = run('2');
    const one = run('1');
    expect(two.threads).toBe(2);
    expect(two.fallback).toBeNull();
    expect(one.threads).toBe(1);
    expect(two.hash).toBe(one.hash);
    const fallback = run('2', true);
    expect(fallback.threads).toBe(1);
    expect(fallback.fallback).toMatch(/SharedArrayBuffer/);
    expect(fallback.hash).toBe(one.hash);
  });
});
