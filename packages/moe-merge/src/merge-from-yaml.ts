/**
 * What `moe-merge config.yaml out/` and `moe-merge dense config.yaml out/` do,
 * as functions: the reproduction calls these so it evaluates files made by
 * exactly the CLI's code path.
 */
import { buildDense } from './build-dense.js';
import { buildMoE } from './build-moe.js';
import type { CheckpointDType } from './checkpoint-types.js';
import { loadMoEConfig } from './load-moe-config.js';
import type { BuildMoEConfig, BuildMoEResult } from './merge-config.js';
import type { GateMode } from './gates.js';
import { OptionError } from '@paperkit/tensor-core';
import type { SharedMergeConfig } from './merge-config.js';

/** CLI flags that override the YAML. */
export interface MergeOverrides {
  sharedMerge?: Partial<SharedMergeConfig>;
  gateMode?: GateMode;
  dtype?: CheckpointDType;
  expertsPerToken?: number;
  seed?: number;
}

function applyOverrides(cfg: BuildMoEConfig, o: MergeOverrides): BuildMoEConfig {
  const shared = o.sharedMerge && Object.keys(o.sharedMerge).length > 0 ? { ...(cfg.sharedMerge ?? { method: 'base' }), ...o.sharedMerge } : cfg.sharedMerge;
  return {
    ...cfg,
    sharedMerge: shared as SharedMergeConfig | undefined,
    gateMode: o.gateMode ?? cfg.gateMode,
    dtype: o.dtype ?? cfg.dtype,
    expertsPerToken: o.expertsPerToken ?? cfg.expertsPerToken,
    seed: o.seed ?? cfg.seed,
  };
}

export async function mergeFromYamlFile(
  configPath: string,
  out: string | undefined,
  options: { dryRun?: boolean; maxShardBytes?: number; overwrite?: boolean; overrides?: MergeOverrides; routingReport?: boolean; log?: (line: string) => void } = {},
): Promise<BuildMoEResult> {
  const cfg = applyOverrides(loadMoEConfig(configPath), options.overrides ?? {});
  return buildMoE(cfg, {
    out, dryRun: options.dryRun, maxShardBytes: options.maxShardBytes, overwrite: options.overwrite, routingReport: options.routingReport, log: options.log,
  });
}

/** Dense merge: the YAML's `shared_merge` is applied to every tensor (FFNs too). */
export async function denseFromYamlFile(
  configPath: string,
  out: string,
  options: { maxShardBytes?: number; overwrite?: boolean; overrides?: MergeOverrides } = {},
): Promise<{ out: string; tensorCount: number }> {
  const cfg = applyOverrides(loadMoEConfig(configPath), options.overrides ?? {});
  if (!cfg.sharedMerge || cfg.sharedMerge.method === 'base') throw new OptionError('shared_merge.method', 'a merge method for the dense merge (average, task_arithmetic, ties, dare_linear, dare_ties)', cfg.sharedMerge?.method ?? 'base');
  return buildDense({ baseModel: cfg.baseModel, experts: cfg.experts, merge: cfg.sharedMerge, dtype: cfg.dtype ?? 'float32', seed: cfg.seed }, { out, ...options });
}
