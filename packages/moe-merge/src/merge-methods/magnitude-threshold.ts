/**
 * Exact k-th largest |x| of a tensor, found without copying or sorting it:
 * the TIES trim step (spec section 2, "keep the k = floor(density * numel)
 * largest-|.| entries") needs only this threshold, and a copy of a
 * multi-gigabyte task vector would break the streaming memory bound.
 *
 * Non-negative float32 values order like their bit patterns, so a radix
 * select over the 32-bit pattern of |x| (16 high bits, then 16 low bits inside
 * the chosen bucket) gives the exact value in two passes over the data.
 */
import type { TensorSource } from './tensor-source.js';

export interface MagnitudeThreshold {
  /** The k-th largest |x| (as a float32 value); +Infinity when k = 0. */
  threshold: number;
  /** How many entries equal to `threshold` are kept (in index order) so that exactly k survive. */
  keepAtThreshold: number;
}

const BITS = new Uint32Array(1);
const FLOAT = new Float32Array(BITS.buffer);

function absBits(x: number): number {
  FLOAT[0] = x;
  return BITS[0] & 0x7fffffff;
}

/**
 * `values(i)` yields the task-vector chunk for chunk i (already base-subtracted);
 * chunks are visited twice, in order.
 */
export function magnitudeThreshold(
  numel: number,
  k: number,
  chunks: (visit: (chunk: Float32Array) => void) => void,
): MagnitudeThreshold {
  if (k <= 0) return { threshold: Number.POSITIVE_INFINITY, keepAtThreshold: 0 };
  if (k >= numel) return { threshold: 0, keepAtThreshold: Number.MAX_SAFE_INTEGER };
  const high = new Float64Array(65536);
  chunks((chunk) => {
    for (let i = 0; i < chunk.length; i++) high[absBits(chunk[i]) >>> 16] += 1;
  });
  // Walk from the largest bucket down until k entries are covered.
  let above = 0;
  let bucket = 65535;
  for (; bucket >= 0; bucket--) {
    if (above + high[bucket] >= k) break;
    above += high[bucket];
  }
  const low = new Float64Array(65536);
  chunks((chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const bits = absBits(chunk[i]);
      if (bits >>> 16 === bucket) low[bits & 0xffff] += 1;
    }
  });
  let lowBucket = 65535;
  for (; lowBucket >= 0; lowBucket--) {
    if (above + low[lowBucket] >= k) break;
    above += low[lowBucket];
  }
  BITS[0] = ((bucket << 16) | lowBucket) >>> 0;
  return { threshold: FLOAT[0], keepAtThreshold: k - above };
}

/** Convenience for a source that is read chunk by chunk. */
export function sourceChunks(
  source: TensorSource,
  chunkSize: number,
  transform: (chunk: Float32Array, start: number) => Float32Array,
): (visit: (chunk: Float32Array) => void) => void {
  return (visit) => {
    for (let start = 0; start < source.numel; start += chunkSize) {
      const end = Math.min(source.numel, start + chunkSize);
      visit(transform(source.read(start, end), start));
    }
  };
}
