import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, OptionError, ShapeError, FormatError } from '@paperkit/tensor-core';
import { buildMoE, type BuildMoEConfig } from '../src/build-moe.js';
import { loadCheckpoint } from '../src/checkpoint.js';
import { loadMoEConfig } from '../src/load-moe-config.js';
import { loadMixtral, loadTinyLlama } from '../src/node-models.js';
import { MixtralModel } from '../src/mixtral-forward.js';
import { TinyLlama } from '../src/llama/tiny-llama.js';
import { ids, saveTinyLlama } from './helpers.js';

let dir: string;
const P = [[[3, 4, 5, 6]], [[9, 9, 2, 9]], [[20, 21, 7, 30]]];

beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'moe-build-'));
  await saveTinyLlama(join(dir, 'base'));
  for (let i = 0; i < 3; i++) await saveTinyLlama(join(dir, `e${i}`), { noise: 0.05, seed: i + 1 });
  for (let i = 0; i < 3; i++) await saveTinyLlama(join(dir, `same${i}`));
  await saveTinyLlama(join(dir, 'wide'), { config: { hidden_size: 48, head_dim: 12 } });
  await saveTinyLlama(join(dir, 'biased'), { config: { attention_bias: true } });
  await saveTinyLlama(join(dir, 'kv4'), { config: { num_key_value_heads: 4 } });
  await saveTinyLlama(join(dir, 'qwen'), { config: { model_type: 'qwen2' as never } });
  for (const name of ['tbase', 't0', 't1']) await saveTinyLlama(join(dir, name), { noise: name === 'tbase' ? 0 : 0.05, seed: name.length, config: { tie_word_embeddings: true } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cfg = (over: Partial<BuildMoEConfig> = {}, experts = ['e0', 'e1', 'e2']): BuildMoEConfig => ({
  baseModel: join(dir, 'base'),
  experts: experts.map((e, i) => ({ sourceModel: join(dir, e), positivePromptIds: P[i % 3] })),
  gateMode: 'cheap_embed',
  dtype: 'float32',
  ...over,
});

describe('Mixtral structure (spec section 7)', () => {
  it('writes exactly 3 + L(7 + 3E) tensors with the right names, shapes and config', async () => {
    const out = join(dir, 'moe-structure');
    const res = await buildMoE(cfg({ sharedMerge: { method: 'ties', density: 0.8 }, gateMode: 'hidden' }), { out });
    const ck = await loadCheckpoint(out);
    const L = 2;
    const E = 3;
    expect(ck.names.length).toBe(3 + L * (7 + 3 * E));
    expect(res.tensorCount).toBe(ck.names.length);
    expect(ck.info('model.layers.1.block_sparse_moe.gate.weight').shape).toEqual([3, 32]);
    expect(ck.info('model.layers.0.block_sparse_moe.experts.2.w1.weight').shape).toEqual([64, 32]);
    expect(ck.info('model.layers.0.block_sparse_moe.experts.2.w2.weight').shape).toEqual([32, 64]);
    expect(ck.info('model.layers.0.block_sparse_moe.experts.2.w3.weight').shape).toEqual([64, 32]);
    expect(ck.config).toMatchObject({ model_type: 'mixtral', architectures: ['MixtralForCausalLM'], num_local_experts: 3, num_experts_per_tok: 2, rope_theta: 10000 });
    // expert FFNs are copied exactly: w1 of expert 1 == gate_proj of e1
    const e1 = await loadCheckpoint(join(dir, 'e1'));
    expect(Array.from(ck.read('model.layers.1.block_sparse_moe.experts.1.w1.weight'))).toEqual(Array.from(e1.read('model.layers.1.mlp.gate_proj.weight')));
    e1.close();
    ck.close();
  });

  it('has one tensor fewer (no lm_head) when the embeddings are tied', async () => {
    const out = join(dir, 'moe-tied');
    await buildMoE({ ...cfg(), baseModel: join(dir, 'tbase'), experts: ['t0', 't1'].map((e, i) => ({ sourceModel: join(dir, e), positivePromptIds: P[i] })) }, { out });
    const ck = await loadCheckpoint(out);
    expect(ck.names.length).toBe(3 + 2 * (7 + 3 * 2) - 1);
    expect(ck.has('lm_head.weight')).toBe(false);
    expect(ck.config.tie_word_embeddings).toBe(true);
    ck.close();
  });

  it('shards with an index when over the shard size, and the MoE forward reads it', async () => {
    const out = join(dir, 'moe-sharded');
    await buildMoE(cfg({ dtype: 'bfloat16' }), { out, maxShardBytes: 20_000 });
    expect(existsSync(join(out, 'model.safetensors.index.json'))).toBe(true);
    const shards = readdirSync(out).filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f));
    expect(shards.length).toBeGreaterThan(1);
    const m = await loadMixtral(out);
    const y = m.logits(ids([[1, 2, 3]]));
    expect(y.shape).toEqual([1, 3, 32]);
    y.dispose();
    m.dispose();
  });
});

describe('identities (spec section 7)', () => {
  it('experts identical to the base: shared tensors equal the base and MoE forward equals the dense forward for any gate', async () => {
    const dense = await loadTinyLlama(join(dir, 'base'));
    const x = ids([[0, 5, 9, 13, 2, 31, 7, 7]]);
    const ref = dense.logits(x);
    for (const [k, gateMode, method] of [[1, 'random', 'ties'], [2, 'random', 'dare_ties'], [3, 'uniform_random', 'average']] as const) {
      const out = join(dir, `moe-id-${k}`);
      await buildMoE(cfg({ gateMode, expertsPerToken: k, sharedMerge: { method, density: 0.8, lambda: 1 / 3 } }, ['same0', 'same1', 'same2']), { out });
      const ck = await loadCheckpoint(out);
      const base = await loadCheckpoint(join(dir, 'base'));
      for (const name of ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.norm.weight']) {
        const a = ck.read(name);
        const b = base.read(name);
        a.forEach((v, j) => expect(v).toBeCloseTo(b[j], 6));
      }
      ck.close();
      base.close();
      const moe = await loadMixtral(out);
      const y = moe.logits(x);
      expect(tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]).toBeLessThan(1e-5);
      y.dispose();
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) tf.dispose(Object.values(moe.forward(x, { routing: true })));
      expect(tf.memory().numTensors).toBe(tensors); // the MoE forward leaks nothing
      moe.dispose();
    }
    tf.dispose([x, ref]);
    dense.dispose();
  });
});

describe('caught before writing (spec section 7): the out dir does not exist afterwards', () => {
  const cases: [string, () => BuildMoEConfig, unknown][] = [
    ['k > E', () => cfg({ expertsPerToken: 4 }), OptionError],
    ['identical prompts for every expert', () => ({ ...cfg(), experts: ['e0', 'e1', 'e2'].map((e) => ({ sourceModel: join(dir, e), positivePromptIds: [[1, 2, 3]] })) }), OptionError],
    ['width mismatch (suggests the heterogeneous path)', () => cfg({}, ['e0', 'wide', 'e2']), ShapeError],
    ['attention_bias', () => cfg({}, ['e0', 'biased', 'e2']), OptionError],
    ['KV-head mismatch (suggests the heterogeneous path)', () => cfg({}, ['e0', 'kv4', 'e2']), ShapeError],
    ['unsupported model_type', () => cfg({}, ['e0', 'qwen', 'e2']), OptionError],
    ['missing path', () => cfg({}, ['e0', 'nope', 'e2']), FormatError],
  ];
  for (const [label, make, type] of cases) {
    it(label, async () => {
      const out = join(dir, `fail-${label.replace(/\W+/g, '-')}`);
      const err = await buildMoE(make(), { out }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type as new () => Error);
      if (label.includes('heterogeneous')) expect(String((err as Error).message)).toMatch(/ProjectorMoE/);
      if (label.startsWith('missing')) expect(String((err as Error).message)).toMatch(/nope/);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a failure in the middle of writing leaves no output directory', async () => {
    const out = join(dir, 'fail-midway');
    const c = cfg();
    // residual_scale is applied while streaming; a NaN check does not exist, so break a read instead:
    const broken = join(dir, 'e-broken');
    await saveTinyLlama(broken, { noise: 0.05, seed: 9 });
    const bytes = Buffer.from(readFileSync(join(broken, 'model.safetensors')));
    writeFileSync(join(broken, 'model.safetensors'), bytes.subarray(0, bytes.length - 64));
    c.experts[2].sourceModel = broken;
    await expect(buildMoE(c, { out })).rejects.toThrow();
    expect(existsSync(out)).toBe(false);
  });
});

describe('YAML config', () => {
  it('parses mergekit-moe YAML with shared_merge and relative paths', () => {
    const yamlPath = join(dir, 'cfg.yaml');
    writeFileSync(
      yamlPath,
      `base_model: base\ngate_mode: hidden\ndtype: bf16\nexperts_per_token: 1\nshared_merge:\n  method: dare_ties\n  density: 0.8\n  lambda: 0.3333\nexperts:\n  - source_model: e0\n    positive_prompts: [[3, 4, 5]]\n  - source_model: e1\n    positive_prompt_ids: [[9, 9, 2]]\n    negative_prompts: [[3, 4, 5]]\n`,
    );
    const c = loadMoEConfig(yamlPath);
    expect(c.baseModel).toBe(join(dir, 'base'));
    expect(c.dtype).toBe('bfloat16');
    expect(c.expertsPerToken).toBe(1);
    expect(c.sharedMerge).toMatchObject({ method: 'dare_ties', density: 0.8 });
    expect(c.experts[0].positivePromptIds).toEqual([[3, 4, 5]]);
    expect(c.experts[1].negativePromptIds).toEqual([[3, 4, 5]]);
  });
});

describe('routing report (spec section 8)', () => {
  it('reports, per layer, the share of each expert\'s own prompt tokens routed to it', async () => {
    const out = join(dir, 'moe-report');
    const res = await buildMoE(cfg({ gateMode: 'hidden', expertsPerToken: 1 }), { out });
    expect(res.routing?.share.length).toBe(2);
    expect(res.routing?.chance).toBeCloseTo(1 / 3, 6);
    for (const row of res.routing!.share) for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
    expect(res.plan.some((l) => l.startsWith('routing report'))).toBe(true);
    const none = await buildMoE(cfg({ gateMode: 'random' }), { out: join(dir, 'moe-report-random') });
    expect(none.routing).toBeUndefined();
  });
});
