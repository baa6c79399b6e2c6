/**
 * mergekit-moe's YAML (base_model, gate_mode, dtype, experts_per_token,
 * experts: [{source_model, positive_prompts, negative_prompts}]) plus our
 * `shared_merge: {method, density, lambda}` key (spec section 6, CLI).
 * Extensions: `positive_prompt_ids` / `negative_prompt_ids` (or prompts given
 * as lists of ints), `tokenizer`, `seed`, `residual_scale`, `noise_scale`.
 * Relative paths are resolved against the YAML file's directory (`loadMoEConfig`
 * in `./node`) or a given base. Browser-safe: text in, a config object out.
 */
import { parseDocument } from 'yaml';
import { FormatError, OptionError } from '@paperkit/tensor-core';
import type { BuildMoEConfig, ExpertConfig, SharedMergeConfig, SharedMergeMethod } from './merge-config.js';
import { checkSize, checkValueDepth, checkYamlNesting, CONFIG_YAML_MAX_BYTES, CONFIG_YAML_MAX_DEPTH } from './format-limits.js';
import { parseDType } from './checkpoint-types.js';
import type { GateMode } from './gates.js';

const TOP_KEYS = new Set(['base_model', 'gate_mode', 'dtype', 'experts_per_token', 'experts', 'shared_merge', 'tokenizer', 'seed', 'architecture']);
const EXPERT_KEYS = new Set(['source_model', 'positive_prompts', 'negative_prompts', 'positive_prompt_ids', 'negative_prompt_ids', 'residual_scale', 'noise_scale']);

function idsList(value: unknown, where: string): number[][] {
  if (!Array.isArray(value) || !value.every((p) => Array.isArray(p) && p.every((x) => Number.isInteger(x)))) {
    throw new OptionError(where, 'a list of token-id lists, e.g. [[1, 5, 9]]', value);
  }
  return value as number[][];
}

/** Split a prompts list into text prompts and token-id prompts. */
function prompts(value: unknown, where: string): { text: string[]; ids: number[][] } {
  if (value === undefined || value === null) return { text: [], ids: [] };
  if (!Array.isArray(value)) throw new OptionError(where, 'a list of prompts (strings or token-id lists)', value);
  const text: string[] = [];
  const ids: number[][] = [];
  value.forEach((p, i) => {
    if (typeof p === 'string') text.push(p);
    else ids.push(...idsList([p], `${where}[${i}]`));
  });
  return { text, ids };
}

/** Absolute in POSIX or Windows spelling (`/x`, `\\server\x`, `C:\x`, `C:/x`). */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** `dir` + `p` without Node's path module (the separator of `dir`; `p` kept as written when absolute). */
export function joinPath(dir: string, p: string): string {
  if (isAbsolutePath(p)) return p;
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  const parts = dir.split(/[\\/]/);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  for (const seg of p.split(/[\\/]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..' && parts[parts.length - 1] !== '') parts.pop();
    else parts.push(seg);
  }
  return parts.join(sep) || sep;
}

/**
 * Parse mergekit-moe YAML text. Relative paths are joined to `baseDir` (a
 * string), mapped by a function (`loadMoEConfig` passes Node's `path.resolve`),
 * or kept as written (undefined).
 */
export function parseMoEConfig(text: string, baseDir?: string | ((path: string) => string), source = '<config.yaml>'): BuildMoEConfig {
  let raw: unknown;
  try {
    checkSize(text.length, CONFIG_YAML_MAX_BYTES, source);
    checkYamlNesting(text, CONFIG_YAML_MAX_DEPTH, source);
    // Errors and warnings (unresolved tags, ambiguous anchors) both fail: a merge config has no use for either,
    // and the library would otherwise print its warnings through process.emitWarning.
    const doc = parseDocument(text, { logLevel: 'silent', uniqueKeys: true });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw new FormatError(source, `not valid YAML (${problem.message.split('\n')[0]})`);
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError(source, `not valid YAML (${(err as Error).message})`);
  }
  checkValueDepth(raw, CONFIG_YAML_MAX_DEPTH, source);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FormatError(source, 'expected a YAML mapping at the top level');
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!TOP_KEYS.has(key)) throw new FormatError(source, `unknown key ${JSON.stringify(key)} (known: ${[...TOP_KEYS].join(', ')})`);
  const path = (v: unknown, where: string) => {
    if (typeof v !== 'string' || v.length === 0) throw new OptionError(where, 'a local checkpoint directory path', v);
    if (typeof baseDir === 'function') return baseDir(v);
    return baseDir === undefined ? v : joinPath(baseDir, v);
  };
  if (!Array.isArray(r.experts) || r.experts.length === 0) throw new OptionError('experts', 'a non-empty list of {source_model, positive_prompts}', r.experts);
  const experts: ExpertConfig[] = r.experts.map((e: unknown, i: number) => {
    if (typeof e !== 'object' || e === null) throw new OptionError(`experts[${i}]`, 'a mapping with source_model', e);
    const x = e as Record<string, unknown>;
    for (const key of Object.keys(x)) if (!EXPERT_KEYS.has(key)) throw new FormatError(source, `unknown key ${JSON.stringify(key)} in experts[${i}]`);
    const pos = prompts(x.positive_prompts, `experts[${i}].positive_prompts`);
    const neg = prompts(x.negative_prompts, `experts[${i}].negative_prompts`);
    return {
      sourceModel: path(x.source_model, `experts[${i}].source_model`),
      positivePrompts: pos.text,
      negativePrompts: neg.text,
      positivePromptIds: [...pos.ids, ...(x.positive_prompt_ids === undefined ? [] : idsList(x.positive_prompt_ids, `experts[${i}].positive_prompt_ids`))],
      negativePromptIds: [...neg.ids, ...(x.negative_prompt_ids === undefined ? [] : idsList(x.negative_prompt_ids, `experts[${i}].negative_prompt_ids`))],
      residualScale: typeof x.residual_scale === 'number' ? x.residual_scale : undefined,
      noiseScale: typeof x.noise_scale === 'number' ? x.noise_scale : undefined,
    };
  });
  let sharedMerge: SharedMergeConfig | undefined;
  if (r.shared_merge !== undefined) {
    const s = r.shared_merge as Record<string, unknown>;
    if (typeof s === 'string') sharedMerge = { method: s as SharedMergeMethod };
    else if (typeof s === 'object' && s !== null) {
      sharedMerge = {
        method: s.method as SharedMergeMethod,
        density: s.density as number | undefined,
        lambda: (s.lambda ?? s.weight) as number | undefined,
        normalize: s.normalize as boolean | undefined,
        consensus: s.consensus as 'sum' | 'count' | undefined,
      };
    } else throw new OptionError('shared_merge', '{method, density, lambda}', s);
  }
  return {
    baseModel: path(r.base_model, 'base_model'),
    experts,
    gateMode: (r.gate_mode as GateMode | undefined) ?? 'hidden',
    expertsPerToken: r.experts_per_token as number | undefined,
    dtype: r.dtype === undefined ? undefined : parseDType(r.dtype),
    sharedMerge,
    seed: r.seed as number | undefined,
    tokenizer: r.tokenizer === undefined ? undefined : path(r.tokenizer, 'tokenizer'),
  };
}

