/**
 * G-HarmoDT task clustering by gradient similarity (harmodt.md §2 "G-HarmoDT": tasks grouped
 * by gradient information, one mask per group; the extended paper's exact procedure is
 * unverified, so this is ours): average-linkage agglomerative clustering on the pairwise
 * cosine matrix of task gradients, merging while the best pair's mean cosine is at least
 * `threshold` (or until `groups` clusters remain). Conflicting tasks (cos < threshold) are
 * never merged, so aliased pairs keep separate masks.
 */
import { OptionError } from '@paperkit/tensor-core';

/** groupOf[task] in 0..G-1 (groups numbered by their lowest task id). */
export function clusterTasks(cosines: number[][], options: { threshold?: number; groups?: number } = {}): number[] {
  const n = cosines.length;
  if (n === 0) throw new OptionError('clusterTasks(cosines)', 'a non-empty square matrix', cosines);
  const threshold = options.threshold ?? 0.3;
  const target = options.groups;
  if (target !== undefined && !(Number.isInteger(target) && target >= 1 && target <= n)) throw new OptionError('groups', `an integer in [1, ${n}]`, target);
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const link = (a: number[], b: number[]) => {
    let s = 0;
    for (const i of a) for (const j of b) s += cosines[i][j];
    return s / (a.length * b.length);
  };
  while (clusters.length > 1 && (target === undefined || clusters.length > target)) {
    let best = -Infinity;
    let pair: [number, number] = [0, 1];
    for (let a = 0; a < clusters.length; a++) for (let b = a + 1; b < clusters.length; b++) {
      const l = link(clusters[a], clusters[b]);
      if (l > best) {
        best = l;
        pair = [a, b];
      }
    }
    if (target === undefined && best < threshold) break;
    const merged = [...clusters[pair[0]], ...clusters[pair[1]]].sort((x, y) => x - y);
    clusters = clusters.filter((_, i) => i !== pair[0] && i !== pair[1]).concat([merged]);
  }
  clusters.sort((a, b) => a[0] - b[0]);
  const groupOf = new Array(n).fill(0);
  clusters.forEach((c, g) => c.forEach((t) => (groupOf[t] = g)));
  return groupOf;
}
