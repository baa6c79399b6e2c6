import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';

// Under pnpm, tfjs-node installs without running its install script, so the
// package resolves but importing it throws because the native addon is absent.
// Simulate exactly that (the package itself is not installed here).
vi.mock('@tensorflow/tfjs-node', () => {
  throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/lib/napi-v8/tfjs_binding.node.\nPlease run command ...');
});

describe('initBackend with a tfjs-node whose native addon is missing', () => {
  it('catches the addon error, reports it in `tried` and moves on to wasm', async () => {
    const info = await initBackend({ backend: 'tfjs-node', quiet: true });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.tried[0].source).toBe('@tensorflow/tfjs-node');
    expect(info.tried[0].error).toMatch(/native addon module \(tfjs_binding\.node\) can not be found/);
    expect(info.tried[0].error).not.toMatch(/\n/);
  });
});
