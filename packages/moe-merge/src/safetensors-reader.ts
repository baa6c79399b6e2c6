/** A TensorReader over the bytes of one safetensors file (browser-safe: no file access). */
import { FormatError, readSafetensors } from '@paperkit/tensor-core';
import type { TensorReader } from './checkpoint-types.js';

const FLOAT = new Set(['F32', 'BF16', 'F16']);

/** Decode `bytes` once (tensor-core's `readSafetensors`, with its header and size checks); `read` gives float32 copies. */
export function safetensorsReader(bytes: Uint8Array, source = '<model.safetensors>'): TensorReader {
  const file = readSafetensors(bytes, { source });
  const names = Object.keys(file.tensors);
  const get = (name: string) => {
    const t = file.tensors[name];
    if (!t) throw new FormatError(source, `missing tensor ${name}`);
    return t;
  };
  return {
    names,
    info: (name) => ({ shape: get(name).shape }),
    read: (name) => {
      const t = get(name);
      if (!FLOAT.has(t.dtype)) throw new FormatError(source, `tensor ${name} has dtype ${t.dtype}; only F32/BF16/F16 weights are read`);
      return Float32Array.from(t.data as Float32Array);
    },
  };
}
