/** Test helpers: build safetensors bytes by hand (so malformed files can be made). */
import { SAFETENSORS_DTYPES, type SafetensorsDType, type TensorInput } from '../../src/io/safetensors.js';

const enc = new TextEncoder();

/** 8-byte N + header text (padded to `pad` bytes with spaces when given) + data bytes. */
export function rawSafetensors(header: string | object, data: Uint8Array = new Uint8Array(0), n?: number): Uint8Array {
  const text = enc.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const len = n ?? text.length;
  const out = new Uint8Array(8 + text.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, len % 2 ** 32, true);
  view.setUint32(4, Math.floor(len / 2 ** 32), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** A deterministic pseudo-random tensor of every dtype (raw bit patterns for F16/BF16). */
export function sampleTensors(seed = 1): Record<string, TensorInput & { dtype: SafetensorsDType }> {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);
  const out: Record<string, TensorInput & { dtype: SafetensorsDType }> = {};
  const shapes: number[][] = [[2, 3], [5], [1, 2, 2]];
  SAFETENSORS_DTYPES.forEach((dtype, k) => {
    const shape = shapes[k % shapes.length];
    const numel = shape.reduce((a, b) => a * b, 1);
    const size = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1, U16: 2, U32: 4, U64: 8 }[dtype];
    const raw = bytes(numel * size);
    if (dtype === 'BOOL') raw.forEach((v, i) => (raw[i] = v & 1));
    const buf = raw.buffer;
    const data =
      dtype === 'F64' ? new Float64Array(buf) : dtype === 'F32' ? new Float32Array(buf)
      : dtype === 'F16' || dtype === 'BF16' || dtype === 'U16' ? new Uint16Array(buf)
      : dtype === 'I64' ? new BigInt64Array(buf) : dtype === 'U64' ? new BigUint64Array(buf)
      : dtype === 'I32' ? new Int32Array(buf) : dtype === 'U32' ? new Uint32Array(buf)
      : dtype === 'I16' ? new Int16Array(buf) : dtype === 'I8' ? new Int8Array(buf) : raw;
    out[`t.${dtype.toLowerCase()}`] = { dtype, shape, data };
  });
  return out;
}
