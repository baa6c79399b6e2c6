/**
 * Loss-weight schedules (spec section 2): a_s = b_s = 1 - s/S, i.e. a weight that starts
 * at `start` and decays linearly to `end` over the S training steps ([DRD]: both weights
 * start at 1 and decay linearly). A plain number is a constant weight.
 */
import { OptionError } from '@paperkit/tensor-core';

/** A constant weight, or [start, end] decayed linearly over the run. */
export type WeightSchedule = number | readonly [number, number];

export function checkSchedule(option: string, value: unknown): WeightSchedule {
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (ok(value)) return value as number;
  if (Array.isArray(value) && value.length === 2 && value.every(ok)) return [value[0], value[1]] as const;
  throw new OptionError(option, 'a weight >= 0 or [start, end] (linear decay over the steps)', value);
}

/** The weight at 0-based step s of S: start + (end - start) * s / S. */
export function scheduledWeight(schedule: WeightSchedule, step: number, totalSteps: number): number {
  if (typeof schedule === 'number') return schedule;
  const [start, end] = schedule;
  return start + ((end - start) * step) / Math.max(totalSteps, 1);
}

/** True when the schedule is 0 at every step (the term can be skipped). */
export function isOff(schedule: WeightSchedule): boolean {
  return typeof schedule === 'number' ? schedule === 0 : schedule[0] === 0 && schedule[1] === 0;
}
