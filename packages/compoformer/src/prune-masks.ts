/**
 * Weight ownership for the Prune variant and the PackNet baseline
 * (compoformer.md section 2 step 4; harmodt.md S3 "PackNet").
 *
 * Every prunable trunk weight has an owner: -1 = free, or the index of the
 * trained module that kept it. Training module m updates only free weights
 * (owned ones get zero gradient); after 4/5 of the budget
 *   cutoff = quantile_q(|w| over free weights),  mask_m = free AND |w| >= cutoff,
 * realised as "keep the round((1-q) * free) largest |w|" (offline-rl's packnetSelect;
 * ties broken by position, so |mask_m| is exact); the other free weights are zeroed and stay
 * free for later modules. Module m is evaluated with the union of masks <= m.
 * Pure JS on Float32Arrays: this runs once per task, never in a training step.
 */
import * as tf from '@tensorflow/tfjs';
import { packnetSelect } from '@paperkit/offline-rl';
import { OptionError } from '@paperkit/tensor-core';
import { CapacityError } from './errors.js';

export class WeightOwnership {
  /** Per prunable tensor, one owner per element (-1 free). */
  readonly owners: Record<string, Int16Array>;
  /** Tensor names in a fixed order. */
  readonly names: string[];

  constructor(shapes: Record<string, number[]>) {
    this.names = Object.keys(shapes);
    this.owners = {};
    for (const name of this.names) this.owners[name] = new Int16Array(shapes[name].reduce((a, d) => a * d, 1)).fill(-1);
  }

  /** Number of free weights. */
  freeCount(): number {
    let n = 0;
    for (const name of this.names) for (const o of this.owners[name]) if (o < 0) n++;
    return n;
  }

  /** Number of weights owned by module m. */
  ownedBy(m: number): number {
    let n = 0;
    for (const name of this.names) for (const o of this.owners[name]) if (o === m) n++;
    return n;
  }

  /** 0/1 mask per tensor: free weights (what a new module may train). */
  freeMask(name: string): Float32Array {
    return Float32Array.from(this.owners[name], (o) => (o < 0 ? 1 : 0));
  }

  /** 0/1 mask per tensor: weights owned by modules 0..m (the weights module m is evaluated with). */
  unionMask(name: string, m: number): Float32Array {
    return Float32Array.from(this.owners[name], (o) => (o >= 0 && o <= m ? 1 : 0));
  }

  /** 0/1 mask per tensor: weights owned exactly by module m. */
  ownMask(name: string, m: number): Float32Array {
    return Float32Array.from(this.owners[name], (o) => (o === m ? 1 : 0));
  }

  /**
   * Give module m the round((1-q) * free) free weights of largest magnitude.
   * `values` are the current weights; `last` takes every free weight (the
   * official code's final task). Returns the number of weights assigned.
   */
  assign(m: number, values: Record<string, Float32Array>, q: number, task: string, last = false): number {
    if (!(q > 0 && q < 1)) throw new OptionError('pruneQuantile', 'a number in (0, 1)', q);
    // One flat vector over every prunable tensor; offline-rl's packnetSelect keeps the top
    // round((1 - q) * free) by |w| among free entries (ties by position).
    const total = this.names.reduce((n, name) => n + this.owners[name].length, 0);
    const flat = new Float32Array(total);
    const free = new Uint8Array(total);
    let offset = 0;
    for (const name of this.names) {
      const owners = this.owners[name];
      flat.set(values[name].subarray(0, owners.length), offset);
      for (let i = 0; i < owners.length; i++) free[offset + i] = owners[i] < 0 ? 1 : 0;
      offset += owners.length;
    }
    const freeCount = free.reduce((a, b) => a + b, 0);
    const keep = last ? freeCount : Math.round((1 - q) * freeCount);
    if (keep < 1) throw new CapacityError(task, freeCount);
    const mask = last ? free : packnetSelect(flat, free, q);
    offset = 0;
    for (const name of this.names) {
      const owners = this.owners[name];
      for (let i = 0; i < owners.length; i++) if (mask[offset + i]) owners[i] = m;
      offset += owners.length;
    }
    return keep;
  }

  /** Throw CapacityError when no free weight is left for a new module. */
  requireFree(task: string, minimum = 1): void {
    const free = this.freeCount();
    if (free < minimum) throw new CapacityError(task, free);
  }

  /** Masks as tensors (caller disposes). */
  tensors(kind: 'free' | 'union' | 'own', m: number, shapes: Record<string, number[]>): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const name of this.names) {
      const data = kind === 'free' ? this.freeMask(name) : kind === 'union' ? this.unionMask(name, m) : this.ownMask(name, m);
      out[name] = tf.tensor(data, shapes[name]);
    }
    return out;
  }

  toJSON(): Record<string, number[]> {
    return Object.fromEntries(this.names.map((n) => [n, Array.from(this.owners[n])]));
  }
}
