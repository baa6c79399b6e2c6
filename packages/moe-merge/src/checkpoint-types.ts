/**
 * The browser-safe half of checkpoint handling: dtype names and the shapes of
 * what is written and read. The directory reader and writer (checkpoint.ts)
 * are Node-only, behind `@paperkit/moe-merge/node`.
 */
import { OptionError, type SafetensorsDType } from '@paperkit/tensor-core';

export type CheckpointDType = 'float32' | 'bfloat16' | 'float16';

export const DTYPE_TO_SAFETENSORS: Record<CheckpointDType, SafetensorsDType> = {
  float32: 'F32',
  bfloat16: 'BF16',
  float16: 'F16',
};

/** Accepts the spellings mergekit and transformers use (bf16, fp16, float32, ...). */
export function parseDType(value: unknown, option = 'dtype'): CheckpointDType {
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  if (v === 'float32' || v === 'fp32' || v === 'f32') return 'float32';
  if (v === 'bfloat16' || v === 'bf16') return 'bfloat16';
  if (v === 'float16' || v === 'fp16' || v === 'f16' || v === 'half') return 'float16';
  throw new OptionError(option, 'float32, bfloat16 (bf16) or float16 (fp16)', value);
}

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  numel: number;
  byteLength: number;
}

export interface CheckpointTensor {
  name: string;
  shape: readonly number[];
  /** float32 values; converted to the file dtype on write. */
  data: Float32Array;
}

/** A checkpoint in memory: config.json's object and its tensors (what `saveCheckpoint` writes). */
export interface CheckpointContent {
  config: Record<string, unknown>;
  tensors: Iterable<CheckpointTensor> | AsyncIterable<CheckpointTensor>;
}

export interface SaveCheckpointOptions {
  /** File dtype (default float32). */
  dtype?: CheckpointDType;
  /** Shard size limit in bytes (default 5e9, transformers' "5GB"); an index is always written. */
  maxShardBytes?: number;
  /** Replace a non-empty directory (default false). */
  overwrite?: boolean;
}

/** Anything that hands out tensors by name as fresh float32 arrays (a Checkpoint, decoded safetensors bytes). */
export interface TensorReader {
  readonly names: readonly string[];
  info(name: string): { shape: readonly number[] };
  read(name: string): Float32Array;
}
