/**
 * Node-only helpers (file paths): read an environment-labelled JSONL training file, one
 * {"x": number[], "y": 0 | 1, "env": id} object per line, into per-environment tensors.
 * Every bad line is reported as a FormatError naming the file and line.
 */
import * as tf from '@tensorflow/tfjs';
import { FormatError } from '@paperkit/tensor-core';
import { readJsonl } from '@paperkit/tensor-core/node';
import type { Env } from './environments.js';

export interface JsonlEnvironments {
  envs: Env[];
  /** The env id of each entry of envs, ascending. */
  envIds: number[];
  inputDim: number;
  dispose(): void;
}

export async function readTrainingJsonl(path: string): Promise<JsonlEnvironments> {
  const groups = new Map<number, { x: number[]; y: number[] }>();
  let dim = -1;
  for await (const record of readJsonl(path)) {
    const { value, line } = record as unknown as { value: Record<string, unknown>; line: number };
    const row = value;
    if (!row || typeof row !== 'object') throw new FormatError(path, 'expected a JSON object {x, y, env}', line);
    const x = row.x;
    if (!Array.isArray(x) || x.length === 0 || !x.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new FormatError(path, '"x" must be a non-empty array of finite numbers', line);
    }
    if (dim < 0) dim = x.length;
    else if (x.length !== dim) throw new FormatError(path, `"x" has ${x.length} numbers, the first row had ${dim}`, line);
    if (row.y !== 0 && row.y !== 1) throw new FormatError(path, `"y" must be 0 or 1, got ${JSON.stringify(row.y)}`, line);
    const env = row.env ?? 0;
    if (!Number.isInteger(env)) throw new FormatError(path, `"env" must be an integer id, got ${JSON.stringify(row.env)}`, line);
    const id = env as number;
    if (!groups.has(id)) groups.set(id, { x: [], y: [] });
    const g = groups.get(id)!;
    g.x.push(...(x as number[]));
    g.y.push(row.y);
  }
  if (dim < 0) throw new FormatError(path, 'no rows');
  const envIds = [...groups.keys()].sort((a, b) => a - b);
  const envs = envIds.map((id) => {
    const g = groups.get(id)!;
    return { x: tf.tensor2d(g.x, [g.y.length, dim]), y: tf.tensor2d(g.y, [g.y.length, 1]) };
  });
  return { envs, envIds, inputDim: dim, dispose: () => envs.forEach((e) => tf.dispose([e.x, e.y])) };
}
