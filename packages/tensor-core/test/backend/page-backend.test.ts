import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { PAGE_ORDER, resolvePageRequest, selectInPage } from '../../src/backend/page-backend.js';
import { OptionError } from '../../src/errors.js';

// The page selection logic run under Node (the real page runs in examples/browser/test, in Chromium):
// Node has no WebGPU, no WebGL and no cross-origin isolation, so the order and the reports can be checked here.
const noExtras = async () => {};
const fastOn = () => undefined;

describe('initBackend in a page (selection logic)', () => {
  it('tries webgpu, webgl, wasm, cpu in that order and refuses the Node-only names', () => {
    expect(PAGE_ORDER).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(resolvePageRequest(undefined)).toBeUndefined();
    expect(resolvePageRequest('webgl')).toBe('webgl');
    expect(() => resolvePageRequest('tfjs-node')).toThrow(OptionError);
  });

  it('refuses wasmPaths without a wasm loader to apply them, and says what to pass', async () => {
    const info = await selectInPage('wasm', { wasmPaths: '/wasm/' }, noExtras, fastOn);
    expect(info.tried[0]).toEqual({ source: '@tensorflow/tfjs-backend-wasm', error: expect.stringMatching(/loaders\.wasm/) });
    expect(info.name).toBe('cpu'); // webgpu and webgl are absent under Node, so cpu is the last resort
    expect(info.tried.map((t) => t.source)).toEqual(['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs', '@tensorflow/tfjs']);
    expect(info.tried[1].error).toMatch(/not imported: add `import '@tensorflow\/tfjs-backend-webgpu'`/);
  });

  it('reports every failed candidate and starts wasm through its loader, one thread without cross-origin isolation', async () => {
    let loaded = 0;
    let extras = 0;
    const info = await selectInPage(undefined, {
      threads: 4,
      loaders: { wasm: async () => { loaded++; return import('@tensorflow/tfjs-backend-wasm'); } },
    }, async () => { extras++; }, fastOn);
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(loaded).toBe(1);
    expect(extras).toBe(1); // fallback and fast kernels registered before wasm's first start
    expect(info.tried.map((t) => [t.source, t.error === undefined])).toEqual([
      ['@tensorflow/tfjs-backend-webgpu', false],
      ['@tensorflow/tfjs', false],
      ['@tensorflow/tfjs-backend-wasm', true],
    ]);
    expect(info.threads).toBe(1);
    expect(info.threadsFallback).toMatch(/not cross-origin isolated/);
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });
});
