import { describe, expect, it } from 'vitest';
import { fnv1a, hashedBow, tokenize, vectorEncoder } from '../src/text-encoder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('hashed bag-of-words encoder (spec section 5)', () => {
  const enc = hashedBow({ dim: 256 });

  it('is deterministic and unit length, so cos(x, x) = 1', () => {
    const x = enc.encode('pull the drawer handle to open the drawer') as Float32Array;
    const y = enc.encode('pull the drawer handle to open the drawer') as Float32Array;
    expect(Array.from(x)).toEqual(Array.from(y));
    expect(dot(x, x)).toBeCloseTo(1, 6);
  });

  it('lower-cases and ignores punctuation', () => {
    expect(Array.from(enc.encode('Push the PUCK!') as Float32Array)).toEqual(Array.from(enc.encode('push the puck') as Float32Array));
    expect(tokenize('Push, the puck.')).toEqual(['push', 'the', 'puck']);
  });

  it('FNV-1a matches the reference value for "a"', () => {
    expect(fnv1a('a')).toBe(0xe40c292c);
  });

  it('shared words make descriptions similar, disjoint ones nearly orthogonal', () => {
    const open = enc.encode('pull the drawer handle to open the drawer') as Float32Array;
    const close = enc.encode('push the drawer handle to close the drawer') as Float32Array;
    const reach = enc.encode('move the gripper to the goal') as Float32Array;
    expect(dot(open, close)).toBeGreaterThan(dot(open, reach));
  });

  it('accepts user vectors through vectorEncoder and rejects unknown or empty text', () => {
    const v = vectorEncoder({ 'open it': [1, 0, 0], 'close it': [0, 1, 0] });
    expect(v.dim).toBe(3);
    expect(Array.from(v.encode('close it') as Float32Array)).toEqual([0, 1, 0]);
    expect(() => v.encode('other')).toThrow(/open it/);
    expect(() => enc.encode('   ')).toThrow(/description/);
    expect(() => vectorEncoder({ a: [1, 2], b: [1] })).toThrow(/\[2\]/);
  });
});
