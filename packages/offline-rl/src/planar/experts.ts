/**
 * Scripted experts and the behaviour-noise model of planar-suite (harmodt.md §S4).
 *
 * toward(x) = clip(8 (x - p)). reach: toward(g). button: toward(b_x, .97).
 * push(-left/right): toward(o) until attached, then toward(g - δ) (for the hidden-goal
 * pushes g = (∓.75, o_y), i.e. only the x target matters). drawer: toward(h) while
 * |p - h| > .03 and the handle has not moved, then (∓.6, clip(8 (h_y - p_y))).
 *
 * Noise: with probability pRandom the action is uniform in [-1, 1]^2, otherwise it is the
 * expert action plus N(0, σ^2); either way it is clipped to [-1, 1].
 */
import type { Rng } from '@paperkit/tensor-core';
import type { PlanarEnv } from './planar-env.js';

const clip1 = (x: number) => (x < -1 ? -1 : x > 1 ? 1 : x);

/** The scripted expert's action for the env's current state. */
export function expertAction(env: PlanarEnv, out: Float32Array = new Float32Array(2)): Float32Array {
  const s = env.state;
  const [px, py] = s.p;
  const toward = (x: number, y: number) => {
    out[0] = clip1(8 * (x - px));
    out[1] = clip1(8 * (y - py));
    return out;
  };
  switch (env.task) {
    case 'reach':
      return toward(s.g[0], s.g[1]);
    case 'button':
      return toward(s.g[0], 0.97);
    case 'push':
      return s.attached ? toward(s.g[0] - s.delta[0], s.g[1] - s.delta[1]) : toward(s.o[0], s.o[1]);
    case 'push-left':
    case 'push-right':
      return s.attached ? toward(s.g[0] - s.delta[0], s.o[1] - s.delta[1]) : toward(s.o[0], s.o[1]);
    case 'drawer-open':
    case 'drawer-close': {
      const moved = s.h[0] !== s.h0x;
      if (!moved && Math.hypot(px - s.h[0], py - s.h[1]) > 0.03) return toward(s.h[0], s.h[1]);
      out[0] = env.task === 'drawer-open' ? -0.6 : 0.6;
      out[1] = clip1(8 * (s.h[1] - py));
      return out;
    }
  }
}

/** Behaviour policy quality: expert (no noise), near-optimal (σ .3, p .1), sub-optimal (σ .6, p .3), random. */
export type DataQuality = 'expert' | 'near-optimal' | 'sub-optimal' | 'random';

/** σ and p_rand of each quality level (§S4 "Noise"). */
export const QUALITY_NOISE: Readonly<Record<DataQuality, { sigma: number; pRandom: number }>> = Object.freeze({
  expert: { sigma: 0, pRandom: 0 },
  'near-optimal': { sigma: 0.3, pRandom: 0.1 },
  'sub-optimal': { sigma: 0.6, pRandom: 0.3 },
  random: { sigma: 0, pRandom: 1 },
});

/** Expert action with behaviour noise, clipped to [-1, 1]. */
export function noisyExpertAction(env: PlanarEnv, noise: { sigma: number; pRandom: number }, rng: Rng, out: Float32Array = new Float32Array(2)): Float32Array {
  if (noise.pRandom > 0 && rng.next() < noise.pRandom) {
    out[0] = rng.uniform(-1, 1);
    out[1] = rng.uniform(-1, 1);
    return out;
  }
  expertAction(env, out);
  if (noise.sigma > 0) {
    out[0] = clip1(out[0] + rng.normal(0, noise.sigma));
    out[1] = clip1(out[1] + rng.normal(0, noise.sigma));
  }
  return out;
}
