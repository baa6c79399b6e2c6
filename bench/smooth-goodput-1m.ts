/**
 * Issue 7 performance item: every smooth-goodput metric family over a 1M-request trace,
 * timed side by side with a numpy-vectorised Python computation of the vLLM metrics on
 * the same JSONL file (when python3 with numpy is present; we never install it).
 *
 *   pnpm tsx bench/smooth-goodput-1m.ts [--n 1000000] [--keep]
 *
 * The trace is generated in a temp directory (removed afterwards unless --keep).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceTable } from '../packages/smooth-goodput/src/index.js';

// Workspace packages resolve to their sources only under the `@paperkit/source` export
// condition; `pnpm tsx bench/smooth-goodput-1m.ts` does not set it, so re-run with it.
if (!process.execArgv.some((a) => a.includes('@paperkit/source')) && !process.env.SG_BENCH_CHILD) {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const child = spawnSync(tsx, ['--conditions=@paperkit/source', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, SG_BENCH_CHILD: '1' },
  });
  process.exit(child.status ?? 1);
}
const { writeFileAtomic } = await import('../packages/tensor-core/src/io/atomic-write.js');
const { formatTable } = await import('../packages/tensor-core/src/report/table.js');
const { allMetrics, andesQoE, distserveAttainment, etalonFluidity, smoothGoodput, toTraces, vllmMetrics } = await import(
  '../packages/smooth-goodput/src/index.js'
);
const { readTraceTable } = await import('../packages/smooth-goodput/src/node.js');
const { syntheticTraceTable } = await import('./workloads/smooth-goodput.js');

const argv = process.argv.slice(2);
const nArg = argv.indexOf('--n');
const N = nArg >= 0 ? Number(argv[nArg + 1]) : 1_000_000;
const keep = argv.includes('--keep');

const PYTHON = String.raw`
import json, sys, time
import numpy as np
path = sys.argv[1]
t0 = time.perf_counter(); c0 = time.process_time()
arrival, times, counts, ok = [], [], [], []
with open(path) as f:
    for line in f:
        r = json.loads(line)
        tt = r["tokenTimes"]
        arrival.append(r["arrival"]); times.extend(tt); counts.append(len(tt))
        ok.append(r.get("status", "completed") == "completed")
arrival = np.asarray(arrival); t = np.asarray(times); c = np.asarray(counts); ok = np.asarray(ok)
t1 = time.perf_counter(); c1 = time.process_time()
ends = np.cumsum(c); starts = ends - c
sel = ok & (c > 0)
first = t[starts[sel]]; last = t[ends[sel] - 1]; n = c[sel]
ttft = first - arrival[sel]; e2el = last - arrival[sel]
m = n > 1
tpot = (e2el[m] - ttft[m]) / (n[m] - 1)
# ITL: gaps inside each completed request, pooled
gaps = np.diff(t)
inside = np.ones(gaps.shape[0], dtype=bool)
inside[(ends[:-1] - 1)] = False
owner = np.repeat(np.arange(c.shape[0]), c)[1:]
itl = gaps[inside & ok[owner]]
def s(x):
    return {"mean": float(x.mean() * 1000), "median": float(np.median(x) * 1000), "std": float(x.std() * 1000), "p99": float(np.percentile(x, 99) * 1000)}
out = {"ttft": s(ttft), "tpot": s(tpot), "itl": s(itl), "e2el": s(e2el)}
t2 = time.perf_counter(); c2 = time.process_time()
print(json.dumps({"parseSeconds": t1 - t0, "computeSeconds": t2 - t1, "parseCpu": c1 - c0, "computeCpu": c2 - c1, "metrics": out, "numpy": np.__version__}))
`;

async function writeJsonl(path: string, table: TraceTable): Promise<void> {
  const chunks: Buffer[] = [];
  const step = 20_000;
  for (let lo = 0; lo < table.n; lo += step) {
    const part = toTraces({
      ...table,
      n: Math.min(step, table.n - lo),
      ids: table.ids.slice(lo, lo + step),
      arrival: table.arrival.subarray(lo),
      offsets: table.offsets.subarray(lo),
      tokenCount: table.tokenCount.subarray(lo),
      status: table.status.subarray(lo),
      droppedAt: table.droppedAt.subarray(lo),
      promptTokens: table.promptTokens.subarray(lo),
      priority: table.priority.subarray(lo),
    });
    chunks.push(Buffer.from(part.map((r) => JSON.stringify(r)).join('\n') + '\n'));
  }
  await writeFileAtomic(path, Buffer.concat(chunks));
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Wall-clock and CPU seconds of `f` (CPU time is steadier when other jobs share the cores). */
async function timed<T>(f: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, wall: seconds(t0), cpu: (c.user + c.system) / 1e6 };
}
const cell = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(2)} / ${t.cpu.toFixed(2)}`;

const dir = mkdtempSync(join(tmpdir(), 'sg-1m-'));
const file = join(dir, 'trace.jsonl');
try {
  let t0 = performance.now();
  const generated = await syntheticTraceTable({ n: N, seed: 0 });
  await writeJsonl(file, generated);
  const tokens = generated.eventTimes.length;
  console.log(`generated ${N.toLocaleString()} requests, ${tokens.toLocaleString()} tokens, ${(statSync(file).size / 1e6).toFixed(0)} MB JSONL in ${seconds(t0).toFixed(1)} s (${file})`);

  const read = await timed(() => readTraceTable(file));
  const table = read.value;
  const vllm = await timed(() => vllmMetrics(table));
  const ours = vllm.value;
  const all = await timed(() => allMetrics(table, { goodput: { ttft: 500, tpot: 50 } }));
  const rows: string[][] = [
    ['read + validate JSONL (streaming)', cell(read), '-'],
    ['vLLM TTFT/TPOT/ITL/E2EL summaries', cell(vllm), '-'],
    ['  smooth goodput + idle latency + reading goodput', cell(await timed(() => smoothGoodput(table))), ''],
    ['  DistServe attainment', cell(await timed(() => distserveAttainment(table))), ''],
    ['  Andes QoE', cell(await timed(() => andesQoE(table))), ''],
    ['  Etalon fluidity + fluid token rate', cell(await timed(() => etalonFluidity(table))), ''],
    ['all metric families (allMetrics)', cell(all), ''],
  ];
  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  let comparison = '';
  if (hasNumpy) {
    const script = join(dir, 'vllm_metrics.py');
    writeFileSync(script, PYTHON);
    const py = spawnSync('python3', [script, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (py.status === 0) {
      const res = JSON.parse(py.stdout.trim().split('\n').pop()!);
      rows[0][2] = cell({ wall: res.parseSeconds, cpu: res.parseCpu });
      rows[1][2] = cell({ wall: res.computeSeconds, cpu: res.computeCpu });
      let worst = 0;
      for (const k of ['ttft', 'tpot', 'itl', 'e2el'] as const)
        for (const s of ['mean', 'median', 'std', 'p99'] as const) {
          const a = ours[k][s];
          const b = res.metrics[k][s];
          worst = Math.max(worst, Math.abs(a - b) / Math.max(1e-12, Math.abs(b)));
        }
      comparison = `numpy ${res.numpy}: largest relative difference of the 16 vLLM numbers ours vs numpy = ${worst.toExponential(2)}`;
    } else comparison = `python3 failed: ${py.stderr.slice(-500)}`;
  } else comparison = 'python3 with numpy not found: numpy column left empty (we do not install it)';

  console.log(`\n${formatTable(['step', 'ours: wall / CPU s', 'python + numpy: wall / CPU s'], rows)}\n`);
  console.log(comparison);
  console.log(
    `smooth goodput ${all.value.smoothGoodput.toFixed(1)} tok/s, goodputReq ${all.value.goodputReq.toFixed(2)} req/s, ` +
      `P99 ITL ${all.value.vllm.itl.p99.toFixed(1)} ms, Etalon fluidity ${all.value.etalonFluidity.toFixed(3)}, Andes QoE ${all.value.andesQoE.toFixed(3)}`,
  );
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
