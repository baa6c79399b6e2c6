import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@paperkit/tensor-core';
import { cli, parseSize } from '../src/cli-program.js';
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

/** cli.main in-process: exit code, stdout and stderr. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli.main(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('moe-merge CLI (in-process via cli.main)', () => {
  it('--dry-run prints the plan and the expected peak memory, and writes nothing', async () => {
    const out = join(dir, 'dry');
    const r = await run(join(dir, 'moe.yaml'), out, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/shared tensors: ties density 0.8/);
    expect(r.out).toMatch(/output: 29 tensors/); // 3 + 2 * (7 + 3 * 2)
    expect(r.out).toMatch(/expected peak memory: [\d.]+ MB .*streaming [\d.]+ MB: 3 x largest tensor/);
    expect(r.out).not.toMatch(/measured peak/);
    expect(existsSync(out)).toBe(false);
  });
  it('merges a YAML into a Mixtral directory (flags override the YAML), reports the measured peak, and inspect lists it', async () => {
    const out = join(dir, 'moe');
    const r = await run(join(dir, 'moe.yaml'), out, '--shared-merge', 'dare_ties', '--lambda', '0.5', '--shard-size', '10kB');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/measured peak memory: RSS [\d.]+ (MB|GB) \(process peak\)/);
    const info = inspectCheckpoint(out);
    expect(info.rows.length).toBe(29);
    expect(info.rows.every((row) => row.dtype === 'BF16')).toBe(true);
    expect(info.config?.model_type).toBe('mixtral');
    const text = await run('inspect', out);
    expect(text.out).toMatch(/model\.layers\.1\.block_sparse_moe\.experts\.1\.w2\.weight/);
    expect(text.out).toMatch(/num_local_experts=2/);
    expect(formatInspect(inspectCheckpoint(join(dir, 'base', 'model.safetensors')))).toMatch(/12 tensors|21 tensors/);
  });
  it('runs tfjs on the backend initBackend picks (wasm here), not the cpu default', async () => {
    await tf.setBackend('cpu');
    const r = await run(join(dir, 'moe.yaml'), join(dir, 'backend-dry'), '--dry-run', '--gate-mode', 'hidden');
    expect(r.code).toBe(0);
    expect(tf.getBackend()).not.toBe('cpu');
  });
  it('dense merges every tensor into a Llama checkpoint', async () => {
    const r = await run('dense', join(dir, 'moe.yaml'), join(dir, 'dense'));
    expect(r.code).toBe(0);
    expect(inspectCheckpoint(join(dir, 'dense')).config?.model_type).toBe('llama');
  });
  it("tokenises text prompts with the base model's local tokenizer.json", async () => {
    const vocab: Record<string, number> = { '<unk>': 0 };
    ['add', 'two', 'numbers', 'sort', 'the', 'list', 'please'].forEach((w, i) => (vocab[w] = i + 2));
    writeFileSync(join(dir, 'base', 'tokenizer.json'), JSON.stringify({ model: { type: 'WordLevel', vocab, unk_token: '<unk>' } }));
    writeFileSync(
      join(dir, 'text.yaml'),
      'base_model: base\ngate_mode: hidden\nexperts:\n  - source_model: e0\n    positive_prompts: ["add two numbers please"]\n  - source_model: e1\n    positive_prompts: ["sort the list"]\n',
    );
    const r = await run(join(dir, 'text.yaml'), join(dir, 'text-out'), '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/expert 0: .*\(1 positive \/ 0 negative prompts\)/);
    expect(r.out).toMatch(/router: gate_mode hidden, 2 experts, top-2/);
  });
  it('gate_mode random with text prompts needs no tokenizer.json (mergekit-moe accepts it)', async () => {
    writeFileSync(
      join(dir, 'random.yaml'),
      'base_model: e1\ngate_mode: random\ndtype: float32\nexperts:\n  - source_model: e0\n    positive_prompts: ["solve for x"]\n  - source_model: e1\n    positive_prompts: ["write a loop"]\n',
    );
    const out = join(dir, 'random-out');
    const r = await run(join(dir, 'random.yaml'), out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/prompts unused by gate_mode random/);
    expect(inspectCheckpoint(out).config?.model_type).toBe('mixtral');
    // The same config with hidden gates does need the tokenizer (e1 has none): a clear exit-2 error.
    const hidden = await run(join(dir, 'random.yaml'), join(dir, 'random-hidden'), '--gate-mode', 'hidden');
    expect(hidden.code).toBe(2);
    expect(hidden.err).toMatch(/tokenizer\.json not found/);
  });
  it('exit 2 for bad input (missing file, unknown flag, bad size), 1 for other failures', async () => {
    const missing = await run(join(dir, 'nope.yaml'), join(dir, 'x'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.yaml: config file not found/);
    expect((await run(join(dir, 'moe.yaml'), join(dir, 'x'), '--frobnicate')).code).toBe(2);
    expect((await run(join(dir, 'moe.yaml'), join(dir, 'x'), '--shard-size', 'lots')).code).toBe(2);
    expect((await run(join(dir, 'moe.yaml'))).code).toBe(2); // no out and no --dry-run
    // An output path below a regular file cannot be created: an I/O failure, not bad input.
    const io = await run(join(dir, 'moe.yaml'), join(dir, 'moe.yaml', 'sub'));
    expect(io.code).toBe(1);
  });
  it('--help lists the commands; reproduce --help shows its flags unchanged', async () => {
    expect((await run('--help')).out).toMatch(/merge[\s\S]*dense[\s\S]*inspect[\s\S]*reproduce/);
    const help = await run('reproduce', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--quick[\s\S]*--seeds[\s\S]*--json[\s\S]*--plot[\s\S]*--spec-steps/);
  });
  it('parses shard sizes', () => {
    expect(parseSize('5GB')).toBe(5e9);
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('500MB')).toBe(5e8);
    expect(() => parseSize('lots')).toThrow(/--shard-size/);
  });
});
