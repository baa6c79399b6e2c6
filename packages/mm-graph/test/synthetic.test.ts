import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSyntheticLP, makeSyntheticNC, edgeHomophily } from '../src/synthetic.js';

function hashGraph(g: ReturnType<typeof makeSyntheticLP>): string {
  const h = createHash('sha256');
  for (const a of [g.text, g.image, g.src, g.dst, g.labels!, g.edgeSplit?.valid.neg ?? new Int32Array(0), g.edgeSplit?.test.neg ?? new Int32Array(0)]) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

describe('synthetic two-facet generator (spec §5)', () => {
  const g = makeSyntheticLP({ seed: 3, numNodes: 400 });
  const n = g.numNodes;

  it('has no self-loops and no duplicate undirected edges', () => {
    const keys = new Set<number>();
    const { src, dst } = g.allEdges;
    for (let e = 0; e < src.length; e++) {
      expect(src[e]).not.toBe(dst[e]);
      const key = Math.min(src[e], dst[e]) * n + Math.max(src[e], dst[e]);
      expect(keys.has(key)).toBe(false);
      keys.add(key);
    }
  });

  it('labels are y = 2a + b and the LP edge split is 80/10/10 of all edges', () => {
    for (let i = 0; i < n; i++) expect(g.labels![i]).toBe(2 * g.facets.text[i] + g.facets.image[i]);
    const m = g.allEdges.src.length;
    const s = g.edgeSplit!;
    expect(s.train.src.length + s.valid.src.length + s.test.src.length).toBe(m);
    expect(Math.abs(s.valid.src.length - 0.1 * m)).toBeLessThanOrEqual(1);
    expect(s.valid.k).toBe(100);
  });

  it('negatives exclude true edges and the source; the first 50 share exactly one facet with the source', () => {
    const edges = new Set<number>();
    for (let e = 0; e < g.allEdges.src.length; e++) {
      edges.add(g.allEdges.src[e] * n + g.allEdges.dst[e]);
      edges.add(g.allEdges.dst[e] * n + g.allEdges.src[e]);
    }
    for (const part of [g.edgeSplit!.valid, g.edgeSplit!.test]) {
      for (let i = 0; i < part.src.length; i++) {
        const u = part.src[i];
        for (let j = 0; j < part.k; j++) {
          const v = part.neg[i * part.k + j];
          expect(v).not.toBe(u);
          expect(edges.has(u * n + v)).toBe(false);
          if (j < 50) {
            const sameA = g.facets.text[u] === g.facets.text[v];
            const sameB = g.facets.image[u] === g.facets.image[v];
            expect(sameA !== sameB).toBe(true);
          }
        }
      }
    }
  });

  it('NC preset: homophily near h + (1-h)/8 and a 60/10/30 node split covering every node once', () => {
    const nc = makeSyntheticNC({ seed: 1, numNodes: 1500 });
    expect(edgeHomophily(nc)).toBeGreaterThan(0.5);
    expect(edgeHomophily(nc)).toBeLessThan(0.62);
    const s = nc.nodeSplit!;
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([900, 150, 450]);
    expect(new Set([...s.train, ...s.valid, ...s.test]).size).toBe(1500);
  });

  it('same seed gives identical bytes; a different seed gives a different graph', () => {
    expect(hashGraph(makeSyntheticLP({ seed: 3, numNodes: 400 }))).toBe(hashGraph(g));
    expect(hashGraph(makeSyntheticLP({ seed: 4, numNodes: 400 }))).not.toBe(hashGraph(g));
  });

  it('same seed gives identical graph bytes and training metrics (1e-6) in two separate processes', () => {
    const run = () =>
      JSON.parse(
        execFileSync('npx', ['tsx', '--conditions=@paperkit/source', 'test/helpers/determinism-child.ts'], { cwd: `${__dirname}/..`, encoding: 'utf8' })
          .trim().split('\n').pop()!,
      ) as { hash: string; acc: number; mrr: number; loss: number[] };
    const a = run();
    const b = run();
    expect(a.hash).toBe(b.hash);
    expect(Math.abs(a.acc - b.acc)).toBeLessThan(1e-6);
    expect(Math.abs(a.mrr - b.mrr)).toBeLessThan(1e-6);
    a.loss.forEach((v, i) => expect(Math.abs(v - b.loss[i])).toBeLessThan(1e-6));
  });
});
