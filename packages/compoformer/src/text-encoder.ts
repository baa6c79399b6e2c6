/**
 * Task-description encoders. The paper embeds each description with
 * all-MiniLM-L12-v2 (384-d), downloaded at run time (compoformer.md quirk e).
 * The offline default here is a hashed bag of words (spec section 5): lower-case
 * unigrams and bigrams, FNV-1a hashed into `dim` buckets with a hash-derived
 * sign, L2-normalised. Users with a locally stored sentence model pass its
 * vectors through `vectorEncoder` (or `learnTask({ embedding })`).
 */
import { OptionError, ShapeError } from '@paperkit/tensor-core';

/** Anything that turns a task description into a fixed-width vector. */
export interface TaskTextEncoder {
  /** Width of every vector `encode` returns. */
  readonly dim: number;
  encode(text: string): Float32Array | Promise<Float32Array>;
}

export interface HashedBowOptions {
  /** Number of hash buckets. Default 256 (spec section 5). */
  dim?: number;
  /** Include word bigrams. Default true. */
  bigrams?: boolean;
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Lower-case word tokens (letters and digits), e.g. "Push the puck!" -> ["push", "the", "puck"]. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** The offline default encoder: hashed unigrams + bigrams with sign hashing, unit length. */
export function hashedBow(options: HashedBowOptions = {}): TaskTextEncoder {
  const dim = options.dim ?? 256;
  if (!Number.isInteger(dim) || dim < 2) throw new OptionError('hashedBow.dim', 'an integer >= 2', options.dim);
  const bigrams = options.bigrams ?? true;
  return {
    dim,
    encode(text: string): Float32Array {
      checkDescription(text);
      const words = tokenize(text);
      const features = [...words];
      if (bigrams) for (let i = 0; i + 1 < words.length; i++) features.push(`${words[i]} ${words[i + 1]}`);
      const v = new Float32Array(dim);
      for (const feature of features) {
        const h = fnv1a(feature);
        // Bucket from the hash, sign from an independent hash of the same feature.
        const sign = fnv1a(`#${feature}`) & 1 ? 1 : -1;
        v[h % dim] += sign;
      }
      let norm = 0;
      for (let i = 0; i < dim; i++) norm += v[i] * v[i];
      if (norm > 0) {
        const s = 1 / Math.sqrt(norm);
        for (let i = 0; i < dim; i++) v[i] *= s;
      }
      return v;
    },
  };
}

/**
 * Wrap precomputed vectors (e.g. MiniLM embeddings computed offline) as an
 * encoder: `vectorEncoder({ 'open the drawer': Float32Array(384) ... })`.
 */
export function vectorEncoder(vectors: Record<string, ArrayLike<number>>): TaskTextEncoder {
  const entries = Object.entries(vectors ?? {});
  if (entries.length === 0) throw new OptionError('vectorEncoder.vectors', 'at least one description -> vector entry', vectors);
  const dim = entries[0][1].length;
  const table = new Map<string, Float32Array>();
  for (const [text, vec] of entries) table.set(text, checkVector(`vectorEncoder.vectors["${text}"]`, vec, dim));
  return {
    dim,
    encode(text: string): Float32Array {
      checkDescription(text);
      const v = table.get(text);
      if (!v) throw new OptionError('vectorEncoder description', `one of ${[...table.keys()].map((k) => `"${k}"`).join(', ')}`, text);
      return v;
    },
  };
}

/** A finite vector of the given width, copied to Float32Array. */
export function checkVector(name: string, vec: ArrayLike<number> | undefined, dim: number): Float32Array {
  if (!vec || vec.length !== dim) throw new ShapeError(name, `[${dim}]`, vec ? `[${vec.length}]` : 'missing');
  const out = Float32Array.from(vec);
  for (let i = 0; i < dim; i++) if (!Number.isFinite(out[i])) throw new OptionError(`${name}[${i}]`, 'a finite number', vec[i]);
  return out;
}

/** Empty or whitespace-only descriptions carry no task signal: reject them. */
export function checkDescription(text: unknown): string {
  if (typeof text !== 'string' || tokenize(text).length === 0) {
    throw new OptionError('description', 'a non-empty task description with at least one word', text);
  }
  return text;
}
