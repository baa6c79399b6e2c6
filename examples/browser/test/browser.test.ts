/**
 * The page in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; never a downloaded browser): the Vite dev server is started
 * on 127.0.0.1 and stopped here, the three tasks run on the wasm backend and on
 * WebGL (SwiftShader's software GL), and the page's numbers are compared with
 * the same computation in Node (wasm, one thread). Every packages/<name> main
 * entry is imported in a page. Without Chromium the suite is skipped, unless
 * env CI is set: then it fails.
 *
 * Tolerances (why: the same float32 math, different kernels and summation
 * orders; training amplifies rounding a little):
 * - smooth-goodput: exact (plain JS, no tensors);
 * - wasm page vs wasm Node: final losses within 1e-5 relative, each accuracy
 *   within one test sample (the same binary and kernels; only the build,
 *   threaded in the page, differs). Measured: identical to the last digit.
 * - WebGL vs Node: final losses within 1e-3 relative, each accuracy within
 *   three of the 120 test samples (GPU float32 exp/log and reductions round
 *   differently, and training carries that on). Measured on SwiftShader: loss
 *   3e-7 relative apart, accuracies identical.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { initBackend } from '@paperkit/tensor-core';
import { runLoRKDTask, type LoRKDTaskResult } from '../src/tasks/lorkd-task.js';
import { runGoodputTask, sampleTraceJsonl, sampleVllmResultJson } from '../src/tasks/goodput-task.js';
import { runGCNTask, type GCNTaskResult } from '../src/tasks/gcn-task.js';

const CHROMIUM = process.env.PAPERKIT_CHROMIUM ?? '/usr/bin/chromium';
const here = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(here, 'out', 'browser-test');
const haveBrowser = existsSync(CHROMIUM);

/** Known main entries that still reach a Node built-in (reported, not restructured here); each must still fail, so the list stays true. */
const KNOWN_NOT_BROWSER_SAFE: string[] = [];

const TOL = {
  wasm: { lossRel: 1e-5, acc: 1 / 120 + 1e-9 },
  webgl: { lossRel: 1e-3, acc: 3 / 120 + 1e-9 },
} as const;

if (!haveBrowser && process.env.CI) {
  it('has Chromium at /usr/bin/chromium (CI installs it: apt-get install -y chromium)', () => {
    throw new Error(`${CHROMIUM} is missing: the browser test cannot run (on CI, .ci/run installs Debian's chromium)`);
  });
}

describe.skipIf(!haveBrowser)('the browser example in headless Chromium', () => {
  let server: ViteDevServer;
  let context: BrowserContext;
  let base: string;
  let profile: string;
  const node: { lorkd?: LoRKDTaskResult; gcn?: GCNTaskResult } = {};

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'paperkit-chromium-'));
    server = await createServer({
      configFile: join(here, 'vite.config.ts'),
      root: here,
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    });
    await server.listen();
    base = server.resolvedUrls!.local[0];
    expect(new URL(base).hostname).toBe('127.0.0.1');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      ],
      viewport: { width: 1100, height: 1600 },
    });
    // The same computations in Node, on wasm (one thread: PAPERKIT_THREADS=1 in the vitest config).
    await initBackend({ backend: 'wasm', quiet: true });
    node.lorkd = await runLoRKDTask();
    node.gcn = await runGCNTask();
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(path: string): Promise<{ page: Page; log: string[] }> {
    const page = await context.newPage();
    const log: string[] = [];
    page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
    await page.goto(`${base}${path}`);
    return { page, log };
  }

  async function run(page: Page, section: string, start: () => Promise<void>, log: string[]): Promise<unknown> {
    await start();
    await page.waitForSelector(`#${section}[data-state="done"], #${section}[data-state="error"]`, { timeout: 90_000 });
    const state = await page.getAttribute(`#${section}`, 'data-state');
    if (state !== 'done') throw new Error(`${section}: ${await page.getAttribute(`#${section}`, 'data-error')}\n${log.join('\n')}`);
    return JSON.parse((await page.getAttribute(`#${section}`, 'data-result'))!);
  }

  const relClose = (a: number, b: number, rel: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

  for (const backend of ['wasm', 'webgl'] as const) {
    it(`runs LoRKD, smooth-goodput and the GCN on ${backend} with Node's numbers`, async () => {
      const { page, log } = await open(`/?backend=${backend}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 }).catch(() => {
        throw new Error(`page did not start:\n${log.join('\n')}`);
      });
      const info = JSON.parse((await page.getAttribute('body', 'data-backend'))!);
      expect(info.name, log.join('\n')).toBe(backend);
      const tol = TOL[backend];
      if (backend === 'wasm') {
        // tensor-core's fallback and fast kernels on the page's wasm backend (cross-origin isolated: the threaded build)
        const check = JSON.parse((await page.getAttribute('body', 'data-kernel-check'))!);
        expect(check).toEqual({
          crossOriginIsolated: true,
          gatherGrad: [[2, 2], [0, 0], [1, 1]],
          convFilterGrad: [9, 9, 9, 9],
          transposedMatMul: [[6, 8], [8, 10]],
          fusedAdamRegistered: true,
          heap: 'wasmMemory',
        });
        expect(info.fastKernelsOff).toBeUndefined();
        // threaded where cross-origin isolated: the threads asked for (default: the cores, at most 8) really started
        const cores = await page.evaluate(() => navigator.hardwareConcurrency);
        expect({ threads: info.threads, fallback: info.threadsFallback }).toEqual({ threads: Math.min(cores, 8), fallback: undefined });
      }

      const lorkd = (await run(page, 'lorkd', () => page.click('#lorkd-run'), log)) as LoRKDTaskResult;
      const progress = await page.$eval('#lorkd-progress', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
      expect(progress[0]).toBe(progress[1]);
      relClose(lorkd.studentLastLoss, node.lorkd!.studentLastLoss, tol.lossRel);
      relClose(lorkd.teacherLastLoss, node.lorkd!.teacherLastLoss, tol.lossRel);
      lorkd.perTask.forEach((a, t) => expect(Math.abs(a - node.lorkd!.perTask[t])).toBeLessThanOrEqual(tol.acc));

      // smooth-goodput: a JSONL trace and a vLLM result, dropped through the file input; exact.
      for (const [name, text] of [['trace.jsonl', sampleTraceJsonl()], ['vllm-result.json', sampleVllmResultJson()]] as const) {
        const goodput = await run(page, 'goodput', () => page.setInputFiles('#goodput-file', { name, mimeType: 'text/plain', buffer: Buffer.from(text) }), log);
        expect(goodput).toEqual(JSON.parse(JSON.stringify(runGoodputTask(text, name))));
        expect(await page.$$eval('#goodput-plot svg', (s) => s.length)).toBe(3);
        await page.evaluate(() => document.getElementById('goodput')!.setAttribute('data-state', 'idle'));
      }

      const gcn = (await run(page, 'gcn', () => page.click('#gcn-run'), log)) as GCNTaskResult;
      expect(gcn.nodes).toBe(node.gcn!.nodes);
      expect(gcn.edges).toBe(node.gcn!.edges);
      relClose(gcn.losses.at(-1)!, node.gcn!.losses.at(-1)!, tol.lossRel);
      expect(Math.abs(gcn.test - node.gcn!.test)).toBeLessThanOrEqual(backend === 'wasm' ? 1 / 90 + 1e-9 : 3 / 90 + 1e-9); // 90 test nodes

      const summary = { backend: info, lorkd: { page: lorkd.perTask, node: node.lorkd!.perTask, loss: [lorkd.studentLastLoss, node.lorkd!.studentLastLoss] }, gcn: { page: [gcn.val, gcn.test, gcn.losses.at(-1)], node: [node.gcn!.val, node.gcn!.test, node.gcn!.losses.at(-1)] } };
      writeFileSync(join(outDir, `${backend}.json`), `${JSON.stringify(summary, null, 2)}\n`);
      await page.screenshot({ path: join(outDir, `page-${backend}.png`), fullPage: true });
      await page.close();
    });
  }

  it('picks a backend automatically in the page: webgpu first (not imported here), then webgl', async () => {
    const { page, log } = await open('/');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 }).catch(() => {
      throw new Error(`page did not start:\n${log.join('\n')}`);
    });
    const info = JSON.parse((await page.getAttribute('body', 'data-backend'))!);
    expect(info.name).toBe('webgl');
    expect(info.tried).toEqual([
      { source: '@tensorflow/tfjs-backend-webgpu', error: expect.stringMatching(/not imported/) },
      { source: '@tensorflow/tfjs' },
    ]);
    expect(await page.textContent('#backend')).toBe('webgl');
    await page.close();
  });

  it('imports every package main entry in the page', async () => {
    const { page, log } = await open('/entries.html');
    await page.waitForSelector('body[data-state="done"]', { timeout: 90_000 }).catch(() => {
      throw new Error(`entries page did not finish:\n${log.join('\n')}`);
    });
    const results = JSON.parse((await page.getAttribute('body', 'data-results'))!) as Record<string, { ok: boolean; error?: string }>;
    expect(Object.keys(results)).toContain('@paperkit/tensor-core');
    for (const [name, r] of Object.entries(results)) {
      if (KNOWN_NOT_BROWSER_SAFE.includes(name)) expect(r.ok, `${name} now loads in a page: drop it from KNOWN_NOT_BROWSER_SAFE`).toBe(false);
      else expect(r, `${name} main entry in a page`).toEqual(expect.objectContaining({ ok: true }));
    }
    await page.close();
  });
});
