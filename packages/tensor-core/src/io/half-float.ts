/**
 * Conversions between float32 and the two 16-bit float formats that
 * safetensors and .npy files carry (safetensors README, "dtypes"; IEEE 754-2008
 * binary16; Google brain float16).
 *
 * All four functions work on whole arrays and on bit patterns, never through
 * JS numbers, so NaN payloads survive a 16 -> 32 -> 16 round trip exactly
 * (reading a float32 NaN into a double may quiet it on some CPUs).
 *
 * Rounding is round-to-nearest, ties-to-even, the IEEE default that PyTorch
 * and numpy also use: bf16(1 + 2^-8) = 1 because the tie goes to the even
 * mantissa. Values too large for float16 become +/-Infinity; values too small
 * become float16 subnormals or signed zero.
 */

/** Bit view of any float-ish input, as a Uint32Array of float32 bits. */
function float32Bits(values: Float32Array | ArrayLike<number>): Uint32Array {
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  return new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
}

/** Rounds float32 values to bfloat16 (the top 16 bits of a float32), ties to even. */
export function float32ToBfloat16(values: Float32Array | ArrayLike<number>): Uint16Array {
  const bits = float32Bits(values);
  const out = new Uint16Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x007fffff) !== 0) {
      // NaN: keep sign and the top payload bits; make sure the result is still a NaN.
      const hi = x >>> 16;
      out[i] = (hi & 0x007f) === 0 ? hi | 0x0040 : hi;
      continue;
    }
    // Adding 0x7fff plus the lowest kept bit rounds to nearest with ties to even;
    // a carry out of the mantissa correctly bumps the exponent (up to Infinity).
    out[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

/** Widens bfloat16 bit patterns to float32 (exact). */
export function bfloat16ToFloat32(bits: Uint16Array | ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = ((bits[i] & 0xffff) << 16) >>> 0;
  return out;
}

/** Rounds float32 values to IEEE binary16, ties to even; overflow gives Infinity. */
export function float32ToFloat16(values: Float32Array | ArrayLike<number>): Uint16Array {
  const bits = float32Bits(values);
  const out = new Uint16Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x007fffff;
    if (exp === 0xff) {
      if (mant === 0) {
        out[i] = sign | 0x7c00;
      } else {
        const payload = mant >>> 13;
        out[i] = sign | 0x7c00 | (payload === 0 ? 0x0200 : payload);
      }
      continue;
    }
    const e = exp - 112; // re-biased exponent (127 -> 15)
    if (e >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      // float16 subnormal (or zero): value = m * 2^-24 with m = significand >> shift.
      const shift = 14 - e;
      if (shift > 24) {
        out[i] = sign;
        continue;
      }
      const m = mant | 0x00800000;
      let h = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && (h & 1) === 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // may carry into Infinity: correct
    out[i] = sign | h;
  }
  return out;
}

/** Widens IEEE binary16 bit patterns to float32 (exact, including subnormals and NaN payloads). */
export function float16ToFloat32(bits: Uint16Array | ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i] & 0xffff;
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x03ff;
    if (exp === 0) {
      if (mant === 0) {
        outBits[i] = sign >>> 0;
      } else {
        // Subnormal: normalise the mantissa into a float32 exponent.
        let m = mant;
        let e = -14;
        while ((m & 0x0400) === 0) {
          m <<= 1;
          e--;
        }
        outBits[i] = (sign | ((e + 127) << 23) | ((m & 0x03ff) << 13)) >>> 0;
      }
    } else if (exp === 0x1f) {
      outBits[i] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    } else {
      outBits[i] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    }
  }
  return out;
}
