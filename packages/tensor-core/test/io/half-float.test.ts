import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from '../../src/io/half-float.js';

function mismatches(a: Uint16Array, b: Uint16Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n + Math.abs(a.length - b.length);
}

const fromBits32 = (b: number) => new Float32Array(new Uint32Array([b]).buffer)[0];

describe('bfloat16', () => {
  it('keeps values that bf16 represents exactly', () => {
    const exact = [0, -0, 1, -1, 2, 0.5, 3, -1.5, 256, 1 + 2 ** -7, 2 ** -126, 2 ** 100, Infinity, -Infinity];
    const back = bfloat16ToFloat32(float32ToBfloat16(exact));
    expect(Array.from(back)).toEqual(exact);
    expect(Object.is(back[1], -0)).toBe(true);
  });

  it('rounds ties to even: 1 + 2^-8 -> 1, 1 + 3*2^-8 -> 1 + 2^-6', () => {
    const back = bfloat16ToFloat32(float32ToBfloat16([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20]));
    expect(back[0]).toBe(1);
    expect(back[1]).toBe(1 + 2 ** -6);
    expect(back[2]).toBe(1 + 2 ** -7); // above the tie rounds up
  });

  it('keeps NaN a NaN (including a NaN whose payload sits in the dropped bits)', () => {
    const nanLow = fromBits32(0x7f800001);
    const out = float32ToBfloat16([NaN, nanLow, fromBits32(0xffc00000)]);
    for (const b of out) expect((b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0).toBe(true);
    expect(out[2] & 0x8000).toBe(0x8000);
    expect(Number.isNaN(bfloat16ToFloat32(out)[1])).toBe(true);
  });

  it('rounds the largest finite float32 up to Infinity', () => {
    expect(bfloat16ToFloat32(float32ToBfloat16([3.4028234663852886e38]))[0]).toBe(Infinity);
  });

  it('round trips every bf16 bit pattern through float32 bit-exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    expect(mismatches(float32ToBfloat16(bfloat16ToFloat32(all)), all)).toBe(0);
  });
});

describe('float16', () => {
  it('round trips every float16 bit pattern through float32 bit-exactly (NaN payloads too)', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    expect(mismatches(float32ToFloat16(float16ToFloat32(all)), all)).toBe(0);
  });

  it('decodes known values: 1, -2, 65504, smallest subnormal, Inf', () => {
    const out = float16ToFloat32(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0xfc00, 0x8000]));
    expect(Array.from(out)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, -0]);
  });

  it('rounds to nearest even, overflows to Infinity and underflows through subnormals', () => {
    const h = float32ToFloat16([
      1 + 2 ** -11, // tie between 1 and 1+2^-10 -> 1 (even)
      1 + 3 * 2 ** -11, // tie -> 1 + 2^-9 (even)
      65504, 65519, 65520, 1e6, -1e6, // 65520 is the tie to Infinity
      2 ** -25, // half the smallest subnormal: tie to 0
      3 * 2 ** -26, // 0.75 ulp: rounds up to the smallest subnormal
      2 ** -24 * 1.5, // tie between 1 and 2 subnormal ulps -> 2
      2 ** -14 - 2 ** -25, // rounds up into the smallest normal
    ]);
    expect(Array.from(h)).toEqual([0x3c00, 0x3c02, 0x7bff, 0x7bff, 0x7c00, 0x7c00, 0xfc00, 0x0000, 0x0001, 0x0002, 0x0400]);
  });

  it('keeps NaN a NaN', () => {
    const h = float32ToFloat16([NaN, fromBits32(0x7f800001)]);
    for (const b of h) expect((b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0).toBe(true);
  });

  it('agrees with exact rounding on random float32 values', () => {
    // Reference: the nearest of the two float16 neighbours, computed in float64.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const xs = new Float32Array(20000);
    for (let i = 0; i < xs.length; i++) xs[i] = fromBits32((rand() * 2 ** 32) >>> 0);
    const h = float32ToFloat16(xs);
    const back = float16ToFloat32(h);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (Number.isNaN(x)) continue;
      const y = back[i];
      if (Math.abs(x) >= 65520) {
        expect(y).toBe(Math.sign(x) * Infinity);
        continue;
      }
      const up = float16ToFloat32(new Uint16Array([h[i] + (Math.abs(y) < Math.abs(x) ? 1 : -1)]))[0];
      expect(Math.abs(y - x)).toBeLessThanOrEqual(Math.abs(up - x));
    }
  });
});
