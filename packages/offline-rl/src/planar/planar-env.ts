/**
 * One planar-suite episode (harmodt.md §S4): dynamics, reward and success of a task.
 *
 * Workspace [-1, 1]^2. Hand p' = clip(p + 0.1 a). The puck attaches when |p - o| < .06 and
 * then keeps its offset δ = o - p. The drawer handle follows the hand's x motion while the
 * hand is within .08 of it (h_x clipped to ±.9). The button at (b_x, .9) is pressed when
 * p_y > .85 and |p_x - b_x| < .08. Reward shaping uses e(d) = exp(-4 d). Success counts if
 * it happens at any step of the T = 40 step episode.
 *
 * Observation slots [p, o, h, g]: unused or hidden slots are 0. The hidden push-left/right
 * goal stays 0; the button's position (b_x, .9) goes in the g slot (our choice: the spec
 * says the button position is drawn, not where it is observed).
 */
import type { Rng } from '@paperkit/tensor-core';
import { PLANAR_HORIZON, PLANAR_STATE_DIM, type PlanarTaskName } from './tasks.js';

const e = (d: number) => Math.exp(-4 * d);
const clip = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);
const dist = (ax: number, ay: number, bx: number, by: number) => Math.hypot(ax - bx, ay - by);

/** What one environment step returns. */
export interface StepResult {
  reward: number;
  /** Success at this step (the episode succeeds if any step does). */
  success: boolean;
}

/** The full simulator state (exposed for the scripted experts and tests). */
export interface PlanarState {
  p: [number, number];
  o: [number, number];
  h: [number, number];
  /** Handle position at reset (drawer progress is h_x - h0_x). */
  h0x: number;
  g: [number, number];
  attached: boolean;
  delta: [number, number];
  pressed: boolean;
  t: number;
}

export class PlanarEnv {
  readonly task: PlanarTaskName;
  readonly horizon = PLANAR_HORIZON;
  state: PlanarState;
  /** True once any step succeeded. */
  succeeded = false;

  constructor(task: PlanarTaskName, rng: Rng) {
    this.task = task;
    this.state = PlanarEnv.initialState(task, rng);
  }

  /** Draw the initial state of `task` (init column of the §S4 table). */
  static initialState(task: PlanarTaskName, rng: Rng): PlanarState {
    const s: PlanarState = {
      p: [rng.uniform(-0.2, 0.2), rng.uniform(-0.8, -0.6)],
      o: [0, 0],
      h: [0, 0],
      h0x: 0,
      g: [0, 0],
      attached: false,
      delta: [0, 0],
      pressed: false,
      t: 0,
    };
    switch (task) {
      case 'reach':
        s.g = [rng.uniform(-0.8, 0.8), rng.uniform(-0.2, 0.8)];
        break;
      case 'push':
        s.o = [rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.2)];
        s.g = [rng.uniform(-0.7, 0.7), rng.uniform(0.4, 0.8)];
        break;
      case 'push-left':
      case 'push-right':
        s.o = [rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.2)];
        s.g = [task === 'push-left' ? -0.75 : 0.75, 0];
        break;
      case 'button':
        s.g = [rng.uniform(-0.7, 0.7), 0.9];
        break;
      case 'drawer-open':
      case 'drawer-close':
        s.h = [rng.uniform(-0.3, 0.3), rng.uniform(-0.2, 0.4)];
        s.h0x = s.h[0];
        break;
    }
    return s;
  }

  /** The 8-d observation [p, o, h, g] with unused and hidden slots 0. */
  observe(out: Float32Array = new Float32Array(PLANAR_STATE_DIM)): Float32Array {
    const s = this.state;
    out.fill(0);
    out[0] = s.p[0];
    out[1] = s.p[1];
    const puck = this.task === 'push' || this.task === 'push-left' || this.task === 'push-right';
    if (puck) {
      out[2] = s.o[0];
      out[3] = s.o[1];
    }
    if (this.task === 'drawer-open' || this.task === 'drawer-close') {
      out[4] = s.h[0];
      out[5] = s.h[1];
    }
    if (this.task === 'reach' || this.task === 'push' || this.task === 'button') {
      out[6] = s.g[0];
      out[7] = s.g[1];
    }
    return out;
  }

  /** Apply action a (clipped to [-1, 1]^2) and return reward and success of the new state. */
  step(action: ArrayLike<number>): StepResult {
    const s = this.state;
    const ax = clip(Number.isFinite(action[0]) ? action[0] : 0, -1, 1);
    const ay = clip(Number.isFinite(action[1]) ? action[1] : 0, -1, 1);
    const px = s.p[0];
    const py = s.p[1];
    const nx = clip(px + 0.1 * ax, -1, 1);
    const ny = clip(py + 0.1 * ay, -1, 1);
    // Drawer handle: moves with the hand's x motion when the hand (before the move) is near it.
    if (dist(px, py, s.h[0], s.h[1]) < 0.08 && (this.task === 'drawer-open' || this.task === 'drawer-close')) {
      s.h[0] = clip(s.h[0] + (nx - px), -0.9, 0.9);
    }
    s.p = [nx, ny];
    const puck = this.task === 'push' || this.task === 'push-left' || this.task === 'push-right';
    if (puck) {
      if (s.attached) {
        s.o = [nx + s.delta[0], ny + s.delta[1]];
      } else if (dist(nx, ny, s.o[0], s.o[1]) < 0.06) {
        s.attached = true;
        s.delta = [s.o[0] - nx, s.o[1] - ny];
      }
    }
    if (this.task === 'button' && ny > 0.85 && Math.abs(nx - s.g[0]) < 0.08) s.pressed = true;
    s.t += 1;
    const result = this.score();
    if (result.success) this.succeeded = true;
    return result;
  }

  /** Reward and success of the current state (reward column of the §S4 table). */
  score(): StepResult {
    const s = this.state;
    const [px, py] = s.p;
    switch (this.task) {
      case 'reach': {
        const d = dist(px, py, s.g[0], s.g[1]);
        return { reward: e(d), success: d < 0.05 };
      }
      case 'push': {
        const dg = dist(s.o[0], s.o[1], s.g[0], s.g[1]);
        return { reward: 0.3 * e(dist(px, py, s.o[0], s.o[1])) + 0.7 * e(dg), success: dg < 0.07 };
      }
      case 'push-left':
      case 'push-right': {
        const gx = s.g[0];
        const reward = 0.3 * e(dist(px, py, s.o[0], s.o[1])) + 0.7 * clip(1 - Math.abs(s.o[0] - gx) / 0.75, 0, 1);
        const success = this.task === 'push-left' ? s.o[0] <= -0.7 : s.o[0] >= 0.7;
        return { reward, success };
      }
      case 'button':
        return { reward: e(dist(px, py, s.g[0], 0.95)), success: s.pressed };
      case 'drawer-open':
      case 'drawer-close': {
        const sign = this.task === 'drawer-open' ? -1 : 1;
        const progress = sign * (s.h[0] - s.h0x);
        return { reward: 0.3 * e(dist(px, py, s.h[0], s.h[1])) + 0.7 * clip(progress / 0.3, 0, 1), success: progress >= 0.3 };
      }
    }
  }
}
