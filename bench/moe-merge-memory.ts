/**
 * Streaming-memory measurement of `moe-merge` (issue 3): makes a base and
 * three experts of ~1 GB each (float32 safetensors) in a temp dir, merges them
 * into a Mixtral MoE with TIES shared layers in a child process, and compares
 * the child's peak RSS with the bound "3 x the largest tensor + one output shard".
 *
 *   pnpm tsx bench/moe-merge-memory.ts [--size GB per checkpoint (default 1)] [--shard-size MB (default 512)] [--keep]
 *
 * `--size 0.05` is a smoke run. The temp dir is removed at the end unless --keep.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

interface Dims {
  vocab: number;
  hidden: number;
  ffn: number;
  layers: number;
  heads: number;
}

/** Llama dimensions whose float32 checkpoint is about `gb` GB. */
function dimsFor(gb: number): Dims {
  const big = gb >= 0.5;
  const d = big ? { vocab: 16384, hidden: 1024, ffn: 4096, heads: 8 } : { vocab: 4096, hidden: 256, ffn: 1024, heads: 4 };
  const perLayer = 4 * d.hidden * d.hidden + 3 * d.hidden * d.ffn + 2 * d.hidden;
  const fixed = 2 * d.vocab * d.hidden + d.hidden;
  const layers = Math.max(1, Math.round((gb * 1e9) / 4 - fixed) / perLayer);
  return { ...d, layers: Math.max(1, Math.round(layers)) };
}

async function makeCheckpoints(dir: string, dims: Dims, experts: number): Promise<void> {
  const { llamaTensorShapes } = await import('../packages/moe-merge/src/index.js');
  const { saveCheckpoint } = await import('../packages/moe-merge/src/node.js');
  const config = {
    model_type: 'llama', architectures: ['LlamaForCausalLM'], vocab_size: dims.vocab, hidden_size: dims.hidden, intermediate_size: dims.ffn,
    num_hidden_layers: dims.layers, num_attention_heads: dims.heads, num_key_value_heads: dims.heads, head_dim: dims.hidden / dims.heads,
    rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 4096, tie_word_embeddings: false, bos_token_id: 1,
  };
  const shapes = llamaTensorShapes(config as never);
  for (let m = 0; m <= experts; m++) {
    const name = m === 0 ? 'base' : `expert-${m}`;
    let state = 12345;
    let salt = 777 + m;
    function* tensors() {
      for (const [tensor, shape] of shapes) {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(n);
        // base values from one LCG stream; experts add a small expert-specific perturbation
        for (let i = 0; i < n; i++) {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          salt = (Math.imul(salt, 22695477) + 1) >>> 0;
          data[i] = (state / 4294967296 - 0.5) * 0.1 + (m === 0 ? 0 : (salt / 4294967296 - 0.5) * 0.01);
        }
        yield { name: tensor, shape, data };
      }
    }
    await saveCheckpoint(join(dir, name), { config, tensors: tensors() }, { dtype: 'float32', maxShardBytes: 256e6 });
    process.stdout.write(`made ${name}\n`);
  }
}

async function child(): Promise<void> {
  const dir = args[args.indexOf('--child') + 1];
  const shard = flag('--shard-bytes', 512e6);
  const { mergeFromYamlFile } = await import('../packages/moe-merge/src/node.js');
  const before = process.memoryUsage().rss;
  // Live ArrayBuffer bytes are what the merge itself holds; RSS also counts memory the allocator keeps after frees.
  let peakBuffers = process.memoryUsage().arrayBuffers;
  const sampler = setInterval(() => {
    peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers);
  }, 5);
  const t0 = Date.now();
  // The routing report (run after small merges) loads the finished model into tfjs; it is not part of the streaming merge.
  const res = await mergeFromYamlFile(join(dir, 'moe.yaml'), join(dir, 'out'), { maxShardBytes: shard, routingReport: false });
  const seconds = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ peakRss: peak, rssBeforeMerge: before, peakBuffers, seconds, outBytes: res.totalBytes, tensors: res.tensorCount })}\n`);
}

async function main(): Promise<void> {
  if (args.includes('--child')) return child();
  const gb = flag('--size', 1);
  const shardBytes = flag('--shard-size', 512) * 1e6;
  const experts = 3;
  const dims = dimsFor(gb);
  const dir = mkdtempSync(join(tmpdir(), 'moe-merge-memory-'));
  try {
    const t0 = Date.now();
    await makeCheckpoints(dir, dims, experts);
    const makeSeconds = (Date.now() - t0) / 1000;
    const lines = ['base_model: base', 'gate_mode: cheap_embed', 'dtype: bfloat16', 'experts_per_token: 2', 'shared_merge: {method: ties, density: 0.8}', 'experts:'];
    for (let m = 1; m <= experts; m++) lines.push(`  - source_model: expert-${m}`, `    positive_prompt_ids: [[${m}, ${m + 10}, ${m + 20}]]`);
    writeFileSync(join(dir, 'moe.yaml'), `${lines.join('\n')}\n`);
    const self = fileURLToPath(import.meta.url);
    const run = spawnSync(process.execPath, [...process.execArgv, self, '--child', dir, '--shard-bytes', String(shardBytes)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`merge child failed:\n${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { peakRss: number; rssBeforeMerge: number; peakBuffers: number; seconds: number; outBytes: number; tensors: number };
    const params = 2 * dims.vocab * dims.hidden + dims.hidden + dims.layers * (4 * dims.hidden * dims.hidden + 3 * dims.hidden * dims.ffn + 2 * dims.hidden);
    const largest = Math.max(dims.vocab * dims.hidden, dims.hidden * dims.ffn) * 4;
    const bound = 3 * largest + shardBytes;
    const mb = (x: number) => `${(x / 1e6).toFixed(0)} MB`;
    console.log(`checkpoints: base + ${experts} experts, ${mb(params * 4)} each (float32; ${dims.layers} layers, hidden ${dims.hidden}, ffn ${dims.ffn}, vocab ${dims.vocab}), made in ${makeSeconds.toFixed(1)} s`);
    console.log(`merge: TIES d=0.8 shared layers, cheap_embed gates, bf16 output ${mb(r.outBytes)} in ${r.tensors} tensors, shard size ${mb(shardBytes)}, ${r.seconds.toFixed(1)} s`);
    const growth = r.peakRss - r.rssBeforeMerge;
    console.log(`bound: 3 x largest tensor (${mb(largest)} as float32) + one output shard (${mb(shardBytes)}) = ${mb(bound)}`);
    console.log(`peak RSS ${mb(r.peakRss)}: ${r.peakRss <= bound ? 'within' : 'ABOVE'} the bound (ratio ${(r.peakRss / bound).toFixed(2)})`);
    console.log(`peak RSS minus the process's RSS before the merge (node + tfjs, ${mb(r.rssBeforeMerge)}): ${mb(growth)}, ${growth <= bound ? 'within' : 'ABOVE'} the bound (ratio ${(growth / bound).toFixed(2)})`);
    console.log(`peak live ArrayBuffer bytes during the merge (sampled every 5 ms): ${mb(r.peakBuffers)}, ${r.peakBuffers <= bound ? 'within' : 'ABOVE'} the bound (ratio ${(r.peakBuffers / bound).toFixed(2)})`);
    console.log(JSON.stringify({ peakBufferBytes: r.peakBuffers, buffersWithinBound: r.peakBuffers <= bound, sizeGbEach: (params * 4) / 1e9, peakRssBytes: r.peakRss, rssBeforeMergeBytes: r.rssBeforeMerge, mergeGrowthBytes: growth, largestTensorBytes: largest, shardBytes, boundBytes: bound, withinBound: r.peakRss <= bound, growthWithinBound: growth <= bound, mergeSeconds: r.seconds }));
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
