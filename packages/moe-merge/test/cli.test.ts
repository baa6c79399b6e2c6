import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '@paperkit/tensor-core';
import { buildProgram, parseSize } from '../src/cli.js';
import { formatInspect, inspectCheckpoint } from '../src/inspect.js';
import { saveTinyLlama } from './helpers.js';

let dir: string;
beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'moe-cli-'));
  await saveTinyLlama(join(dir, 'base'));
  await saveTinyLlama(join(dir, 'e0'), { noise: 0.05, seed: 1 });
  await saveTinyLlama(join(dir, 'e1'), { noise: 0.05, seed: 2 });
  writeFileSync(
    join(dir, 'moe.yaml'),
    'base_model: base\ngate_mode: cheap_embed\ndtype: bfloat16\nshared_merge: {method: ties, density: 0.8}\nexperts:\n  - source_model: e0\n    positive_prompts: [[1, 2, 3]]\n  - source_model: e1\n    positive_prompts: [[7, 8, 9]]\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const warn = vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    await buildProgram().exitOverride().parseAsync(argv, { from: 'user' });
  } finally {
    log.mockRestore();
    warn.mockRestore();
  }
  return lines.join('\n');
}

describe('moe-merge CLI', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const out = join(dir, 'dry');
    const text = await run(join(dir, 'moe.yaml'), out, '--dry-run');
    expect(text).toMatch(/shared tensors: ties density 0.8/);
    expect(text).toMatch(/output: 29 tensors/); // 3 + 2 * (7 + 3 * 2)
    expect(existsSync(out)).toBe(false);
  });
  it('merges a YAML into a Mixtral directory, with flags overriding the YAML, and inspect lists it', async () => {
    const out = join(dir, 'moe');
    await run(join(dir, 'moe.yaml'), out, '--shared-merge', 'dare_ties', '--lambda', '0.5', '--shard-size', '10kB');
    const info = inspectCheckpoint(out);
    expect(info.rows.length).toBe(29);
    expect(info.rows.every((r) => r.dtype === 'BF16')).toBe(true);
    expect(info.config?.model_type).toBe('mixtral');
    const text = await run('inspect', out);
    expect(text).toMatch(/model\.layers\.1\.block_sparse_moe\.experts\.1\.w2\.weight/);
    expect(text).toMatch(/num_local_experts=2/);
    expect(formatInspect(inspectCheckpoint(join(dir, 'base', 'model.safetensors')))).toMatch(/12 tensors|21 tensors/);
  });
  it('dense merges every tensor into a Llama checkpoint', async () => {
    const out = join(dir, 'dense');
    await run('dense', join(dir, 'moe.yaml'), out);
    expect(inspectCheckpoint(out).config?.model_type).toBe('llama');
  });
  it('tokenises text prompts with the base model\'s local tokenizer.json', async () => {
    const vocab: Record<string, number> = { '<unk>': 0 };
    ['add', 'two', 'numbers', 'sort', 'the', 'list', 'please'].forEach((w, i) => (vocab[w] = i + 2));
    writeFileSync(join(dir, 'base', 'tokenizer.json'), JSON.stringify({ model: { type: 'WordLevel', vocab, unk_token: '<unk>' } }));
    writeFileSync(
      join(dir, 'text.yaml'),
      'base_model: base\ngate_mode: hidden\nexperts:\n  - source_model: e0\n    positive_prompts: ["add two numbers please"]\n  - source_model: e1\n    positive_prompts: ["sort the list"]\n',
    );
    const text = await run(join(dir, 'text.yaml'), join(dir, 'text-out'), '--dry-run');
    expect(text).toMatch(/expert 0: .*\(1 positive \/ 0 negative prompts\)/);
    expect(text).toMatch(/router: gate_mode hidden, 2 experts, top-2/);
  });
  it('gate_mode random with text prompts needs no tokenizer.json (mergekit-moe accepts it)', async () => {
    writeFileSync(
      join(dir, 'random.yaml'),
      'base_model: e1\ngate_mode: random\ndtype: float32\nexperts:\n  - source_model: e0\n    positive_prompts: ["solve for x"]\n  - source_model: e1\n    positive_prompts: ["write a loop"]\n',
    );
    const out = join(dir, 'random-out');
    const text = await run(join(dir, 'random.yaml'), out);
    expect(text).toMatch(/prompts unused by gate_mode random/);
    expect(inspectCheckpoint(out).config?.model_type).toBe('mixtral');
  });
  it('--dry-run prints the expected peak memory; the real run prints the measured peak', async () => {
    const dry = await run(join(dir, 'moe.yaml'), join(dir, 'mem-dry'), '--dry-run');
    expect(dry).toMatch(/expected peak memory: [\d.]+ MB .*streaming [\d.]+ MB: 3 x largest tensor/);
    expect(dry).not.toMatch(/measured peak/);
    const real = await run(join(dir, 'moe.yaml'), join(dir, 'mem-real'));
    expect(real).toMatch(/measured peak memory: RSS [\d.]+ (MB|GB) \(process peak\)/);
  });
  it('parses shard sizes', () => {
    expect(parseSize('5GB')).toBe(5e9);
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('500MB')).toBe(5e8);
    expect(() => parseSize('lots')).toThrow();
  });
});
