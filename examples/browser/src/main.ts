/**
 * The page: picks a backend with tensor-core's initBackend (webgpu, webgl,
 * wasm, cpu; `?backend=wasm` forces one), then runs the three tasks on
 * request. Each section keeps its last result as JSON in `data-result`
 * (the browser test reads it and compares it with the same run in Node).
 */
import * as tf from '@tensorflow/tfjs';
import { barChartSvg, initBackend, type BackendInfo, type BackendName } from '@paperkit/tensor-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { runLoRKDTask } from './tasks/lorkd-task.js';
import { familyRows, runGoodputTask, sampleTraceJsonl } from './tasks/goodput-task.js';
import { runGCNTask } from './tasks/gcn-task.js';
import { wasmKernelCheck } from './kernel-check.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));

// --- Backend ---------------------------------------------------------------
const params = new URLSearchParams(location.search);
const requested = (params.get('backend') || undefined) as BackendName | undefined;
const threads = params.has('threads') ? Number(params.get('threads')) : undefined;
const choice = $<HTMLSelectElement>('backend-choice');
choice.value = requested ?? '';
choice.addEventListener('change', () => {
  const next = new URL(location.href);
  if (choice.value) next.searchParams.set('backend', choice.value);
  else next.searchParams.delete('backend');
  location.href = next.href;
});

let backend: BackendInfo;
try {
  backend = await initBackend({
    backend: requested,
    threads,
    // The wasm code is fetched only if webgpu and webgl fail (or wasm is asked for).
    loaders: { wasm: () => import('@tensorflow/tfjs-backend-wasm') },
    // Vite serves the binaries at hashed URLs: tell tfjs where each one is.
    wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded },
  });
  const extra = backend.name === 'wasm' ? `, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}` : '';
  $('backend').textContent = `${backend.name}${extra}`;
  $('backend').title = backend.tried.map((t) => `${t.source}: ${t.error ?? 'ok'}`).join('\n') + (backend.threadsFallback ? `\nthreads: ${backend.threadsFallback}` : '');
  document.body.dataset.backend = JSON.stringify(backend);
  if (backend.name === 'wasm') document.body.dataset.kernelCheck = JSON.stringify(wasmKernelCheck());
} catch (error) {
  $('backend').textContent = `none: ${error instanceof Error ? error.message : String(error)}`;
  throw error;
}

/** Run `work` for a section: state attribute, status text, errors shown in the section. */
async function runSection<T>(section: string, work: () => Promise<T>, show: (result: T) => Promise<void> | void): Promise<void> {
  const el = $(section);
  const status = $(`${section}-out`);
  el.dataset.state = 'running';
  const start = performance.now();
  try {
    const result = await work();
    await show(result);
    el.dataset.result = JSON.stringify(result);
    el.dataset.seconds = ((performance.now() - start) / 1000).toFixed(2);
    el.dataset.numTensors = String(tf.memory().numTensors);
    el.dataset.state = 'done';
  } catch (error) {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    status.replaceChildren(p);
    el.dataset.error = p.textContent;
    el.dataset.state = 'error';
  }
}

function table(head: string[], rows: (string | number)[][]): HTMLTableElement {
  const t = document.createElement('table');
  const tr = (cells: (string | number)[], tag: 'td' | 'th') => {
    const row = document.createElement('tr');
    for (const c of cells) {
      const cell = document.createElement(tag);
      cell.textContent = typeof c === 'number' ? fmt(c) : c;
      if (typeof c === 'number') cell.className = 'num';
      row.append(cell);
    }
    return row;
  };
  t.append(tr(head, 'th'), ...rows.map((r) => tr(r, 'td')));
  return t;
}

function plot(into: HTMLElement, svg: string): void {
  const holder = document.createElement('div');
  holder.className = 'plot';
  holder.innerHTML = svg; // our own chart code's output, not user text
  into.append(holder);
}

// --- LoRKD -----------------------------------------------------------------
$('lorkd-run').addEventListener('click', () => {
  const bar = $<HTMLProgressElement>('lorkd-progress');
  void runSection(
    'lorkd',
    () => runLoRKDTask({
      onProgress: (done, total, info) => {
        bar.max = total;
        bar.value = done;
        $('lorkd-status').textContent = `${done}/${total} epochs${info?.loss === undefined ? '' : `, loss ${fmt(Number(info.loss))}`}`;
      },
    }),
    async (r) => {
      const out = $('lorkd-out');
      out.replaceChildren(table(['task', 'LoRKD student', 'shared small model'], r.tasks.map((t, i) => [t, r.perTask[i], r.baselinePerTask[i]])));
      out.append(table(['', 'value'], [['mean task accuracy (LoRKD)', r.mean], ['student final loss', r.studentLastLoss]]));
      plot(out, await barChartSvg({
        title: 'test accuracy per task',
        yLabel: 'accuracy',
        bars: r.tasks.flatMap((t, i) => [{ group: t, label: 'LoRKD', value: r.perTask[i] }, { group: t, label: 'shared', value: r.baselinePerTask[i] }]),
      }));
    },
  );
});

// --- smooth-goodput ----------------------------------------------------------
async function showGoodput(text: string, name: string): Promise<void> {
  await runSection('goodput', async () => runGoodputTask(text, name), async (r) => {
    const rows = familyRows(r.metrics);
    const out = $('goodput-out');
    out.replaceChildren(
      table(['family', 'metric', 'value', 'unit'], rows.map((x) => [x.family, x.label, x.value, x.unit])),
    );
    const passRates = Object.entries(r.metrics.sloPassRates);
    if (passRates.length > 0) out.append(table(['SLO', 'pass rate'], passRates.map(([k, v]) => [k, v])));
    const p = r.metrics.vllm;
    const charts: [string, string, { label: string; value: number }[]][] = [
      ['scores', '0 to 1', (['sloAttainment', 'distserveAttainment', 'andesQoE', 'etalonFluidity'] as const).map((k) => ({ label: k, value: r.metrics[k] }))],
      ['vLLM p99 latency', 'ms', (['ttft', 'tpot', 'itl', 'e2el'] as const).map((k) => ({ label: k.toUpperCase(), value: p[k].p99 }))],
      ['rates', 'tok/s', [
        { label: 'smooth goodput', value: r.metrics.smoothGoodput }, { label: 'goodput', value: r.metrics.goodputTok },
        { label: 'throughput', value: r.metrics.tokenThroughput }, { label: 'fluid rate', value: r.metrics.etalonFluidTokenRate },
      ]],
    ];
    const svgs = await Promise.all(charts.map(([title, yLabel, bars]) => barChartSvg({ title, yLabel, bars })));
    const holder = $('goodput-plot');
    holder.replaceChildren();
    const caption = document.createElement('p');
    caption.textContent = `${r.source}: ${r.metrics.requests} requests over ${fmt(r.metrics.duration)} s`;
    holder.append(caption);
    for (const svg of svgs) plot(holder, svg);
  });
}
const readFile = async (file: File) => showGoodput(await file.text(), file.name);
$<HTMLInputElement>('goodput-file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void readFile(file);
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) void readFile(file);
});
$('goodput-sample').addEventListener('click', () => void showGoodput(sampleTraceJsonl(), 'sample.jsonl'));

// --- GCN -------------------------------------------------------------------
$('gcn-run').addEventListener('click', () => {
  $<HTMLProgressElement>('gcn-progress').removeAttribute('value'); // indeterminate while training
  void runSection('gcn', () => runGCNTask(), async (r) => {
    $<HTMLProgressElement>('gcn-progress').value = 1;
    $('gcn-out').replaceChildren(table(['nodes', 'edges', 'edge homophily', 'best epoch', 'val acc', 'test acc'], [[r.nodes, r.edges, r.homophily, r.bestEpoch, r.val, r.test]]));
  });
});

document.body.dataset.ready = 'true';
